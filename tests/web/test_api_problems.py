"""The API's problem details (the JSON error bodies of /api/v1 and of the
partner callbacks) are in English, whatever the request's language, and
never name a member of staff: they say where a task stands, not who holds it."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.clock import WorkCalendar
from portal.domain.signing import SIGNATURE_HEADER, sign
from portal.domain.workflow import act_on_task
from portal.models import Agency, Task, User
from portal.models.enums import DeliveryMode, TaskStatus
from tests import factories
from tests.api_data import bearer, make_token, walk_in_body
from tests.partners import AGENCY, SECRET, routed_case, switch_to_http

CJK = re.compile(r"[\u3400-\u9fff]")
OFFICER_NAME, OFFICER_LOGIN = "钱多多", "qian.duoduo"


def claimed_by_a_named_officer(app, agency_code: str = "ys-psb") -> int:
    """An open task of the agency, claimed by 钱多多 (qian.duoduo)."""
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", hukou_county="yushan")
        task = factories.create_task(db.session, case, agency_code)
        officer = factories.create_user(
            db.session, "officer", agency_code=agency_code, real_name=OFFICER_NAME, username=OFFICER_LOGIN
        )
        act_on_task(db.session, task, "claim", officer, factories.now(), WorkCalendar.load(db.session))
        db.session.commit()
        return task.id


def staff_headers(app, role: str, **fields) -> dict:
    with app.app_context():
        user = factories.create_user(db.session, role, **fields)
        db.session.commit()
        user_id = user.id
    return bearer(make_token(app, "staff", user_id=user_id))


def problem_of(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == f"/api/v1/problems/{kind}"
    return body


def assert_english_and_names_no_one(body: dict) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert OFFICER_NAME not in text and OFFICER_LOGIN not in text, text
    details = [body["title"], body["detail"]] + [e["detail"] for e in body.get("errors", [])]
    assert not any(CJK.search(d) for d in details), details


@pytest.mark.parametrize("action", ["claim", "complete", "release"])
def test_another_officers_token_is_told_where_the_task_stands_not_who_holds_it(app, client, action):
    task_id = claimed_by_a_named_officer(app)
    headers = staff_headers(app, "officer", agency_code="ys-psb")
    request = {"action": action, "note": "同意"} if action == "complete" else {"action": action}
    body = problem_of(client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers, json=request), 409, "not-allowed-now")
    assert body["task_status"] == "claimed"
    assert_english_and_names_no_one(body)


def test_an_agency_systems_token_cannot_complete_a_task_its_officer_claimed(app, client):
    task_id = claimed_by_a_named_officer(app)
    with app.app_context():
        db.session.scalar(select(Agency).where(Agency.code == "ys-psb")).delivery_mode = DeliveryMode.http
        db.session.commit()
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    for body in ({"action": "complete", "note": "同意"}, {"action": "claim"}, {"action": "refuse", "note": "不符合"}):
        problem = problem_of(client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers, json=body), 409, "not-allowed-now")
        assert problem["task_status"] == "claimed"
        assert_english_and_names_no_one(problem)
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()["allowed_actions"] == []
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.status is TaskStatus.claimed and db.session.get(User, task.assignee_id).real_name == OFFICER_NAME


def signed(raw: bytes) -> dict:
    return {SIGNATURE_HEADER: sign(SECRET, raw, factories.wall_clock()), "Content-Type": "application/json"}


def test_every_kind_of_api_problem_is_in_english_for_a_chinese_speaking_request(app, client):
    window = bearer(make_token(app, "window", county="changshan"))
    officer = staff_headers(app, "officer", agency_code="ys-psb")
    task_id = claimed_by_a_named_officer(app)
    with app.app_context():
        switch_to_http(db.session, "https://hrss.yushan.test/tasks")
        partner_task = routed_case(db.session).tasks[0].id
    with client.session_transaction() as session:
        session["locale"] = "zh_CN"
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    bad_applicant = walk_in_body(app, applicant={"name": "赵六", "id_number": "330822199001011230", "mobile": "12345"})
    early = json.dumps({"event_id": "e1", "agency": AGENCY, "task_id": partner_task, "action": "completed"}).encode()
    elsewhere = json.dumps({"event_id": "e2", "agency": AGENCY, "task_id": task_id, "action": "accepted"}).encode()
    malformed = json.dumps({"event_id": "e3", "agency": AGENCY, "task_id": partner_task, "action": "suspended"}).encode()
    answers = {
        401: [client.get("/api/v1/cases", headers=zh), client.post("/api/v1/partner/events", data=early, headers=zh)],
        403: [client.get("/api/v1/tasks", headers={**zh, **window})],
        404: [
            client.get("/api/v1/cases/KSCS0", headers={**zh, **window}),
            client.get("/api/v1/nowhere", headers=zh),
            client.post("/api/v1/partner/events", data=elsewhere, headers={**zh, **signed(elsewhere)}),
        ],
        405: [client.delete("/api/v1/services", headers=zh)],
        409: [
            client.post(f"/api/v1/tasks/{task_id}/actions", headers={**zh, **officer}, json={"action": "claim"}),
            client.post("/api/v1/partner/events", data=early, headers={**zh, **signed(early)}),
        ],
        422: [
            client.post("/api/v1/cases", headers={**zh, **window}, json=bad_applicant),
            client.get("/api/v1/cases?status=bogus", headers={**zh, **window}),
            client.post(f"/api/v1/tasks/{task_id}/actions", headers={**zh, **officer}, json={"action": "refuse"}),
            client.post("/api/v1/partner/events", data=malformed, headers={**zh, **signed(malformed)}),
        ],
    }
    for status, responses in answers.items():
        for response in responses:
            assert response.status_code == status, (status, response.get_data(as_text=True))
            assert response.content_type == "application/problem+json"
            assert_english_and_names_no_one(response.get_json())
