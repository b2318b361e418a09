"""The SLA sweep: levels at their boundaries across the National Day
holiday, each alert raised once across runs and concurrent runs, and
alerts addressed only to those who must act."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.domain.alerts import alerts_for, sweep, unseen_alert_count
from portal.domain.clock import WorkCalendar
from portal.domain.intake import accept_case
from portal.domain.workflow import claim_task, suspend_task
from portal.models import Event, SlaAlert
from tests.factories import at, create_case, create_user, now

LOCAL = dict(hukou_county="changshan", residence_county="changshan")


@pytest.fixture
def before_holiday(session):
    """Accepted Tuesday 2026-09-29: three working days run over the
    National Day holiday (10-01 to 10-07) to Friday 10-09."""
    clerk = create_user(session, "clerk")
    case = create_case(session, "psb-no-record", status="submitted", submitted_at=at("2026-09-29", 9), **LOCAL)
    accept_case(session, case, clerk, at("2026-09-29", 9), WorkCalendar.load(session))
    session.commit()
    assert case.due_at.date().isoformat() == "2026-10-09"
    return case


def run_sweep(session, day, hour=12):
    result = sweep(session, WorkCalendar.load(session), at(day, hour))
    session.commit()
    return result.task_alerts, result.case_alerts


def test_levels_across_the_holiday_raise_each_alert_once(session, before_holiday):
    assert run_sweep(session, "2026-09-30") == (0, 0)  # two working days left
    assert run_sweep(session, "2026-10-07") == (0, 0)  # a holiday: still two working days left
    assert run_sweep(session, "2026-10-08") == (1, 1)  # exactly one working day left
    assert run_sweep(session, "2026-10-08", 16) == (0, 0)  # the same alert is not raised twice
    assert run_sweep(session, "2026-10-09") == (0, 0)  # due today: still "due within 1 working day"
    assert run_sweep(session, "2026-10-09", 23) == (0, 0)  # until the due day ends
    assert run_sweep(session, "2026-10-10", 9) == (1, 1)  # overdue by one day (a make-up Saturday)
    assert run_sweep(session, "2026-10-12") == (0, 0)
    actions = session.scalars(select(Event.action).where(Event.subject == "sla").order_by(Event.id)).all()
    assert actions == ["sla_due_soon", "sla_due_soon", "sla_overdue", "sla_overdue"]


def test_suspended_work_is_not_chased(session, before_holiday):
    (task,) = before_holiday.tasks
    officer = create_user(session, "officer", agency_code=task.agency.code)
    claim_task(session, task, officer, at("2026-09-30"))
    suspend_task(session, task, officer, at("2026-09-30"), "需外省协查", 10)
    session.commit()
    assert run_sweep(session, "2026-10-12") == (0, 0)


def test_a_moved_due_date_raises_a_fresh_alert(session, before_holiday):
    assert run_sweep(session, "2026-10-08") == (1, 1)
    (task,) = before_holiday.tasks
    task.due_at += timedelta(days=1)  # say, a calendar correction moved it to Saturday 10-10
    session.commit()
    assert run_sweep(session, "2026-10-09") == (1, 0)


def test_two_sweeps_at_once_raise_each_alert_once(app, session, before_holiday):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one_sweep():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                result = sweep(db.session, WorkCalendar.load(db.session), at("2026-10-10", 9))
                db.session.commit()
                results.append(result.total)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    session.expire_all()
    assert sorted(results) in ([0, 2], [1, 1])
    assert session.scalar(select(func.count(SlaAlert.id))) == 2
    assert session.scalar(select(func.count(Event.id)).where(Event.subject == "sla")) == 2


def test_alerts_reach_only_those_who_must_act(session, before_holiday):
    (task,) = before_holiday.tasks
    colleague = create_user(session, "officer", agency_code=task.agency.code)
    other_agency = create_user(session, "officer", agency_code="ys-psb")
    window = create_user(session, "clerk")
    other_window = create_user(session, "clerk", window_county="yushan")
    supervisor = create_user(session, "supervisor")
    run_sweep(session, "2026-10-08")
    assert [a.task_id for a in alerts_for(session, colleague)] == [task.id]
    assert alerts_for(session, other_agency) == []
    assert [(a.task_id, a.case_id) for a in alerts_for(session, window)] == [(None, before_holiday.id)]
    assert alerts_for(session, other_window) == []
    assert len(alerts_for(session, supervisor)) == 2

    # Once claimed, the next alert goes to the assignee, not the whole agency.
    assignee = create_user(session, "officer", agency_code=task.agency.code)
    claim_task(session, task, assignee, at("2026-10-09"))
    session.commit()
    run_sweep(session, "2026-10-10", 9)
    assert [a.level.value for a in alerts_for(session, assignee)] == ["overdue", "due_soon"]
    assert [a.level.value for a in alerts_for(session, colleague)] == ["due_soon"]
    assert unseen_alert_count(session, assignee) == 2


def test_the_cli_sweep_reports_what_it_raised_and_nothing_the_second_time(app, session, runner):
    clerk = create_user(session, "clerk")
    moment = now() - timedelta(days=20)
    case = create_case(session, "psb-no-record", status="submitted", submitted_at=moment, **LOCAL)
    accept_case(session, case, clerk, moment, WorkCalendar.load(session))
    session.commit()
    first = runner.invoke(args=["sla", "sweep"])
    assert first.exit_code == 0, first.output
    assert "1 task alert(s), 1 case alert(s) raised." in first.output
    second = runner.invoke(args=["sla", "sweep"])
    assert "0 task alert(s), 0 case alert(s) raised." in second.output
