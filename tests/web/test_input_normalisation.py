"""The same rules for what people type on every channel (web forms, the
JSON API, Open311): full-width digits are the same number, not a new
account; names and notes that hide characters are refused next to their
field, and nothing is stored."""

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.models import Case, OutboxMessage, User
from tests.api_data import bearer, make_token, walk_in_body
from tests.factories import PASSWORD, create_user
from tests.pages import parse, text_of
from tests.web.test_auth import registration
from tests.web.test_open311 import BASE, errors_of, post_data

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def existing_resident(app) -> tuple[str, str]:
    with app.app_context():
        user = create_user(db.session, "resident")
        db.session.commit()
        return user.mobile, user.id_number


def test_the_full_width_mobile_of_an_existing_account_is_that_account_not_a_new_one(app, client):
    mobile, _id_number = existing_resident(app)
    response = client.submit("/register", registration(mobile=mobile.translate(FULL_WIDTH)))
    assert response.status_code == 302  # the page never says; the owner is texted instead
    with app.app_context():
        [text] = db.session.scalars(select(OutboxMessage.payload)).all()
    assert text["mobile"] == mobile and text["action"] == "account_exists"
    assert count(app, User) == 1


@pytest.mark.parametrize("which", ["mobile", "id_number"])
def test_a_resident_signs_in_with_the_full_width_digits_of_their_mobile_or_id_number(app, client, which):
    mobile, id_number = existing_resident(app)
    login = {"mobile": mobile, "id_number": id_number}[which].translate(FULL_WIDTH)
    response = client.submit("/login", {"login": login, "password": PASSWORD})
    assert response.status_code == 302 and client.page("/resident/").select_one("h1")


def test_a_name_with_a_right_to_left_override_is_refused_next_to_the_field(app, client):
    response = client.submit("/register", registration(real_name="王小明\u202e假"))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "隐藏" in text_of(page, "#real_name-error")
    assert page.select_one(".error-summary a[href='#real_name']")
    assert count(app, User) == 0


def test_the_api_refuses_a_hidden_character_in_the_applicants_name_and_files_nothing(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    body = walk_in_body(app)
    body["applicant"]["name"] = "赵\u200b六"
    response = client.post("/api/v1/cases", headers=headers, json=body)
    assert response.status_code == 422
    errors = {e.get("pointer"): e["detail"] for e in response.get_json()["errors"]}
    assert "hidden" in errors["/applicant/name"]
    assert count(app, Case) == 0


def test_the_api_stores_a_full_width_mobile_as_the_number_it_is(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    body = walk_in_body(app)
    body["applicant"]["mobile"] = "１３８１２３４５６７８"
    assert client.post("/api/v1/cases", headers=headers, json=body).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Case.applicant_mobile)) == "13812345678"


def test_open311_refuses_a_hidden_character_in_a_name_and_files_nothing(app, client):
    api_key = make_token(app, "window", county="yushan")
    response = client.post(f"{BASE}/requests.json", data=post_data(app, api_key, first_name="六\u202e"))
    descriptions = " | ".join(e["description"] for e in errors_of(response, 400))
    assert "first_name" in descriptions and "hidden" in descriptions
    assert count(app, Case) == 0
