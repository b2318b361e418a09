"""Periodic jobs run once per interval, however many workers race for
them: the claim is a row per (job, interval start) in the database."""

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from portal.db import db
from portal.domain.clock import WorkCalendar
from portal.domain.intake import accept_case
from portal.domain.schedule import Job, JobResult, Schedule, sla_sweep_job, slot_start
from portal.models import PeriodicRun, SlaAlert
from tests.factories import at, create_case, create_user, now

EVERY = timedelta(minutes=5)


def counting_job(counter: list, lock: threading.Lock, name: str = "count") -> Job:
    def run(session, at):
        with lock:
            counter.append(at)
        return JobResult("counted")

    return Job(name, EVERY, run)


def race(schedules, at, sessions):
    """Every schedule's run_due at the same moment, each on its own session and thread."""
    barrier = threading.Barrier(len(schedules))
    errors = []

    def one(schedule):
        try:
            with sessions() as session:
                barrier.wait()
                schedule.run_due(session, lambda: at)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(s,)) for s in schedules]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []


def test_the_slot_is_the_start_of_the_interval_in_utc():
    at = now().replace(minute=7, second=31, microsecond=5)
    assert slot_start(at, EVERY) == at.replace(minute=5, second=0, microsecond=0)
    assert slot_start(at, timedelta(days=1)) == at.replace(hour=0, minute=0, second=0, microsecond=0)


def test_two_workers_racing_run_a_job_once_per_interval(app, session):
    sessions = sessionmaker(bind=db.engine)
    counter, lock = [], threading.Lock()
    workers = [Schedule([counting_job(counter, lock)], f"worker-{n}") for n in (1, 2)]
    start = slot_start(now(), EVERY)
    for interval in range(4):
        for second in (1, 90, 299):  # three ticks of both workers inside one interval
            race(workers, start + interval * EVERY + timedelta(seconds=second), sessions)
        assert len(counter) == interval + 1
    runs = session.scalars(select(PeriodicRun).order_by(PeriodicRun.slot_start)).all()
    assert [r.slot_start for r in runs] == [start + n * EVERY for n in range(4)]
    assert {r.outcome for r in runs} == {"done"} and {r.worker_id for r in runs} <= {"worker-1", "worker-2"}


def test_a_worker_that_knows_the_slot_is_taken_does_not_ask_again(app, session, count_statements):
    counter, lock = [], threading.Lock()
    schedule = Schedule([counting_job(counter, lock)], "worker-1")
    at = now()
    schedule.run_due(session, lambda: at)
    with count_statements() as counted:
        schedule.run_due(session, lambda: at + timedelta(seconds=2))
    assert counted[0] == 0 and len(counter) == 1


def test_a_failing_job_is_recorded_and_runs_again_next_interval(session):
    calls = []

    def run(s, at):
        calls.append(at)
        if len(calls) == 1:
            raise RuntimeError("the first run breaks")
        return JobResult("fine")

    schedule = Schedule([Job("flaky", EVERY, run)], "worker-1")
    at = slot_start(now(), EVERY)
    assert schedule.run_due(session, lambda: at) == [("flaky", "failed")]
    assert schedule.run_due(session, lambda: at + timedelta(seconds=10)) == []
    assert schedule.run_due(session, lambda: at + EVERY) == [("flaky", "done")]
    outcomes = session.scalars(select(PeriodicRun.outcome).order_by(PeriodicRun.slot_start)).all()
    assert outcomes == ["failed", "done"]


def test_the_sla_sweep_from_two_workers_raises_each_alert_once(app, session):
    clerk = create_user(session, "clerk")
    case = create_case(session, "psb-no-record", status="submitted", submitted_at=at("2026-09-29", 9),
                       hukou_county="changshan", residence_county="changshan")
    accept_case(session, case, clerk, at("2026-09-29", 9), WorkCalendar.load(session))
    session.commit()
    sessions = sessionmaker(bind=db.engine)
    workers = [Schedule([sla_sweep_job(EVERY)], f"worker-{n}") for n in (1, 2)]
    race(workers, at("2026-10-10", 9), sessions)  # overdue by then
    levels = session.scalars(select(SlaAlert.level).order_by(SlaAlert.id)).all()
    assert [level.value for level in levels] == ["overdue", "overdue"]  # the task's and the case's, once each
    assert session.scalar(select(func.count()).select_from(PeriodicRun)) == 1
