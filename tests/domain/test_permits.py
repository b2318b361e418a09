"""The electronic residence permit: issuing by the rules of art. 2,
verification answers in both counties, annual endorsement (on time, too
early, twice, late), replacement and reuse."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.permits import (
    endorsement_problem,
    mask_name,
    parse_payload,
    permit_state,
    qr_payload,
    verification_code,
    verify_permit,
)
from portal.models import CaseStatus, Event, PermitCheck, ResidencePermit
from portal.models.enums import County, NoticeKind, PermitCheckResult, PermitStatus
from tests.factories import at, create_user
from tests.permit_data import finish, issued_permit, permit_case

R = PermitCheckResult
KEY = "the portal's secret key"


def test_completing_an_application_issues_the_permit_the_same_day(session):
    resident = create_user(session, "resident", real_name="王小明")
    permit = issued_permit(session, resident)
    case = permit.case
    assert case.status is CaseStatus.completed
    assert permit.number.startswith("33082226") and len(permit.number) == 14
    assert (permit.holder_name, permit.county, permit.issuing_agency.code) == ("王小明", County.changshan, "cs-psb")
    assert (permit.issued_on, permit.endorsed_until, permit.valid_until) == (date(2026, 11, 2), date(2027, 11, 2), date(2036, 11, 2))
    assert permit.residence_counted_from == date(2026, 1, 10)
    assert permit.photo_file_id is not None and permit.address == "常山县天马街道文峰路1号"
    assert "permit_issued" in session.scalars(select(Event.action).where(Event.case_id == case.id)).all()
    # Numbers run on within the county and year.
    second = issued_permit(session, create_user(session, "resident"))
    assert int(second.number) == int(permit.number) + 1


@pytest.mark.parametrize(
    "fields, facts, proof, rule",
    [
        ({"residence_since": "2026-08-01"}, None, True, "居住半年以上"),
        ({}, {"hukou_county": "changshan", "residence_county": "changshan"}, True, "离开常住户口所在地"),
        ({}, None, False, "合法稳定就业"),
    ],
)
def test_an_application_failing_art_2_is_refused_with_the_rule_named(session, fields, facts, proof, rule):
    from tests.permit_data import MOVED_IN

    case = permit_case(session, fields=fields, facts=facts or MOVED_IN, proof=proof)
    finish(session, case, at("2026-11-02", 10))
    assert case.status is CaseStatus.refused
    (notice,) = [n for n in case.notices if n.kind is NoticeKind.decision_refusal]
    assert "《居住证暂行条例》第二条" in notice.reason and rule in notice.reason
    assert session.scalar(select(ResidencePermit.id)) is None


def test_verification_answers_every_state_with_nothing_but_county_and_masked_name(app, session):
    permit = issued_permit(session, create_user(session, "resident", real_name="王小明"))
    yushan_clerk = create_user(session, "clerk", window_county=County.yushan)
    code = verification_code(permit.number, KEY)

    def check(number, given_code, day):
        return verify_permit(session, number, given_code, at(day), key=KEY, checker=yushan_clerk, unit="玉山窗口")

    answer = check(permit.number, code, "2026-11-03")
    assert (answer.result, answer.county, answer.masked_name) == (R.valid, County.changshan, "王*明")
    assert check(permit.number, code, "2027-11-02").result is R.needs_endorsement  # the anniversary passed unendorsed
    assert check(permit.number, code, "2036-11-03").result is R.expired
    assert check(permit.number, "AAAAAAAAAA", "2026-11-03").result is R.unknown  # forged or altered code
    assert check(permit.number, verification_code(permit.number, "another key"), "2026-11-03").result is R.unknown
    other = issued_permit(session, create_user(session, "resident"))
    assert check(permit.number, verification_code(other.number, KEY), "2026-11-03").result is R.unknown  # another permit's code
    assert check("99999999999999", code, "2026-11-03").result is R.unknown
    unknown = check(permit.number, "AAAAAAAAAA", "2026-11-03")
    assert (unknown.county, unknown.masked_name) == (None, "")
    permit.status = PermitStatus.revoked
    assert check(permit.number, code, "2026-11-03").result is R.revoked
    logged = session.scalars(select(PermitCheck).where(PermitCheck.permit_id == permit.id)).all()
    assert {c.checker_county for c in logged} == {County.yushan}
    assert len(logged) == 4  # the unknown answers are logged without a permit


def test_the_qr_payload_carries_the_number_and_code(app, session):
    permit = issued_permit(session)
    number, code = parse_payload(qr_payload(permit, KEY))
    assert (number, code) == (permit.number, verification_code(permit.number, KEY))
    assert parse_payload("https://example.invalid/anything") == ("", "")
    assert mask_name("李华") == "李*" and mask_name("欧阳小明") == "欧**明"


def _endorse(session, permit, day):
    from tests.permit_data import MOVED_IN

    case = permit_case(
        session,
        "psb-rp-endorse",
        applicant=None,
        day=day,
        fields={"permit_number": permit.number, "address": "常山县", "address_status": "unchanged"},
        facts={**MOVED_IN, "applicant_id_number": permit.holder_id_number},
    )
    return finish(session, case, at(day, 10))


def test_endorsement_in_the_month_before_the_anniversary_extends_a_year(session):
    permit = issued_permit(session)
    assert "2027-10-02" in endorsement_problem(permit, permit.holder_id_number, date(2027, 9, 30))  # too early
    assert endorsement_problem(permit, permit.holder_id_number, date(2027, 10, 2)) is None
    case = _endorse(session, permit, "2027-10-15")
    # Endorsement is fully online: decided and delivered electronically at once.
    assert (case.outcome, case.status, case.delivery_method) == ("completed", CaseStatus.delivered, "electronic")
    assert permit.endorsed_until == date(2028, 11, 2) and permit.residence_counted_from == date(2026, 1, 10)
    # Twice in a year: the next window opens a year later.
    assert endorsement_problem(permit, permit.holder_id_number, date(2027, 10, 20)) is not None
    assert endorsement_problem(permit, "330822199001011238", date(2027, 10, 20)) is not None  # someone else's


def test_a_late_endorsement_restores_the_permit_and_restarts_the_count(session):
    permit = issued_permit(session)
    assert permit_state(permit, date(2027, 12, 1)) is R.needs_endorsement
    _endorse(session, permit, "2027-12-01")
    assert permit_state(permit, date(2027, 12, 2)) is R.valid
    assert permit.residence_counted_from == date(2027, 12, 1)
    assert permit.endorsed_until == date(2028, 12, 1)


def test_an_endorsement_too_early_is_refused_and_changes_nothing(session):
    permit = issued_permit(session)
    case = _endorse(session, permit, "2027-03-01")
    assert (case.outcome, case.status) == ("refused", CaseStatus.delivered)
    assert permit.endorsed_until == date(2027, 11, 2)


def test_replacement_issues_a_new_number_and_revokes_the_old(session):
    from tests.permit_data import MOVED_IN

    resident = create_user(session, "resident")
    old = issued_permit(session, resident)
    case = permit_case(
        session,
        "psb-rp-replace",
        applicant=resident,
        day="2026-11-10",
        fields={"request_type": "replace_lost", "permit_number": old.number},
        facts=MOVED_IN,
    )
    finish(session, case, at("2026-11-12"))
    new = session.scalar(select(ResidencePermit).where(ResidencePermit.case_id == case.id))
    assert new.number != old.number and new.status is PermitStatus.active
    assert old.status is PermitStatus.revoked and old.replaced_by_id == new.id
    assert new.endorsed_until == old.endorsed_until and new.residence_counted_from == old.residence_counted_from
    assert verify_permit(session, old.number, verification_code(old.number, KEY), at("2026-11-13"), key=KEY).result is R.revoked
    assert verify_permit(session, new.number, verification_code(new.number, KEY), at("2026-11-13"), key=KEY).result is R.valid
