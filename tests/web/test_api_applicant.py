"""What each principal of the JSON API sees of a case's applicant (name,
ID number, mobile): masked unless it handles the case and needs the data
(``access.applicant_seen_by``; the table in the README)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.identity import mask_id_number, mask_mobile, mask_name
from portal.models import Agency, County
from portal.models.enums import DeliveryMode, TaskStatus
from tests import factories
from tests.api_data import bearer, make_token, walk_in_body

NAME, ID_NUMBER, MOBILE = "欧阳娜娜", factories.valid_id_number("330822", "19880520", 123), "13912345678"
FULL = {"name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE}
NAME_ONLY = {"name": NAME, "id_number": mask_id_number(ID_NUMBER), "mobile": mask_mobile(MOBILE)}
MASKED = {"name": mask_name(NAME), "id_number": mask_id_number(ID_NUMBER), "mobile": mask_mobile(MOBILE)}


@pytest.fixture
def number(app) -> str:
    """A case received at the Changshan window, with a task for Yushan's police
    (the household is registered in Yushan) and a cancelled one for Changshan's."""
    with app.app_context():
        case = factories.create_case(
            db.session, status="in_progress", receiving_county="changshan", hukou_county="yushan",
            applicant_name=NAME, applicant_id_number=ID_NUMBER, applicant_mobile=MOBILE,
        )
        factories.create_task(db.session, case, "ys-psb")
        factories.create_task(db.session, case, "cs-psb", status=TaskStatus.cancelled.value)
        db.session.commit()
        return case.number


def in_own_system(app, code: str) -> None:
    with app.app_context():
        db.session.scalar(select(Agency).where(Agency.code == code)).delivery_mode = DeliveryMode.http
        db.session.commit()


def staff_token(app, role: str, **fields) -> dict:
    with app.app_context():
        user = factories.create_user(db.session, role, **fields)
        db.session.commit()
        user_id = user.id
    return bearer(make_token(app, "staff", user_id=user_id))


def applicant(client, number: str, headers: dict) -> dict:
    response = client.get(f"/api/v1/cases/{number}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["applicant"]


def test_an_agency_system_working_a_task_in_its_own_system_sees_the_applicant_in_full(app, client, number):
    in_own_system(app, "ys-psb")
    assert applicant(client, number, bearer(make_token(app, "agency", agency_code="ys-psb"))) == FULL


def test_an_agency_system_of_an_agency_working_in_the_portals_queue_sees_the_applicant_masked(app, client, number):
    assert applicant(client, number, bearer(make_token(app, "agency", agency_code="ys-psb"))) == MASKED


def test_an_agency_system_whose_task_was_cancelled_sees_the_applicant_masked(app, client, number):
    in_own_system(app, "cs-psb")
    assert applicant(client, number, bearer(make_token(app, "agency", agency_code="cs-psb"))) == MASKED


def test_a_window_system_sees_the_applicant_masked_even_at_the_receiving_window(app, client, number):
    assert applicant(client, number, bearer(make_token(app, "window", county="changshan"))) == MASKED
    assert applicant(client, number, bearer(make_token(app, "window", county="yushan"))) == MASKED


def test_a_window_system_filing_a_walk_in_gets_the_applicant_back_masked(app, client):
    body = walk_in_body(app)
    response = client.post("/api/v1/cases", headers=bearer(make_token(app, "window", county="changshan")), json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    person = body["applicant"]
    assert response.get_json()["applicant"] == {
        "name": mask_name(person["name"]),
        "id_number": mask_id_number(person["id_number"]),
        "mobile": mask_mobile(person["mobile"]),
    }


def test_an_officer_whose_agency_has_a_task_on_the_case_sees_the_name_and_masked_numbers(app, client, number):
    assert applicant(client, number, staff_token(app, "officer", agency_code="ys-psb")) == NAME_ONLY


def test_an_officer_whose_agencys_task_was_cancelled_sees_the_applicant_masked(app, client, number):
    assert applicant(client, number, staff_token(app, "officer", agency_code="cs-psb")) == MASKED


def test_a_clerk_of_the_receiving_window_sees_the_name_and_masked_numbers(app, client, number):
    assert applicant(client, number, staff_token(app, "clerk", window_county=County.changshan)) == NAME_ONLY


def test_a_clerk_of_the_other_window_sees_the_applicant_masked(app, client, number):
    assert applicant(client, number, staff_token(app, "clerk", window_county=County.yushan)) == MASKED


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_the_applicant_masked(app, client, number, role):
    assert applicant(client, number, staff_token(app, role)) == MASKED


def test_a_staff_session_without_a_token_sees_nothing_of_the_api(client, login_as, number):
    login_as("supervisor")
    assert client.get(f"/api/v1/cases/{number}").status_code == 401
