"""The worker's periodic jobs, each run once per interval however many
workers are running, with no cron.

Intervals are fixed slots of UTC time (every 5 minutes: :00, :05, …; daily:
from midnight UTC). A worker that finds a slot not yet run claims it by
inserting the ``periodic_run`` row for (job, slot start) with "on conflict
do nothing" and commits the claim before running; the worker whose insert
went in runs the job, the others see the row and skip it. The same SQL
works on SQLite and PostgreSQL. A worker that dies during a run leaves the
row ``running``; the job runs again in the next slot (every job here is
safe to repeat: the SLA sweep raises each alert once, the drafts sweep
deletes what is old by then).

A database-claimed schedule was chosen over an in-process scheduler
(APScheduler and the like): those decide per process, so two workers
would each run every job, and sharing their job store across processes
still needs a lock of this kind. Here the database is the lock and the
record of what ran.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain.alerts import sweep
from portal.domain.applications import sweep_drafts
from portal.domain.clock import WorkCalendar
from portal.domain.corrections import sweep_corrections
from portal.domain.uploads import UploadStore
from portal.models import PeriodicRun

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEEP_RUNS = timedelta(days=30)
SLA_SWEEP, DRAFTS_SWEEP, PRUNE_RUNS = "sla-sweep", "drafts-sweep", "prune-runs"

log = logging.getLogger("portal.worker")


@dataclass(frozen=True)
class JobResult:
    summary: str
    after_commit: Callable[[], None] | None = None  # e.g. remove files once their rows are gone


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run(session, now)`` flushes and says what it did;
    the schedule commits."""

    name: str
    every: timedelta
    run: Callable[[Session, datetime], JobResult]


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the interval ``now`` falls in."""
    return EPOCH + ((now - EPOCH) // every) * every


def claim_run(session: Session, job: str, slot: datetime, worker_id: str, now: datetime) -> bool:
    """Insert the run's row unless it exists and commit; True when this
    call inserted it, so this worker runs the job for the slot."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(PeriodicRun).values(
        job=job, slot_start=slot, worker_id=worker_id, started_at=now, outcome="running", summary=""
    ).on_conflict_do_nothing(index_elements=["job", "slot_start"])
    inserted = session.execute(statement.returning(PeriodicRun.job)).scalar() is not None
    session.commit()
    return inserted


def _finish(session: Session, job: str, slot: datetime, outcome: str, summary: str, now: datetime) -> None:
    session.execute(
        update(PeriodicRun).where(PeriodicRun.job == job, PeriodicRun.slot_start == slot)
        .values(outcome=outcome, summary=summary[:500], finished_at=now)
        .execution_options(synchronize_session=False)
    )


class Schedule:
    """The jobs of one worker. ``run_due`` is called every tick; it asks the
    database about a slot only until the slot is known to be taken."""

    def __init__(self, jobs: list[Job], worker_id: str):
        self.jobs, self.worker_id = jobs, worker_id
        self.settled: dict[str, datetime] = {}  # job → the latest slot known to be run (by anyone)

    def run_due(self, session: Session, clock: Callable[[], datetime]) -> list[tuple[str, str]]:
        """Run each job whose current slot nobody has claimed; returns
        (job, outcome) for the runs this worker made."""
        ran = []
        for job in self.jobs:
            now = clock()
            slot = slot_start(now, job.every)
            if self.settled.get(job.name) == slot:
                continue
            taken = session.get(PeriodicRun, (job.name, slot)) is not None
            session.rollback()  # end the read: nothing is held between ticks
            self.settled[job.name] = slot
            if taken or not claim_run(session, job.name, slot, self.worker_id, now):
                continue
            ran.append((job.name, self._run(session, job, slot, now, clock)))
        return ran

    def _run(self, session: Session, job: Job, slot: datetime, now: datetime, clock) -> str:
        try:
            result = job.run(session, now)
            _finish(session, job.name, slot, "done", result.summary, clock())
            session.commit()
        except Exception as error:
            session.rollback()
            # The class only: a database error's text can carry the values of a row.
            log.error("Periodic job %s failed (%s); it runs again next interval.", job.name, error.__class__.__name__)
            _finish(session, job.name, slot, "failed", error.__class__.__name__, clock())
            session.commit()
            return "failed"
        if result.after_commit is not None:
            result.after_commit()
        log.info("Periodic job %s: %s", job.name, result.summary)
        return "done"


def sla_sweep_job(every: timedelta) -> Job:
    """Alerts for work that became due within 1 working day or overdue, and
    the correction notices to remind of or to close (补正时限)."""

    def run(session: Session, now: datetime) -> JobResult:
        calendar = WorkCalendar.load(session)
        result = sweep(session, calendar, now)
        corrections = sweep_corrections(session, calendar, now)
        return JobResult(
            f"{result.task_alerts} task alert(s), {result.case_alerts} case alert(s) raised; "
            f"{corrections.reminded} correction reminder(s), {corrections.lapsed} correction(s) lapsed"
        )

    return Job(SLA_SWEEP, every, run)


def drafts_sweep_job(every: timedelta, max_age: timedelta, uploads: UploadStore) -> Job:
    """Applications never submitted, untouched for ``max_age``, and their files."""

    def run(session: Session, now: datetime) -> JobResult:
        count, stored = sweep_drafts(session, now - max_age)

        def remove_files() -> None:
            for name in stored:
                uploads.path(name).unlink(missing_ok=True)

        return JobResult(f"{count} draft(s) and {len(stored)} file(s) removed", remove_files)

    return Job(DRAFTS_SWEEP, every, run)


def prune_runs_job(every: timedelta) -> Job:
    """The record of periodic runs is kept for a month."""

    def run(session: Session, now: datetime) -> JobResult:
        removed = session.execute(delete(PeriodicRun).where(PeriodicRun.slot_start < now - KEEP_RUNS)).rowcount
        session.flush()
        return JobResult(f"{removed} old run record(s) removed")

    return Job(PRUNE_RUNS, every, run)

