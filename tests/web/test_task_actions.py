"""Task actions reach the workflow through one entry point, whoever takes
them — an officer's button, a token on the JSON API, an agency system's
callback — and meet the same limits everywhere."""

import json
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain import DomainError
from portal.domain.limits import RESULT_NUMBER_MAX, SUSPENSION_WORKDAYS_MAX, TASK_NOTE_MAX
from portal.domain.partner_events import CallbackRefused, parse_report
from portal.models import Case, Event, Task
from portal.models.enums import TaskStatus
from tests import factories
from tests.api_data import bearer, make_token
from tests.factories import valid_id_number
from tests.pages import parse, text_of
from tests.uploads import PDF, upload
from tests.web.test_agency import accepted_case, act, officer_client, task_id
from tests.web.test_apply import application_data, post_form
from tests.web.test_intake import sign_in_as_clerk


def claimed_task(app, officer="陈静"):
    """A psb-no-record case accepted at the window, its ys-psb task claimed."""
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=factories.now(), due_at=factories.now())
        task = factories.create_task(db.session, case, "ys-psb")
        db.session.commit()
        return task.id


def test_the_timeline_says_which_agency_each_task_was_sent_to_and_in_which_stage(app, client, login_as):
    number = accepted_case(app, client, login_as)
    with app.app_context():
        created = db.session.scalars(
            select(Event).join(Case, Case.id == Event.case_id).where(Case.number == number, Event.action == "task_created")
        ).all()
        assert [e.data["agency"] for e in created] == ["ys-psb"]
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    timeline = text_of(clerk.page(f"/cases/{number}"), ".timeline")
    assert "已分送承办部门" in timeline and "玉山县公安局" in timeline
    # The applicant's timeline keeps to the case's own steps.
    assert "已分送承办部门" not in text_of(client.page(f"/cases/{number}"), ".timeline")


def test_a_special_procedure_longer_than_the_limit_is_refused_on_the_officers_page(app, client, login_as):
    number = accepted_case(app, client, login_as)
    officer = officer_client(app)
    tid = task_id(app, number)
    act(officer, tid, "claim")
    response = act(officer, tid, "suspend", {"procedure": "现场核查", "expected_workdays": str(SUSPENSION_WORKDAYS_MAX + 1)})
    assert response.status_code == 400
    error = parse(response.get_data(as_text=True)).select_one("#expected_workdays-error").get_text()
    assert f"1至{SUSPENSION_WORKDAYS_MAX}" in error
    assert act(officer, tid, "suspend", {"procedure": "现场核查", "expected_workdays": str(SUSPENSION_WORKDAYS_MAX)}).status_code == 302
    with app.app_context():
        assert db.session.get(Task, tid).status is TaskStatus.suspended


def test_the_api_and_the_domain_refuse_the_same_special_procedure_lengths(app, client):
    tid = claimed_task(app)
    with app.app_context():
        officer = factories.create_user(db.session, "officer", agency_code="ys-psb")
        db.session.commit()
        officer_id = officer.id
    headers = bearer(make_token(app, "staff", user_id=officer_id))
    url = f"/api/v1/tasks/{tid}/actions"
    assert client.post(url, headers=headers, json={"action": "claim"}).status_code == 200
    suspend = {"action": "suspend", "note": "专家评审"}
    too_long = client.post(url, headers=headers, json={**suspend, "expected_workdays": SUSPENSION_WORKDAYS_MAX + 1})
    assert too_long.status_code == 422
    assert [e["pointer"] for e in too_long.get_json()["errors"]] == ["/expected_workdays"]
    assert client.post(url, headers=headers, json={**suspend, "expected_workdays": SUSPENSION_WORKDAYS_MAX}).status_code == 200
    with app.app_context():
        from portal.domain.workflow import suspend_task

        task = db.session.get(Task, tid)
        with pytest.raises(DomainError) as refused:
            suspend_task(db.session, task, task.assignee, factories.now(), "再次中止", SUSPENSION_WORKDAYS_MAX + 1)
        assert refused.value.field == "expected_workdays"


def test_a_partner_callback_meets_the_same_limits(app):
    base = {"event_id": "evt-1", "agency": "ys-hrss", "task_id": 1}
    with pytest.raises(CallbackRefused) as refused:
        parse_report({**base, "action": "suspended", "note": "听证", "expected_workdays": SUSPENSION_WORKDAYS_MAX + 1})
    assert refused.value.field == "expected_workdays"
    with pytest.raises(CallbackRefused) as refused:
        parse_report({**base, "action": "refused", "note": "x" * (TASK_NOTE_MAX + 1)})
    assert refused.value.field == "note"
    with pytest.raises(CallbackRefused) as refused:
        parse_report({**base, "action": "completed", "result": {"number": "x" * (RESULT_NUMBER_MAX + 1)}})
    assert refused.value.field == "result"
    longest = parse_report({**base, "action": "suspended", "note": "听证", "expected_workdays": SUSPENSION_WORKDAYS_MAX})
    assert longest.expected_workdays == SUSPENSION_WORKDAYS_MAX


def test_the_openapi_document_states_the_limits_the_domain_enforces(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = json.dumps(document)
    assert f'"maximum": {SUSPENSION_WORKDAYS_MAX}' in text and f'"maxLength": {TASK_NOTE_MAX}' in text


def test_a_result_document_of_an_action_that_fails_is_not_kept(app, client, login_as):
    number = accepted_case(app, client, login_as)
    tid = task_id(app, number)
    first, second = officer_client(app, name="陈静"), officer_client(app, name="周敏")
    act(first, tid, "claim")
    folder = Path(app.config["PORTAL_UPLOAD_FOLDER"])
    before = {f for f in folder.rglob("*") if f.is_file()}
    page = second.page(f"/agency/tasks/{tid}")
    csrf = page.select_one("input[name=csrf_token]")["value"]
    response = second.post(
        f"/agency/tasks/{tid}/complete",
        data={"csrf_token": csrf, "opinion": "经核查无犯罪记录", "result_file": upload(PDF, "决定书.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "无权" in second.page(f"/agency/tasks/{tid}").select_one("[role=alert]").get_text()
    assert {f for f in folder.rglob("*") if f.is_file()} == before
    with app.app_context():
        assert db.session.get(Task, tid).status is TaskStatus.claimed


def test_a_walk_in_filed_after_midnight_in_shanghai_uses_the_shanghai_date(app, client):
    """17:30 UTC on 1 December is 01:30 on 2 December in Shanghai: a baby
    born on 2 December has an ID number whose birth date is today, not in
    the future. The clerk signs in at that moment too: a session signed
    in at another time could have ended by then."""
    with mock.patch("portal.web.clock.wall_clock", return_value=datetime(2026, 12, 1, 17, 30, tzinfo=UTC)):
        sign_in_as_clerk(app, client)
        born_today = valid_id_number(birth="20261202")
        data = application_data(
            app, applicant_id_number=born_today, applicant_name="王小宝", applicant_mobile="13611112222", identity_checked="y"
        )
        response, _token = post_form(client, data)
    page = parse(response.get_data(as_text=True))
    assert page.select_one("#applicant_id_number-error") is None, text_of(page, "#applicant_id_number-error")
    assert response.status_code == 302
