"""A case's place on the clock: its due date from acceptance, the service's
promise and its suspensions; recomputed when the calendar changes. And
the level of a case or task (on track, due within 1 working day,
overdue), in Python for a page and in SQL for a filter, by one rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from portal.domain.clock import (
    Deadline,
    Level,
    Suspension,
    WorkCalendar,
    deadline,
    due_soon_before,
    end_of_day,
    level,
    local_date,
    suspended_workdays,
    workdays_left,
    workdays_used,
)
from portal.domain.events import record_event
from portal.domain.routing import stage_workdays
from portal.models import Case, CaseStatus, CaseSuspension, Task, User
from portal.models.enums import TaskStatus

CLOCK_STATUSES = (CaseStatus.accepted, CaseStatus.in_progress, CaseStatus.suspended)
# Work has a level only while its clock runs. A suspended case or task
# stands still (特别程序: its due date moves when it resumes), a returned
# task waits at the window, and closed work is done: none of them is ever
# "overdue" or "due soon" in any list, alert or filter.
LEVELLED_CASES = (CaseStatus.accepted, CaseStatus.in_progress)
LEVELLED_TASKS = (TaskStatus.open, TaskStatus.claimed)


def case_deadline(calendar: WorkCalendar, case: Case, now: datetime) -> Deadline:
    """Promise working days from acceptance, moved by suspended working days."""
    if case.accepted_at is None:
        raise ValueError(f"case {case.number} has not been accepted")
    return deadline(
        calendar,
        case.accepted_at,
        case.service.promise_workdays,
        _intervals(case),
        now,
    )


def case_has_level(case: Case) -> bool:
    """Accepted or in progress, with a due date: its clock runs."""
    return case.status in LEVELLED_CASES and case.due_at is not None


def task_has_level(task: Task) -> bool:
    """Open or claimed: its clock runs (not suspended, returned or closed)."""
    return task.status in LEVELLED_TASKS


def case_level(calendar: WorkCalendar, case: Case, now: datetime) -> Level | None:
    """The level of a case whose clock runs (``clock.level`` of its due
    date); None before acceptance, while suspended and once closed."""
    if not case_has_level(case):
        return None
    return level(calendar, Deadline(local_date(case.due_at), case.due_at, case.due_provisional), now)


def task_level(calendar: WorkCalendar, task: Task, now: datetime) -> Level | None:
    """The level of an open or claimed task (``clock.level`` of its due
    date); None while suspended or returned and once closed."""
    if not task_has_level(task):
        return None
    return level(calendar, Deadline(local_date(task.due_at), task.due_at, False), now)


def task_level_clause(level_: Level, calendar: WorkCalendar, now: datetime) -> ColumnElement[bool]:
    """SQL for ``task_level(calendar, task, now) is level_``."""
    return and_(Task.status.in_(LEVELLED_TASKS), _due_at_level(Task.due_at, level_, calendar, now))


def overdue_task_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for ``task_level(...) is Level.overdue``, which needs no calendar."""
    return and_(Task.status.in_(LEVELLED_TASKS), _due_at_level(Task.due_at, Level.overdue, None, now))


def next_task_overdue(now: datetime):
    """SQL for the moment the next open task falls overdue (the bound of
    ``overdue_task_clause``: overdue once its due time is past); NULL when
    none will."""
    return select(func.min(Task.due_at)).where(Task.status.in_(LEVELLED_TASKS), Task.due_at >= now).scalar_subquery()


def case_level_clause(level_: Level, calendar: WorkCalendar, now: datetime) -> ColumnElement[bool]:
    """SQL for ``case_level(calendar, case, now) is level_``."""
    return and_(
        Case.status.in_(LEVELLED_CASES), Case.due_at.is_not(None), _due_at_level(Case.due_at, level_, calendar, now)
    )


def _due_at_level(
    due_at: InstrumentedAttribute, level_: Level, calendar: WorkCalendar | None, now: datetime
) -> ColumnElement[bool]:
    # The bounds of clock.level: overdue before now, due soon from now until
    # the second working day after today begins, on track from then on.
    if level_ is Level.overdue:
        return due_at < now
    soon = due_soon_before(calendar, now)
    if level_ is Level.due_soon:
        return and_(due_at >= now, due_at < soon)
    return due_at >= soon


def refresh_due(
    session: Session,
    case: Case,
    calendar: WorkCalendar,
    now: datetime,
    *,
    actor: User | None = None,
    reason: str = "",
) -> bool:
    """Store the case's current due date; when it moved, record an event
    with the old and new dates. Returns whether it moved."""
    new = case_deadline(calendar, case, now)
    old_at, old_provisional = case.due_at, case.due_provisional
    if old_at == new.due_at and old_provisional == new.provisional:
        return False
    case.due_at = new.due_at
    case.due_provisional = new.provisional
    if old_at is not None:
        record_event(
            session,
            case=case,
            actor=actor,
            action="due_date_changed",
            now=now,
            note=reason,
            data={
                "from": old_at.isoformat(),
                "to": new.due_at.isoformat(),
                "provisional": new.provisional,
            },
        )
    return True


def recompute_open_cases(
    session: Session, calendar: WorkCalendar, now: datetime, *, actor: User | None, reason: str
) -> int:
    """After a calendar change: refresh every case on the clock; returns how many moved."""
    cases = session.scalars(
        select(Case)
        .where(Case.status.in_(CLOCK_STATUSES), Case.accepted_at.is_not(None))
        .options(selectinload(Case.service), selectinload(Case.suspensions))
    ).all()
    moved = sum(refresh_due(session, case, calendar, now, actor=actor, reason=reason) for case in cases)
    session.flush()
    return moved


def start_suspension(session: Session, case: Case, reason: str, now: datetime) -> CaseSuspension:
    """Stop the clock (特别程序). The lifecycle's ``suspend`` transition calls
    this; the due date keeps moving until the suspension ends."""
    if any(s.ended_at is None for s in case.suspensions):
        raise ValueError(f"case {case.number} is already suspended")
    interval = CaseSuspension(case=case, reason=reason, started_at=now)
    session.add(interval)
    session.flush()
    return interval


def end_suspension(session: Session, case: Case, calendar: WorkCalendar, now: datetime, *, actor: User | None = None) -> int:
    """Restart the clock; the stored due date moves by the working days the
    case stood still. Returns those working days."""
    open_intervals = [s for s in case.suspensions if s.ended_at is None]
    if not open_intervals:
        raise ValueError(f"case {case.number} is not suspended")
    interval = open_intervals[0]
    interval.ended_at = now
    stood_still = suspended_workdays(calendar, [Suspension(interval.started_at, now)], now)
    refresh_due(session, case, calendar, now, actor=actor, reason=interval.reason)
    session.flush()
    return stood_still


def close_suspensions(case: Case, now: datetime) -> None:
    """The case ends while the clock is stopped (refused, withdrawn): its
    open suspension ends with it, so the working days it stood still are
    known."""
    for interval in case.suspensions:
        if interval.ended_at is None:
            interval.ended_at = now


def stage_due(calendar: WorkCalendar, case: Case, stage: int, now: datetime) -> datetime:
    """When the tasks of ``stage`` are due: the stage's share of the
    promise from acceptance, moved by the case's suspensions."""
    return deadline(calendar, case.accepted_at, stage_workdays(case, stage), _intervals(case), now).due_at


def task_workdays(calendar: WorkCalendar, task: Task, now: datetime) -> int:
    """Working days from the task's creation to ``now``, less the case's
    suspensions that began while the task was open."""
    stopped = [s for s in _intervals(task.case) if s.started_at >= task.created_at]
    return workdays_used(calendar, task.created_at, stopped, now)


def case_workdays_used(calendar: WorkCalendar, case: Case, now: datetime) -> int:
    """Working days since acceptance, suspension excluded (0 before acceptance)."""
    if case.accepted_at is None:
        return 0
    end = case.closed_at or now
    return workdays_used(calendar, case.accepted_at, _intervals(case), end)


def case_workdays_left(calendar: WorkCalendar, case: Case, now: datetime) -> int | None:
    """Working days to the current due date; negative when overdue."""
    if case.accepted_at is None:
        return None
    return workdays_left(calendar, case_deadline(calendar, case, now), now)


def _intervals(case: Case) -> list[Suspension]:
    return [Suspension(s.started_at, s.ended_at) for s in case.suspensions]


# -- the applicant's time to answer (补正时限, a request to the applicant) --


def answer_by(calendar: WorkCalendar, issued_at: datetime, workdays: int) -> date:
    """The last day to answer a correction notice or a request issued at
    ``issued_at``: ``workdays`` working days after the day of issue (not
    counted), Asia/Shanghai; the answer is in time until that day ends."""
    return calendar.nth_workday_after(local_date(issued_at), workdays)


def reminder_day(calendar: WorkCalendar, last_day: date) -> date:
    """The working day before ``last_day``: the applicant is reminded then."""
    return calendar.workday_on_or_before(last_day - timedelta(days=1)) or last_day


def reminder_due(calendar: WorkCalendar, last_day: date, now: datetime) -> bool:
    """From the working day before the last day on, while it has not passed."""
    today = local_date(now)
    return reminder_day(calendar, last_day) <= today <= last_day


def answer_time_passed(last_day: date, now: datetime) -> bool:
    """The last day to answer has ended (Asia/Shanghai)."""
    return local_date(now) > last_day


# -- paper files in transit (收受分离) ----------------------------------------


def transit_due(calendar: WorkCalendar, sent_on: date, workdays: int) -> datetime:
    """收受分离: a paper file posted on ``sent_on`` should arrive by the end
    of the ``workdays``-th working day after it (the day it was sent not counted)."""
    return end_of_day(calendar.nth_workday_after(sent_on, max(1, workdays)))
