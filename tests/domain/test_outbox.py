"""Task messages for agencies that work in their own system: written with
the change, saying what the partner needs; the delivery mode and what a
switch does to open tasks; the agency's system as an actor."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain import DomainError, DomainErrors
from portal.domain.clock import WorkCalendar
from portal.domain.intake import withdraw_case
from portal.domain.lifecycle import task_actions
from portal.domain.outbox import SWITCHED_TO_PORTAL, retry_dead, retry_message, set_delivery_mode
from portal.domain.workflow import (
    claim_task,
    complete_task,
    release_task,
    suspend_task,
    transfer_task,
)
from portal.models import Agency, CaseFile, Event, OutboxMessage
from portal.models.enums import Channel, DeliveryMode, OutboxStatus, TaskStatus
from tests.factories import create_user, now
from tests.partners import AGENCY, SECRET, partner_messages, routed_case, switch_to_http

URL = "https://hrss.yushan.test/tasks"


def agency(session, code=AGENCY):
    return session.scalar(select(Agency).where(Agency.code == code))


def test_a_task_routed_to_an_agency_in_http_mode_is_written_to_the_outbox_with_everything_it_needs(session):
    switch_to_http(session, URL)
    case = routed_case(session, applicant_name="张三", form_data={"employer_name": "玉山县某公司"})
    session.add(CaseFile(case=case, material_code="id-card", filename="身份证.pdf", stored_name="x" * 32,
                         content_type="application/pdf", size=77, sha256="a" * 64, uploaded_at=now()))
    session.flush()
    (task,) = case.tasks
    set_delivery_mode(session, agency(session), "portal", "", "", 10, None, now())
    set_delivery_mode(session, agency(session), "http", URL, SECRET, 10, None, now())  # pushed again, with the file
    message = partner_messages(session)[-1]
    assert (message.topic, message.status, message.attempts) == ("task.created", OutboxStatus.pending, 0)
    assert message.task_id == task.id and message.case_id == case.id and message.agency.code == AGENCY
    body = message.payload
    assert body["message_id"] == message.id and body["agency"] == AGENCY
    assert body["task"]["id"] == task.id and body["task"]["status"] == "open"
    assert body["task"]["due_at"].endswith("+08:00") and body["task"]["action"]["zh_CN"]
    assert body["case"]["number"] == case.number
    assert body["case"]["service"]["code"] == "hrss-employment" and body["case"]["service"]["name"]["zh_CN"]
    assert body["case"]["applicant"]["name"] == "张三"
    assert body["case"]["applicant"]["id_number"] == case.applicant_id_number
    assert body["case"]["applicant"]["mobile"] == case.applicant_mobile
    assert body["case"]["form"] == {"employer_name": "玉山县某公司"}
    assert {m["code"] for m in body["case"]["materials"]} == {m["code"] for m in case.service.materials}
    (id_card,) = [m for m in body["case"]["materials"] if m["code"] == "id-card"]
    assert id_card["file"]["filename"] == "身份证.pdf" and id_card["file"]["sha256"] == "a" * 64
    assert body["callback"]["path"] == "/api/v1/partner/events"


def test_agencies_working_in_the_portal_get_no_task_messages(session):
    case = routed_case(session)
    assert case.tasks and partner_messages(session) == []


def test_a_message_is_written_in_the_transaction_of_the_change_and_rolls_back_with_it(session):
    switch_to_http(session, URL)
    case = routed_case(session)
    (task,) = case.tasks
    officer = create_user(session, "officer", agency_code=AGENCY)
    session.commit()
    claim_task(session, task, officer, now())
    assert len(partner_messages(session)) == 2
    session.rollback()
    assert [m.topic for m in partner_messages(session)] == ["task.created"]


def test_each_move_by_the_portal_is_sent_as_an_update_and_the_end_as_a_cancellation(session):
    switch_to_http(session, URL)
    case = routed_case(session, channel=Channel.counter)
    (task,) = case.tasks
    officer = create_user(session, "officer", agency_code=AGENCY)
    claim_task(session, task, officer, now())
    release_task(session, task, officer, now())
    clerk = create_user(session, "clerk", window_county=case.receiving_county)
    withdraw_case(session, case, clerk, now(), "申请人撤回")
    session.commit()
    messages = partner_messages(session, task_id=task.id)
    assert [m.topic for m in messages] == ["task.created", "task.updated", "task.updated", "task.cancelled"]
    assert [m.payload["change"]["action"] for m in messages[1:]] == ["claim", "release", "cancel"]
    assert messages[-1].payload["change"]["to"] == "cancelled"
    # An update says what changed, not the applicant's personal data again.
    assert "applicant" not in messages[1].payload["case"]


def test_a_transfer_cancels_at_the_old_agency_and_creates_at_the_new_one(session):
    switch_to_http(session, URL)
    switch_to_http(session, "https://hrss.changshan.test/tasks", code="cs-hrss")
    case = routed_case(session)
    (task,) = case.tasks
    supervisor = create_user(session, "supervisor")
    # A moment after the routing: the messages' order is their creation time.
    moved = transfer_task(session, task, supervisor, now() + timedelta(minutes=5), "cs-hrss", "申请人实际居住在常山")
    session.commit()
    assert [m.topic for m in partner_messages(session, task_id=task.id)] == ["task.created", "task.cancelled"]
    assert [m.topic for m in partner_messages(session, task_id=moved.id)] == ["task.created"]
    assert partner_messages(session, task_id=moved.id)[0].agency.code == "cs-hrss"


def test_the_agencys_system_acts_on_its_tasks_only_in_http_mode(session):
    case = routed_case(session)
    (task,) = case.tasks
    assert task_actions(task, None) == {"cancel"}  # the system only ever cancelled
    with pytest.raises(DomainError):
        claim_task(session, task, None, now())
    switch_to_http(session, URL)
    assert task_actions(task, None) == {"claim", "cancel"}
    claim_task(session, task, None, now())
    assert task.status is TaskStatus.claimed and task.assignee_id is None
    complete_task(session, task, None, now(), WorkCalendar.load(session), "已办结", "YS-2026-1")
    session.commit()
    assert task.status is TaskStatus.completed and task.result["number"] == "YS-2026-1"
    event = session.scalar(select(Event).where(Event.task_id == task.id, Event.action == "task_complete"))
    assert event.actor_role == "system"
    # What the system reported itself is not echoed back to it.
    assert [m.topic for m in partner_messages(session, task_id=task.id)] == ["task.created"]


def test_after_a_switch_back_any_officer_of_the_agency_works_a_task_the_system_had_claimed(session):
    switch_to_http(session, URL)
    case = routed_case(session)
    (task,) = case.tasks
    claim_task(session, task, None, now())
    set_delivery_mode(session, agency(session), "portal", URL, SECRET, 5, None, now())
    officer = create_user(session, "officer", agency_code=AGENCY)
    other_agency = create_user(session, "officer", agency_code="cs-hrss")
    assert {"complete", "suspend", "release"} <= task_actions(task, officer)
    assert task_actions(task, other_agency) == set()
    assert task_actions(task, None) == {"cancel"}
    suspend_task(session, task, officer, now(), "现场核查", 3)
    assert task.status is TaskStatus.suspended


def test_switching_to_http_sends_every_open_task_so_none_is_stranded(session):
    first, second = routed_case(session), routed_case(session)
    officer = create_user(session, "officer", agency_code=AGENCY)
    claim_task(session, second.tasks[0], officer, now())
    done = routed_case(session)
    claim_task(session, done.tasks[0], officer, now())
    complete_task(session, done.tasks[0], officer, now(), WorkCalendar.load(session), "同意")
    change = set_delivery_mode(session, agency(session), "http", URL, SECRET, 10, None, now())
    session.commit()
    assert change.enqueued == 2
    created = partner_messages(session, topic="task.created")
    assert {m.task_id for m in created} == {first.tasks[0].id, second.tasks[0].id}
    assert {m.payload["task"]["status"] for m in created} == {"open", "claimed"}


def test_switching_back_to_the_portal_abandons_undelivered_messages_and_records_who_did_it(session):
    switch_to_http(session, URL)
    routed_case(session)
    admin = create_user(session, "admin")
    change = set_delivery_mode(session, agency(session), "portal", "", "", 10, admin, now())
    session.commit()
    assert change.abandoned == 1
    (message,) = partner_messages(session)
    assert message.status is OutboxStatus.dead and message.last_error == SWITCHED_TO_PORTAL
    assert agency(session).delivery_mode is DeliveryMode.portal
    audit = session.scalars(select(Event).where(Event.action == "agency_delivery_changed").order_by(Event.id)).all()
    assert [(e.from_status, e.to_status) for e in audit] == [("portal", "http"), ("http", "portal")]
    assert audit[-1].actor_id == admin.id and audit[-1].case_id is None
    assert SECRET not in str(audit[0].data) and audit[0].data["secret_changed"] is True
    with pytest.raises(DomainError) as refused:
        retry_message(session, message.id, admin, now())
    assert refused.value.field == "message" and "HTTP" in str(refused.value.message)
    assert message.status is OutboxStatus.dead


@pytest.mark.parametrize(
    "mode, url, secret, timeout, fields",
    [
        ("http", "", "", 10, {"endpoint_url", "signing_secret"}),
        ("http", "ftp://hrss.test/x", "short", 10, {"endpoint_url", "signing_secret"}),
        ("http", "https://hrss.test/tasks", SECRET, 0, {"timeout_seconds"}),
        ("http", "https://hrss.test/tasks", SECRET, "61", {"timeout_seconds"}),
        ("http", "hrss.test/tasks", SECRET, "ten", {"endpoint_url", "timeout_seconds"}),
        ("fax", "", "", 10, {"delivery_mode"}),
    ],
)
def test_a_wrong_setting_is_refused_field_by_field_and_nothing_changes(session, mode, url, secret, timeout, fields):
    with pytest.raises(DomainError) as refused:
        set_delivery_mode(session, agency(session), mode, url, secret, timeout, None, now())
    errors = refused.value.errors if isinstance(refused.value, DomainErrors) else [refused.value]
    assert {e.field for e in errors} == fields
    session.rollback()
    assert agency(session).delivery_mode is DeliveryMode.portal


def test_an_admin_retry_resets_the_attempts_and_sends_at_once(session):
    switch_to_http(session, URL)
    routed_case(session)
    (message,) = partner_messages(session)
    message.status, message.attempts, message.last_error = OutboxStatus.dead, 8, "HTTP 400: bad"
    message.next_attempt_at = now() - timedelta(days=1)
    admin = create_user(session, "admin")
    later = now()
    assert retry_dead(session, admin, later) == 1
    session.commit()
    (message,) = partner_messages(session)
    assert (message.status, message.attempts, message.next_attempt_at) == (OutboxStatus.pending, 0, later)
    assert message.last_error == "HTTP 400: bad"  # kept until the next attempt says otherwise
    event = session.scalar(select(Event).where(Event.action == "outbox_retried"))
    assert event.data["messages"][0]["attempts"] == 8 and event.actor_id == admin.id


def test_applicants_get_a_text_for_each_step_that_concerns_them_with_or_without_an_account(session):
    case = routed_case(session)  # a walk-in applicant without an account
    assert case.applicant_user_id is None
    texts = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    assert [(m.topic, m.payload["action"], m.payload["mobile"]) for m in texts] == [
        ("sms", "accept", case.applicant_mobile)
    ]
