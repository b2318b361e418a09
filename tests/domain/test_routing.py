"""Routing every service for applicants from Changshan, Yushan and elsewhere,
and a sequential joint service run to delivery."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.domain import DomainError
from portal.domain.clock import WorkCalendar, local_date
from portal.domain.intake import accept_case
from portal.domain.routing import resolve_plan
from portal.domain.workflow import (
    claim_task,
    complete_task,
    deliver_case,
    refuse_task,
    resume_task,
    suspend_task,
)
from portal.models import Case, CaseStatus, County, Event, Service
from portal.models.enums import TaskStatus
from tests.factories import at, create_case, create_user

APPLICANTS = {
    "changshan": dict(hukou_county="changshan", residence_county="changshan", business_county="changshan"),
    "yushan": dict(hukou_county="yushan", residence_county="yushan", business_county="yushan"),
    # A worker registered in Anhui, living and working in Changshan.
    "anhui": dict(hukou_county="elsewhere", hukou_province="安徽省", residence_county="changshan", business_county="changshan"),
}



def submitted(session, code, window="changshan", applicant="changshan"):
    return create_case(session, code, status="submitted", receiving_county=window, **APPLICANTS[applicant])


def accept(session, case, when="2026-11-02"):
    clerk = create_user(session, "clerk", window_county=case.receiving_county)
    accept_case(session, case, clerk, at(when), WorkCalendar.load(session))
    return case


@pytest.mark.parametrize("applicant", APPLICANTS)
@pytest.mark.parametrize("window", ["changshan", "yushan"])
def test_every_service_routes_each_step_to_a_real_agency(session, applicant, window):
    codes = session.scalars(select(Service.code).order_by(Service.position)).all()
    assert len(codes) == 23
    for code in codes:
        case = accept(session, submitted(session, code, window, applicant))
        assert case.status is CaseStatus.in_progress, code
        assert case.tasks, code
        assert all(t.stage == 1 and t.status is TaskStatus.open for t in case.tasks), code
        plan = resolve_plan(case)
        assert {s.department for s in plan} <= {"psb", "gov", "amr", "eme", "hrss", "drc"}
        for task in case.tasks:
            assert task.agency.department.value in {s.department for s in plan}
            assert task.due_at <= case.due_at


def test_an_anhui_worker_in_changshan_falls_back_to_the_receiving_window_for_hukou_steps(session):
    case = accept(session, submitted(session, "psb-no-record", "yushan", "anhui"))
    (task,) = case.tasks
    assert task.agency.code == "ys-psb" and task.fallback
    permit = accept(session, submitted(session, "psb-rp-apply", "yushan", "anhui"))
    # The hukou verification step applies only when the hukou is local.
    assert [t.agency.code for t in permit.tasks] == ["cs-psb"]
    local = accept(session, submitted(session, "psb-rp-apply", "changshan", "yushan"))
    # Issue where the applicant lives, verify where the hukou is: both Yushan here.
    assert sorted(t.agency.code for t in local.tasks) == ["ys-psb", "ys-psb"]


def test_joint_services_reach_both_counties(session):
    dispute = accept(session, submitted(session, "gov-dispute"))
    assert sorted(t.agency.code for t in dispute.tasks) == ["cs-gov", "ys-gov"]
    border = accept(session, submitted(session, "gov-border-report"))
    assert sorted(t.agency.code for t in border.tasks) == ["cs-gov", "cs-psb", "ys-gov", "ys-psb"]


def test_a_household_transfer_runs_move_in_then_move_out_and_is_delivered(session):
    case = accept(session, submitted(session, "psb-hukou-move", "changshan", "yushan"), "2026-11-02")
    calendar = WorkCalendar.load(session)
    (move_in,) = case.tasks
    assert move_in.agency.code == "cs-psb" and move_in.stage == 1
    assert local_date(move_in.due_at) < local_date(case.due_at)  # the first stage's share comes first
    cs_officer = create_user(session, "officer", agency_code="cs-psb")
    ys_officer = create_user(session, "officer", agency_code="ys-psb")
    with pytest.raises(DomainError):
        claim_task(session, move_in, ys_officer, at("2026-11-02", 11))
    claim_task(session, move_in, cs_officer, at("2026-11-02", 11))
    complete_task(session, move_in, cs_officer, at("2026-11-03"), calendar, "准予迁入", "准迁证 CS-2026-001")
    move_out = next(t for t in case.tasks if t.stage == 2)
    assert move_out.agency.code == "ys-psb" and move_out.status is TaskStatus.open
    claim_task(session, move_out, ys_officer, at("2026-11-03", 11))
    complete_task(session, move_out, ys_officer, at("2026-11-04"), calendar, "已办理迁出")
    assert case.status is CaseStatus.completed
    assert case.turnaround_workdays == 2
    clerk = create_user(session, "clerk", window_county=County.changshan)
    deliver_case(session, case, clerk, at("2026-11-05"), "window")
    assert case.status is CaseStatus.delivered and case.delivery_method == "window"
    actions = session.scalars(select(Event.action).where(Event.case_id == case.id).order_by(Event.id)).all()
    assert actions[:2] == ["accept", "start"]
    assert actions[-2:] == ["complete", "deliver"]


def test_suspension_stops_the_clock_and_resuming_moves_every_due_date(session):
    case = accept(session, submitted(session, "psb-no-record", "changshan", "changshan"), "2026-11-02")
    calendar = WorkCalendar.load(session)
    (task,) = case.tasks
    officer = create_user(session, "officer", agency_code="cs-psb")
    claim_task(session, task, officer, at("2026-11-02", 11))
    with pytest.raises(DomainError):
        suspend_task(session, task, officer, at("2026-11-06"), "", 2)
    suspend_task(session, task, officer, at("2026-11-06"), "需实地核查", 2)
    assert case.status is CaseStatus.suspended
    with pytest.raises(DomainError):
        complete_task(session, task, officer, at("2026-11-09"), calendar, "ok")
    resume_task(session, task, officer, at("2026-11-10"), calendar)
    assert case.status is CaseStatus.in_progress
    assert local_date(case.due_at) == date(2026, 11, 9)
    assert local_date(task.due_at) == date(2026, 11, 9)


def test_a_decisive_refusal_refuses_the_case_and_cancels_the_other_tasks(session):
    case = accept(session, submitted(session, "gov-dispute"))
    officer = create_user(session, "officer", agency_code="ys-gov")
    task = next(t for t in case.tasks if t.agency.code == "ys-gov")
    claim_task(session, task, officer, at("2026-11-02", 11))
    with pytest.raises(DomainError):
        refuse_task(session, task, officer, at("2026-11-03"), WorkCalendar.load(session), " ")
    refuse_task(session, task, officer, at("2026-11-03"), WorkCalendar.load(session), "纠纷已进入诉讼程序，不属于调解范围")
    assert case.status is CaseStatus.refused
    assert {t.status for t in case.tasks} == {TaskStatus.refused, TaskStatus.cancelled}


def test_two_officers_claiming_one_task_one_wins_and_the_other_is_told_who(session):
    case = accept(session, submitted(session, "psb-no-record"))
    (task,) = case.tasks
    first = create_user(session, "officer", agency_code="cs-psb", real_name="郑强")
    second = create_user(session, "officer", agency_code="cs-psb")
    claim_task(session, task, first, at("2026-11-02", 11))
    with pytest.raises(DomainError) as caught:
        claim_task(session, task, second, at("2026-11-02", 11))
    assert "郑强" in str(caught.value.message)


def test_a_failure_while_routing_leaves_the_case_unaccepted(app, monkeypatch):
    from portal.db import db

    with app.app_context():
        case = submitted(db.session, "gov-border-report")  # four tasks in one stage
        db.session.commit()
        case_id = case.id
        clerk = create_user(db.session, "clerk")
        db.session.commit()
        real_add = db.session.add
        added = []

        def flaky_add(obj):
            from portal.models import Task

            if isinstance(obj, Task):
                added.append(obj)
                if len(added) == 3:
                    raise RuntimeError("the database went away mid-stage")
            return real_add(obj)

        monkeypatch.setattr(db.session, "add", flaky_add)
        with pytest.raises(RuntimeError):
            accept_case(db.session, case, clerk, at("2026-11-02"), WorkCalendar.load(db.session))
        db.session.rollback()
        monkeypatch.undo()
        fresh = db.session.get(Case, case_id)
        assert fresh.status is CaseStatus.submitted and fresh.tasks == [] and fresh.accepted_at is None


def test_the_routing_plan_command_lists_every_service_for_both_applicants(runner):
    output = runner.invoke(args=["routing", "plan", "--window", "yushan"]).output
    lines = output.splitlines()
    assert sum(1 for line in lines if not line.startswith(" ")) == 23
    assert "  changshan  玉山县公安局 → 常山县公安局" in lines  # move-in at Yushan, then move-out in Changshan
    assert any("养老保险关系跨省转移" in line for line in lines)


def test_two_sessions_claiming_at_once_exactly_one_wins(app):
    """Both officers load the open task; the second commit finds the version
    moved on and changes nothing."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from portal.db import db
    from portal.models import Task, User

    with app.app_context():
        case = accept(db.session, submitted(db.session, "psb-no-record"))
        first = create_user(db.session, "officer", agency_code="cs-psb", real_name="郑强")
        second = create_user(db.session, "officer", agency_code="cs-psb", real_name="吴刚")
        db.session.commit()
        task_id, ids = case.tasks[0].id, (first.id, second.id)
        engine = db.engine
    with Session(engine) as one, Session(engine) as two:
        task_one, task_two = one.get(Task, task_id), two.get(Task, task_id)
        officer_two = two.get(User, ids[1])
        two.commit()  # both have read the open task; nothing is locked
        assert task_two.status is TaskStatus.open  # reloaded now; outdated once the first claim commits
        claim_task(one, task_one, one.get(User, ids[0]), at("2026-11-02", 11))
        one.commit()
        with pytest.raises(StaleDataError):
            claim_task(two, task_two, officer_two, at("2026-11-02", 11))
            two.commit()
        two.rollback()
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.assignee.real_name == "郑强" and task.version == 2
        claims = db.session.scalars(select(Event).where(Event.task_id == task_id, Event.action == "task_claim")).all()
        assert len(claims) == 1
