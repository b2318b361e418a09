"""收受分离: the window holds and posts a case's originals, the competent
agency confirms or reports what is missing, and the agency's task waits
for them unless the officer says why not."""

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.domain import DomainError
from portal.domain.alerts import alerts_for, sweep
from portal.domain.clock import WorkCalendar
from portal.domain.paper_files import (
    Dispatch,
    confirm_receipt,
    hold_originals,
    needs_originals,
    report_missing,
    send_originals,
    whereabouts,
)
from portal.domain.workflow import TaskRequest, act_on_task, claim_task
from portal.models import Event, PaperFile, SlaAlert
from portal.models.enums import PaperFileState, TaskStatus
from tests.factories import at, create_case, now
from tests.paper_data import ORIGINAL, walk_in_case

TODAY = date(2026, 11, 2)
NEVER_SENT = "The window has not sent any originals for this case."


def said(caught, msgid: str) -> bool:
    """The rule's message is this one (in whichever language the test runs)."""
    return str(caught.value.message) == str(_l(msgid))


@pytest.fixture
def walk_in(session):
    return walk_in_case(session)


def sent(session, case, clerk, carrier="ems", waybill="EA123456789CN", sent_on=TODAY, when=None):
    return send_originals(session, case, clerk, when or now(), WorkCalendar.load(session), Dispatch(carrier, waybill, sent_on), 3)


def paper_events(session, case):
    return session.scalars(
        select(Event.action).where(Event.case_id == case.id, Event.subject == "paper").order_by(Event.id)
    ).all()


def test_the_originals_go_from_the_window_to_the_agency_each_step_on_the_timeline(session, walk_in):
    case, clerk, officer = walk_in
    assert needs_originals(case) and whereabouts(case).state is None
    paper = hold_originals(session, case, clerk, now(), [ORIGINAL])
    assert paper.state is PaperFileState.held and paper.agency.code == "cs-psb"
    sent(session, case, clerk, waybill=" ea123456789cn ")
    assert (paper.state, paper.carrier, paper.waybill) == (PaperFileState.in_transit, "ems", "EA123456789CN")
    # Sent Monday: three working days, due at the end of Thursday.
    assert paper.transit_due_at.astimezone(at("2026-11-05").tzinfo).date() == date(2026, 11, 5)
    confirm_receipt(session, case, officer, now() + timedelta(days=1))
    session.commit()
    assert whereabouts(case).state is PaperFileState.received and paper.received_by is officer
    assert paper_events(session, case) == ["paper_held", "paper_sent", "paper_received"]


def test_an_online_application_or_a_local_case_sends_no_originals(session):
    online = create_case(session, "psb-no-record", receiving_county="yushan", hukou_county="changshan")
    walk_in, _, _ = walk_in_case(session, hukou_county="yushan")
    assert not needs_originals(online) and not needs_originals(walk_in)
    assert whereabouts(online) is None


@pytest.mark.parametrize(
    "carrier, waybill, field",
    [
        ("ems", "EA12345678CN", "waybill"),  # 12 characters
        ("ems", "", "waybill"),
        ("sf", "SF12345", "waybill"),
        ("sf", "1234567890123", "waybill"),
        ("jd", "SF1234567890123", "waybill"),
        ("pigeon", "EA123456789CN", "carrier"),
    ],
)
def test_a_waybill_in_the_wrong_form_is_refused_and_nothing_is_sent(session, walk_in, carrier, waybill, field):
    case, clerk, _ = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    session.commit()
    with pytest.raises(DomainError) as refused:
        sent(session, case, clerk, carrier=carrier, waybill=waybill)
    assert refused.value.field == field or field in [e.field for e in getattr(refused.value, "errors", [])]
    session.rollback()
    assert session.scalar(select(PaperFile.state)) is PaperFileState.held
    assert paper_events(session, case) == ["paper_held"]


@pytest.mark.parametrize(
    "carrier, waybill",
    [
        ("ems", "1234567890123"),
        ("sf", "SF123456789012"),
        ("jd", "JDVA12345678901"),
        ("confidential", "JY-2026-0012"),
        ("hand", ""),
    ],
)
def test_each_carriers_own_form_of_number_is_accepted(session, walk_in, carrier, waybill):
    case, clerk, _ = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    assert sent(session, case, clerk, carrier=carrier, waybill=waybill).state is PaperFileState.in_transit


def test_sending_before_holding_any_originals_is_refused(session, walk_in):
    case, clerk, _ = walk_in
    with pytest.raises(DomainError) as refused:
        sent(session, case, clerk)
    assert said(refused, "Record which originals the window holds before sending them.")
    assert refused.value.field == "items"
    assert session.scalar(select(func.count(PaperFile.id))) == 0


def test_a_send_date_in_the_future_is_refused(session, walk_in):
    case, clerk, _ = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    with pytest.raises(DomainError) as refused:
        sent(session, case, clerk, sent_on=TODAY + timedelta(days=1))
    assert said(refused, "The date sent cannot be in the future.")
    assert refused.value.field == "sent_on"


def test_holding_nothing_or_an_identity_card_is_refused(session, walk_in):
    case, clerk, _ = walk_in
    with pytest.raises(DomainError) as nothing:
        hold_originals(session, case, clerk, now(), [])
    with pytest.raises(DomainError) as card:
        hold_originals(session, case, clerk, now(), ["id-card"])
    assert nothing.value.field == card.value.field == "items"


def test_confirming_a_file_never_sent_or_twice_is_refused(session, walk_in):
    case, clerk, officer = walk_in
    with pytest.raises(DomainError) as never:
        confirm_receipt(session, case, officer, now())
    assert said(never, NEVER_SENT)
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    with pytest.raises(DomainError) as held:
        confirm_receipt(session, case, officer, now())
    assert said(held, NEVER_SENT)
    sent(session, case, clerk)
    confirm_receipt(session, case, officer, now())
    session.commit()
    with pytest.raises(DomainError) as twice:
        confirm_receipt(session, case, officer, now())
    assert said(twice, "Receipt of the originals was already confirmed.")
    assert never.value.field == twice.value.field == "receipt"
    assert paper_events(session, case) == ["paper_held", "paper_sent", "paper_received"]


def test_only_an_officer_of_the_competent_agency_confirms(session, walk_in):
    from tests.factories import create_user

    case, clerk, _ = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    sent(session, case, clerk)
    other = create_user(session, "officer", agency_code="ys-psb")
    with pytest.raises(DomainError) as refused:
        confirm_receipt(session, case, other, now())
    assert refused.value.field == "actor"


def test_missing_originals_go_back_to_the_window_which_sends_them_again(session, walk_in):
    case, clerk, officer = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    sent(session, case, clerk)
    with pytest.raises(DomainError):
        report_missing(session, case, officer, now(), [], "")
    paper = report_missing(session, case, officer, now(), [ORIGINAL], "包裹内无授权委托书")
    assert paper.state is PaperFileState.missing and paper.missing_note == "包裹内无授权委托书"
    sent(session, case, clerk, carrier="sf", waybill="SF1234567890123")
    assert paper.state is PaperFileState.in_transit and paper.missing_items == []
    assert paper_events(session, case) == ["paper_held", "paper_sent", "paper_missing", "paper_sent"]


def complete(session, task, officer, reason=""):
    return act_on_task(
        session,
        task,
        "complete",
        officer,
        now(),
        WorkCalendar.load(session),
        TaskRequest(note="符合条件", originals_reason=reason),
    )


def test_the_agencys_task_is_not_completed_before_the_originals_arrive(session, walk_in):
    case, clerk, officer = walk_in
    (task,) = case.tasks
    claim_task(session, task, officer, now())
    session.commit()
    with pytest.raises(DomainError) as refused:
        complete(session, task, officer)
    assert refused.value.field == "originals_reason"
    session.rollback()
    assert task.status is TaskStatus.claimed
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    sent(session, case, clerk)
    confirm_receipt(session, case, officer, now())
    complete(session, task, officer)
    assert task.status is TaskStatus.completed


def test_with_a_reason_the_task_is_completed_and_the_reason_is_on_the_timeline(session, walk_in):
    case, _, officer = walk_in
    (task,) = case.tasks
    claim_task(session, task, officer, now())
    complete(session, task, officer, reason="已通过全国一体化平台核验电子证照")
    session.commit()
    assert task.status is TaskStatus.completed and task.result["originals_reason"] == "已通过全国一体化平台核验电子证照"
    waived = session.scalar(select(Event).where(Event.action == "paper_waived"))
    assert waived.note == "已通过全国一体化平台核验电子证照" and waived.task_id == task.id


def test_a_file_in_transit_past_the_limit_raises_one_alert_once(session, walk_in):
    case, clerk, officer = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    sent(session, case, clerk)
    session.commit()
    calendar = WorkCalendar.load(session)
    assert sweep(session, calendar, at("2026-11-05", 20)).paper_alerts == 0  # the third working day
    assert sweep(session, calendar, at("2026-11-06", 9)).paper_alerts == 1
    assert sweep(session, calendar, at("2026-11-06", 15)).paper_alerts == 0
    session.commit()
    (alert,) = session.scalars(select(SlaAlert).where(SlaAlert.paper_file_id.is_not(None))).all()
    assert alert.window_county.value == "yushan" and alert.agency_id == officer.agency_id
    # The sending window and the competent agency see it (the case's own deadline alerts aside).
    assert alert in alerts_for(session, clerk) and alert in alerts_for(session, officer)
    assert session.scalar(select(func.count(Event.id)).where(Event.action == "sla_paper_overdue")) == 1


def test_a_received_file_raises_no_alert(session, walk_in):
    case, clerk, officer = walk_in
    hold_originals(session, case, clerk, now(), [ORIGINAL])
    sent(session, case, clerk)
    confirm_receipt(session, case, officer, now())
    session.commit()
    assert sweep(session, WorkCalendar.load(session), at("2026-11-12")).paper_alerts == 0


def test_a_partner_system_completes_only_with_the_originals_or_a_reason(session, walk_in):
    from portal.domain.outbox import set_delivery_mode
    from portal.domain.partner_events import CallbackRefused, parse_report, receive

    case, _, _ = walk_in
    (task,) = case.tasks
    set_delivery_mode(session, task.agency, "http", "http://127.0.0.1:9/tasks", "s3cret-for-tests-0001", 10, None, now())
    calendar = WorkCalendar.load(session)
    receive(session, task.agency, parse_report({"event_id": "e1", "task_id": task.id, "action": "accepted"}), now(), calendar)
    session.commit()
    done = {"event_id": "e2", "task_id": task.id, "action": "completed", "note": "符合条件"}
    with pytest.raises(CallbackRefused) as refused:
        receive(session, task.agency, parse_report(done), now(), calendar)
    assert refused.value.field == "originals_reason"
    session.rollback()
    receive(session, task.agency, parse_report({**done, "originals_reason": "已核验电子件"}), now(), calendar)
    assert task.status is TaskStatus.completed and task.result["originals_reason"] == "已核验电子件"


def test_another_agency_across_the_border_does_not_wait_for_originals_it_never_receives(session, walk_in):
    from tests.factories import create_task, create_user

    case, _, _ = walk_in
    other = create_user(session, "officer", agency_code="cs-gov")
    task = create_task(session, case, "cs-gov", status="claimed", due_at=case.due_at)
    task.assignee = other
    session.commit()
    complete(session, task, other)  # no reason asked: the originals go to 常山县公安局, which alone confirms them
    assert task.status is TaskStatus.completed
    assert "paper_waived" not in paper_events(session, case)
