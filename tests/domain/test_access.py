"""Who sees which tasks and cases, who may act, and what the public sees of
a case: the rules of access.py, asked by the queue, the desk, the
lifecycle, Open311 and the tracking page."""

from dataclasses import fields

from portal.domain.access import (
    PublicCase,
    find_agency_task,
    may_act_on_task,
    may_transition_case,
    public_events,
    public_view,
)
from portal.domain.desk import returned_count, window_queue
from portal.domain.events import record_event
from portal.domain.queue import agency_queue
from portal.models import County
from portal.models.enums import Channel, DeliveryMode
from tests.factories import at, create_case, create_task, create_user


def test_an_officer_finds_only_their_agencys_tasks(session, calendar):
    ours, theirs = create_case(session, status="in_progress"), create_case(session, status="in_progress")
    mine = create_task(session, ours, "cs-psb")
    other = create_task(session, theirs, "ys-psb")
    officer = create_user(session, "officer", agency_code="cs-psb")
    assert find_agency_task(session, officer, mine.id) is mine
    assert find_agency_task(session, officer, other.id) is None
    assert list(session.scalars(agency_queue(officer, at("2026-11-02"), calendar))) == [mine]


def test_a_clerks_desk_holds_the_cases_their_window_received(session):
    here = create_case(session, status="in_progress", receiving_county="changshan")
    there = create_case(session, status="in_progress", receiving_county="yushan")
    for case in (here, there):
        create_task(session, case, "cs-psb", status="returned")
    create_task(session, here, "cs-hrss", status="returned")  # a second returned task: still one case
    clerk = create_user(session, "clerk", window_county=County.changshan)
    assert list(session.scalars(window_queue(clerk, "accepted"))) == [here]
    assert returned_count(session, clerk) == 1


def test_a_clerk_decides_only_at_the_receiving_window_and_withdraws_only_walk_ins(session):
    online = create_case(session, status="submitted", receiving_county="changshan")
    walk_in = create_case(session, status="submitted", receiving_county="changshan", channel=Channel.counter)
    here = create_user(session, "clerk", window_county=County.changshan)
    there = create_user(session, "clerk", window_county=County.yushan)
    clerks = frozenset({"clerk"})
    assert may_transition_case(here, online, "accept", clerks)
    assert not may_transition_case(there, online, "accept", clerks)
    assert not may_transition_case(here, online, "withdraw", clerks | {"applicant"})
    assert may_transition_case(here, walk_in, "withdraw", clerks | {"applicant"})
    assert not may_transition_case(None, online, "accept", clerks)


def test_a_task_is_for_its_agencys_officers_and_its_assignee(session):
    task = create_task(session, create_case(session, status="in_progress"), "cs-psb", status="claimed")
    assignee = create_user(session, "officer", agency_code="cs-psb")
    colleague = create_user(session, "officer", agency_code="cs-psb")
    outsider = create_user(session, "officer", agency_code="ys-psb")
    task.assignee_id = assignee.id
    assert may_act_on_task(colleague, task, "officer") and not may_act_on_task(outsider, task, "officer")
    assert may_act_on_task(assignee, task, "assignee") and not may_act_on_task(colleague, task, "assignee")
    assert may_act_on_task(create_user(session, "supervisor"), task, "oversight")
    assert may_act_on_task(create_user(session, "clerk", window_county=County.changshan), task, "window")
    assert not may_act_on_task(create_user(session, "clerk", window_county=County.yushan), task, "window")
    assert not may_act_on_task(None, task, "officer")  # the agency works in the portal, not its own system


def test_an_agencys_own_system_is_the_assignee_only_of_a_task_no_officer_holds(session):
    task = create_task(session, create_case(session, status="in_progress"), "cs-psb", status="claimed")
    task.agency.delivery_mode = DeliveryMode.http
    assert may_act_on_task(None, task, "officer") and may_act_on_task(None, task, "assignee")  # the system claimed it
    task.assignee_id = create_user(session, "officer", agency_code="cs-psb").id
    assert may_act_on_task(None, task, "officer") and not may_act_on_task(None, task, "assignee")


def test_the_public_sees_a_masked_name_and_the_cases_own_steps_only(session):
    case = create_case(session, status="in_progress", applicant_name="欧阳娜娜")
    task = create_task(session, case, "cs-psb")
    create_task(session, case, "cs-psb", stage=2)  # the same agency again: named once
    now = at("2026-11-02")
    record_event(session, case=case, actor=None, action="accept", to_status="accepted", now=now)
    record_event(session, case=case, task=task, subject="task", actor=None, action="task_claim", now=now)
    record_event(session, case=case, subject="sla", action="sla_overdue", now=now)
    record_event(session, case=case, subject="rating", action="rated", now=now)
    view = public_view(case)
    assert view.applicant == "欧***" and [a.code for a in view.agencies] == ["cs-psb"]
    assert not {"applicant_name", "applicant_id_number", "applicant_mobile", "form_data"} & {f.name for f in fields(PublicCase)}
    assert [e.action for e in public_events(session, case)] == ["accept"]
