"""The administrator's API tokens page: create (the token shown once),
errors next to the fields, revoke, admins only."""

import re

import pytest
from sqlalchemy import select

from portal.db import db
from portal.models import ApiToken
from tests.pages import parse, text_of


def create(client, **data):
    return client.submit(
        "/admin/tokens", {"name": "", "kind": "", "agency": "", "county": "", "user": "", **data}, form_action="/admin/tokens"
    )


def test_an_admin_creates_an_agency_token_and_sees_it_only_once(app, client, login_as):
    login_as("admin")
    response = create(client, name="玉山市场监管业务系统", kind="agency", agency="ys-amr")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.get_data(as_text=True))
    plaintext = page.select_one("#new-token").get_text().strip()
    assert plaintext.startswith("ksp_")
    assert not page.select_one("#name").get("value")  # the form is ready for the next token
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.prefix == plaintext[:12] and stored.agency.code == "ys-amr"
    listing = client.page("/admin/tokens")
    assert listing.select_one("#new-token") is None
    assert plaintext not in str(listing) and plaintext[:12] in text_of(listing, "table")
    assert re.search(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", text_of(listing, "table"))  # ISO date, 24-hour time
    assert not re.search(r"\d+/\d+/\d+|[AP]M", text_of(listing, "table"))
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200


def test_a_window_token_and_a_staff_token_are_bound_as_chosen(app, client, login_as):
    admin_id = login_as("admin")
    create(client, name="常山窗口系统", kind="window", county="changshan")
    create(client, name="我的令牌", kind="staff", user=str(admin_id))
    with app.app_context():
        tokens = {t.name: t for t in db.session.scalars(select(ApiToken))}
        assert tokens["常山窗口系统"].window_county.value == "changshan"
        assert tokens["我的令牌"].user_id == admin_id and tokens["我的令牌"].created_by_id == admin_id


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "kind": "window", "county": "yushan"}, "name"),
        ({"name": "x", "kind": ""}, "kind"),
        ({"name": "x", "kind": "agency"}, "agency"),
        ({"name": "x", "kind": "window"}, "county"),
        ({"name": "x", "kind": "staff"}, "user"),
    ],
)
def test_errors_are_shown_next_to_the_field_at_fault(app, client, login_as, data, field):
    login_as("admin")
    response = create(client, **data)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.select_one(".error-summary") is not None
    assert page.select_one(f".field-error #{field}, fieldset#{field}.field-error") is not None
    assert page.select_one("#new-token") is None
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_revoking_needs_the_form_and_marks_the_token(app, client, login_as):
    login_as("admin")
    create(client, name="x", kind="window", county="yushan")
    page = client.page("/admin/tokens")
    form = page.select_one("form[action$='/revoke']")
    assert client.post(form["action"]).status_code == 400  # no CSRF token
    response = client.post(form["action"], data={"csrf_token": form.select_one("input[name=csrf_token]")["value"]})
    assert response.status_code == 302
    listing = client.page("/admin/tokens")
    assert listing.select_one("form[action$='/revoke']") is None
    assert listing.select_one(".tag-required") is not None
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None


@pytest.mark.parametrize("role", ["clerk", "officer", "supervisor"])
def test_only_admins_open_the_tokens_page(client, login_as, role):
    login_as(role)
    assert client.get("/admin/tokens").status_code == 403
    assert client.post("/admin/tokens", data={"name": "x"}).status_code in (400, 403)


def test_the_admin_index_links_to_the_tokens_page(client, login_as):
    login_as("admin")
    assert client.page("/admin/").select_one("a[href='/admin/tokens']") is not None
