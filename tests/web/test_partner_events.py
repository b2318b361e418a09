"""POST /api/v1/partner/events: an agency's own system reports back. What
the partner sees in the answer, and what the applicant and staff see in
the portal afterwards."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.clock import WorkCalendar
from portal.domain.signing import SIGNATURE_HEADER, sign
from portal.domain.workflow import act_on_task
from portal.models import CaseStatus, Event, Message, OutboxMessage, PartnerEvent, Task, User
from portal.models.enums import NoticeKind, TaskStatus
from tests.factories import create_user, now, wall_clock
from tests.partners import AGENCY, SECRET, routed_case, switch_to_http

URL = "/api/v1/partner/events"
ENDPOINT = "https://hrss.yushan.test/tasks"


@pytest.fixture
def task_id(app):
    """A task of ys-hrss (in http mode) for an applicant with an account."""
    with app.app_context():
        switch_to_http(db.session, ENDPOINT)
        applicant = create_user(db.session, "resident")
        case = routed_case(db.session, applicant=applicant)
        return case.tasks[0].id


def post_event(client, event: dict, secret: str = SECRET, at=None, header: str | None = None):
    """Signed at the real time by default: the view checks the signature's
    freshness against its own clock."""
    body = json.dumps(event, ensure_ascii=False).encode()
    signature = header if header is not None else sign(secret, body, at or wall_clock())
    return client.post(URL, data=body, headers={SIGNATURE_HEADER: signature, "Content-Type": "application/json"})


def event(task_id, action="accepted", event_id=None, **extra):
    return {"event_id": event_id or f"evt-{action}-{task_id}", "agency": AGENCY, "task_id": task_id, "action": action, **extra}


def the_task(app, task_id) -> Task:
    with app.app_context():
        task = db.session.get(Task, task_id)
        db.session.expunge_all()
        return task


def test_accepted_claims_the_task_for_the_agencys_system(app, client, task_id):
    response = post_event(client, event(task_id))
    assert response.status_code == 200 and response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["status"] == "applied"
    assert body["task"]["id"] == task_id and body["task"]["status"] == "claimed" and body["task"]["agency"] == AGENCY
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.status is TaskStatus.claimed and task.assignee_id is None
        claim = db.session.scalar(select(Event).where(Event.task_id == task_id, Event.action == "task_claim"))
        assert claim.actor_role == "system"
        stored = db.session.scalar(select(PartnerEvent))
        assert (stored.event_id, stored.action, stored.outcome, stored.task_id) == (
            f"evt-accepted-{task_id}",
            "accepted",
            "applied",
            task_id,
        )


def test_completed_closes_the_case_as_if_an_officer_had_completed_it(app, client, task_id):
    post_event(client, event(task_id))
    response = post_event(client, event(task_id, "completed", note="材料齐全，同意登记", result={"number": "YSJY-2026-0001"}))
    assert response.status_code == 200
    assert response.get_json()["task"]["result"] == {"number": "YSJY-2026-0001"}
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.status is TaskStatus.completed and task.opinion == "材料齐全，同意登记"
        # 就业失业登记 is fully online: decided and delivered electronically at once.
        assert (task.case.outcome, task.case.status) == ("completed", CaseStatus.delivered)
        assert task.case.turnaround_workdays is not None
        told = db.session.scalars(select(Message).where(Message.case_id == task.case_id)).all()
        assert "complete" in {m.event.action for m in told}
        texts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms", OutboxMessage.case_id == task.case_id))
        assert [m.payload["action"] for m in texts] == ["accept", "complete"]


def test_a_completion_without_a_note_keeps_a_default_opinion(app, client, task_id):
    post_event(client, event(task_id))
    assert post_event(client, event(task_id, "completed")).status_code == 200
    assert the_task(app, task_id).opinion


def test_a_repeated_event_is_answered_as_a_duplicate_and_applied_once(app, client, task_id):
    first = post_event(client, event(task_id))
    again = post_event(client, event(task_id))
    assert first.get_json()["status"] == "applied"
    assert again.status_code == 200 and again.get_json() == {"status": "duplicate"}
    with app.app_context():
        claims = db.session.scalars(select(Event).where(Event.task_id == task_id, Event.action == "task_claim")).all()
        assert len(claims) == 1


def test_suspended_and_resumed_stop_and_restart_the_case_clock(app, client, task_id):
    post_event(client, event(task_id))
    response = post_event(client, event(task_id, "suspended", note="需现场核查用工情况", expected_workdays=5))
    assert response.status_code == 200
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.case.status is CaseStatus.suspended and task.case.suspensions[-1].ended_at is None
    assert post_event(client, event(task_id, "resumed")).status_code == 200
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.status is TaskStatus.claimed and task.case.status is CaseStatus.in_progress
        assert task.case.suspensions[-1].ended_at is not None


def test_refused_refuses_the_case_with_the_partners_reason(app, client, task_id):
    post_event(client, event(task_id))
    assert post_event(client, event(task_id, "refused", note="不符合就业登记条件")).status_code == 200
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.case.outcome, task.case.status) == ("refused", CaseStatus.delivered)
        assert [n.reason for n in task.case.notices if n.kind is NoticeKind.decision_refusal] == ["不符合就业登记条件"]


def problem_of(response, status, kind):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == f"/api/v1/problems/{kind}" and body["status"] == status
    return body


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "stale timestamp", "future timestamp", "no header", "garbled header", "body changed"],
)
def test_a_callback_not_signed_by_the_agencys_system_is_refused_and_changes_nothing(app, client, task_id, how):
    report = event(task_id)
    if how == "wrong secret":
        response = post_event(client, report, secret="someone-elses-secret-123")
    elif how == "stale timestamp":
        response = post_event(client, report, at=wall_clock() - timedelta(minutes=6))
    elif how == "future timestamp":
        response = post_event(client, report, at=wall_clock() + timedelta(minutes=6))
    elif how == "no header":
        response = post_event(client, report, header="")
    elif how == "garbled header":
        response = post_event(client, report, header="t=abc,v1=")
    else:
        signed = sign(SECRET, json.dumps(report).encode(), wall_clock())
        response = post_event(client, {**report, "task_id": task_id}, header=signed.replace("v1=", "v1=0"))
    problem_of(response, 401, "bad-signature")
    assert the_task(app, task_id).status is TaskStatus.open
    with app.app_context():
        assert db.session.scalar(select(PartnerEvent)) is None


def test_an_unknown_agency_or_one_working_in_the_portal_is_refused(app, client, task_id):
    problem_of(post_event(client, {**event(task_id), "agency": "xx-none"}), 401, "bad-signature")
    problem_of(post_event(client, {**event(task_id), "agency": "cs-psb"}), 401, "bad-signature")
    assert the_task(app, task_id).status is TaskStatus.open


def test_a_callback_for_another_agencys_task_is_not_found_and_changes_nothing(app, client, task_id):
    with app.app_context():
        switch_to_http(db.session, "https://hrss.changshan.test/tasks", code="cs-hrss", secret="changshan-secret-0001")
    report = {**event(task_id), "agency": "cs-hrss"}
    problem_of(post_event(client, report, secret="changshan-secret-0001"), 404, "task-not-found")
    problem_of(post_event(client, event(task_id + 1000)), 404, "task-not-found")
    assert the_task(app, task_id).status is TaskStatus.open


def test_an_action_the_task_is_not_ready_for_is_a_conflict_and_may_be_sent_again_later(app, client, task_id):
    early = event(task_id, "completed", event_id="evt-done")
    body = problem_of(post_event(client, early), 409, "not-allowed-now")
    assert body["detail"]
    with app.app_context():
        assert db.session.scalar(select(PartnerEvent)).outcome.startswith("not-allowed-now")
    post_event(client, event(task_id))
    assert post_event(client, early).get_json()["status"] == "applied"
    assert the_task(app, task_id).status is TaskStatus.completed


@pytest.mark.parametrize(
    "change, field",
    [
        ({"action": "approved"}, "action"),
        ({"action": "suspended", "expected_workdays": 5}, "note"),
        ({"action": "suspended", "note": "核查"}, "expected_workdays"),
        ({"action": "suspended", "note": "核查", "expected_workdays": 61}, "expected_workdays"),
        ({"action": "suspended", "note": "核查", "expected_workdays": True}, "expected_workdays"),
        ({"action": "refused", "note": "  "}, "note"),
        ({"action": "refused", "note": "理" * 1001}, "note"),
        ({"action": "refused", "note": "不符合\u202e条件"}, "note"),
        ({"action": "completed", "note": "同意\u200b"}, "note"),
        ({"event_id": ""}, "event_id"),
        ({"event_id": "e" * 101}, "event_id"),
        ({"task_id": "12"}, "task_id"),
        ({"task_id": 2**63}, "task_id"),
        ({"result": {"number": 12}}, "result"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-11-28T10:00:00"}, "occurred_at"),
        ({"agency": None}, "agency"),
    ],
)
def test_a_malformed_event_names_the_field_at_fault(app, client, task_id, change, field):
    body = problem_of(post_event(client, {**event(task_id), **change}), 422, "invalid-event")
    assert body["field"] == field
    assert the_task(app, task_id).status is TaskStatus.open


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'"text"', b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_refused_without_an_error_page(client, task_id, raw):
    response = client.post(URL, data=raw, headers={SIGNATURE_HEADER: sign(SECRET, raw, wall_clock())})
    assert response.status_code == 422 and response.get_json()["type"] == "/api/v1/problems/invalid-event"


def test_the_callback_needs_no_csrf_token_and_only_takes_post(client, task_id):
    assert client.get(URL).status_code == 405
    assert post_event(client, event(task_id)).status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"event_id": "evt-\u0000-1"},
        {"action": "refused", "note": "不符合条件\u0000"},
        {"action": "completed", "result": {"number": "证\u00001"}},
        {"agency": "ys-hrss\u0000"},
    ],
)
def test_a_nul_character_in_a_callback_is_refused_and_nothing_is_stored(app, client, task_id, extra):
    response = post_event(client, {**event(task_id, event_id="evt-nul"), **extra})
    assert response.status_code in (401, 422) and response.status_code != 500
    with app.app_context():
        stored = db.session.scalars(select(PartnerEvent)).all()
        assert all("\x00" not in f"{e.event_id}{e.action}{e.outcome}" for e in stored)
        assert the_task(app, task_id).status is TaskStatus.open


OFFICER_NAME, OFFICER_LOGIN = "钱多多", "qian.duoduo"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def officer_claimed(app, task_id):
    """The task claimed in the portal by a named officer of the agency."""
    with app.app_context():
        officer = create_user(db.session, "officer", agency_code=AGENCY, real_name=OFFICER_NAME, username=OFFICER_LOGIN)
        act_on_task(db.session, db.session.get(Task, task_id), "claim", officer, now(), WorkCalendar.load(db.session))
        db.session.commit()
        return task_id, officer.id


def assert_names_no_one_in_english(body: dict) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert OFFICER_NAME not in text and OFFICER_LOGIN not in text
    assert not CJK.search(body["detail"]) and not CJK.search(body["title"]), body


@pytest.mark.parametrize("action, extra", [("completed", {}), ("refused", {"note": "不符合条件"}), ("accepted", {})])
def test_a_partner_cannot_act_on_a_task_a_named_officer_claimed(app, client, officer_claimed, action, extra):
    task_id, officer_id = officer_claimed
    response = post_event(client, event(task_id, action, **extra))
    body = problem_of(response, 409, "not-allowed-now")
    assert_names_no_one_in_english(body)
    assert "officer" in body["detail"] and "release" in body["detail"]
    task = the_task(app, task_id)
    assert (task.status, task.assignee_id) == (TaskStatus.claimed, officer_id)
    with app.app_context():
        assert db.session.scalar(select(PartnerEvent)).outcome.startswith("not-allowed-now: An officer")


def test_a_partners_conflict_is_in_english_even_for_a_chinese_speaking_request(app, client, task_id):
    with client.session_transaction() as session:
        session["locale"] = "zh_CN"
    body = json.dumps(event(task_id, "completed"), ensure_ascii=False).encode()
    headers = {SIGNATURE_HEADER: sign(SECRET, body, wall_clock()), "Content-Type": "application/json"}
    response = client.post(URL, data=body, headers={**headers, "Accept-Language": "zh-CN,zh;q=0.9"})
    problem = problem_of(response, 409, "not-allowed-now")
    assert problem["detail"] == "The task is open; it does not take completed now."


def test_once_the_officer_releases_it_the_partner_accepts_and_completes_the_task(app, client, officer_claimed):
    task_id, officer_id = officer_claimed
    with app.app_context():
        officer = db.session.get(User, officer_id)
        act_on_task(db.session, db.session.get(Task, task_id), "release", officer, now(), WorkCalendar.load(db.session))
        db.session.commit()
    assert post_event(client, event(task_id, "accepted")).get_json()["status"] == "applied"
    assert post_event(client, event(task_id, "completed")).get_json()["status"] == "applied"
    assert the_task(app, task_id).status is TaskStatus.completed
