"""API tokens: stored as a hash, shown once, refused once revoked."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain import DomainError
from portal.domain.access import visible_cases
from portal.domain.tokens import authenticate, create_token, revoke_token
from portal.models import ApiToken, Case, Role
from tests import factories


@pytest.fixture
def admin(session):
    return factories.create_user(session, "admin")


def test_a_token_is_shown_once_and_stored_only_as_its_sha256(session, admin):
    token, plaintext = create_token(
        session, name="玉山市场监管系统", kind="agency", agency_code="ys-amr", created_by=admin, now=factories.now()
    )
    assert plaintext.startswith("ksp_") and len(plaintext) > 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:12]
    stored = session.execute(select(ApiToken.__table__)).one()._asdict()
    assert plaintext not in {str(v) for v in stored.values()}


def test_a_valid_bearer_header_gives_the_tokens_principal(session, admin):
    _token, plaintext = create_token(session, name="常山窗口系统", kind="window", county="changshan", created_by=admin, now=factories.now())
    principal = authenticate(session, f"Bearer {plaintext}", factories.now())
    assert principal.kind == "window" and principal.county.value == "changshan"
    assert principal.filing_county.value == "changshan" and principal.task_agency_id is None
    assert principal.viewer.role is Role.clerk
    assert authenticate(session, f"bearer  {plaintext}", factories.now()) is not None  # scheme is case-insensitive


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ksp_not-a-token", "Bearer " + "x" * 5000, "Token abc"],
)
def test_missing_malformed_and_unknown_headers_authenticate_no_one(session, admin, header):
    create_token(session, name="x", kind="window", county="yushan", created_by=admin, now=factories.now())
    assert authenticate(session, header, factories.now()) is None


def test_a_revoked_token_is_refused_from_then_on(session, admin):
    token, plaintext = create_token(session, name="x", kind="agency", agency_code="cs-psb", created_by=admin, now=factories.now())
    assert revoke_token(session, token, factories.now()) is True
    assert revoke_token(session, token, factories.now()) is False
    assert authenticate(session, f"Bearer {plaintext}", factories.now()) is None


def test_a_staff_token_stops_working_when_its_owner_is_deactivated(session, admin):
    officer = factories.create_user(session, "officer", agency_code="ys-psb")
    _token, plaintext = create_token(session, name="x", kind="staff", user_id=officer.id, created_by=admin, now=factories.now())
    principal = authenticate(session, f"Bearer {plaintext}", factories.now())
    assert principal.user.id == officer.id and principal.task_agency_id == officer.agency_id
    officer.active = False
    session.flush()
    assert authenticate(session, f"Bearer {plaintext}", factories.now()) is None


def test_last_used_is_written_at_most_once_a_minute(session, admin):
    token, plaintext = create_token(session, name="x", kind="window", county="yushan", created_by=admin, now=factories.now())
    first = factories.now()
    authenticate(session, f"Bearer {plaintext}", first)
    session.refresh(token)
    assert token.last_used_at == first
    authenticate(session, f"Bearer {plaintext}", first + timedelta(seconds=30))
    session.refresh(token)
    assert token.last_used_at == first
    later = first + timedelta(seconds=61)
    authenticate(session, f"Bearer {plaintext}", later)
    session.refresh(token)
    assert token.last_used_at == later


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "  ", "kind": "window", "county": "yushan"}, "name"),
        ({"name": "x" * 101, "kind": "window", "county": "yushan"}, "name"),
        ({"name": "x", "kind": "agency", "agency_code": "zz-none"}, "agency"),
        ({"name": "x", "kind": "window", "county": "hangzhou"}, "county"),
        ({"name": "x", "kind": "staff", "user_id": None}, "user"),
        ({"name": "x", "kind": "robot"}, "kind"),
    ],
)
def test_a_token_needs_a_name_and_exactly_what_it_is_bound_to(session, admin, fields, field):
    with pytest.raises(DomainError) as refused:
        create_token(session, created_by=admin, now=factories.now(), **fields)
    assert refused.value.field == field


def test_a_residents_account_cannot_have_a_staff_token(session, admin):
    resident = factories.create_user(session, "resident")
    with pytest.raises(DomainError) as refused:
        create_token(session, name="x", kind="staff", user_id=resident.id, created_by=admin, now=factories.now())
    assert refused.value.field == "user"


def test_an_agency_tokens_viewer_sees_the_cases_of_its_agency_like_an_officer(session, admin):
    ours = factories.create_case(session)
    factories.create_task(session, ours, "ys-amr")
    theirs = factories.create_case(session)
    factories.create_task(session, theirs, "cs-amr")
    _token, plaintext = create_token(session, name="x", kind="agency", agency_code="ys-amr", created_by=admin, now=factories.now())
    viewer = authenticate(session, f"Bearer {plaintext}", factories.now()).viewer
    assert [c.number for c in session.scalars(visible_cases(viewer))] == [ours.number]
    assert session.scalar(select(Case).where(Case.id == theirs.id)) is not None
