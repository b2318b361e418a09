"""An agency's task queue: only its own tasks, filtered by status, level
and service, soonest due first, loaded in a fixed number of statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.domain.clock import Level, WorkCalendar, end_of_day, local_date
from portal.models import Case, Service, Task, User
from portal.models.enums import TaskStatus

STATUS_FILTERS = {
    "active": (TaskStatus.open, TaskStatus.claimed, TaskStatus.suspended),
    "open": (TaskStatus.open,),
    "claimed": (TaskStatus.claimed,),
    "suspended": (TaskStatus.suspended,),
    "done": (TaskStatus.completed, TaskStatus.refused, TaskStatus.cancelled),
    "returned": (TaskStatus.returned,),
    "all": tuple(TaskStatus),
}


def due_soon_limit(calendar: WorkCalendar, now: datetime) -> datetime:
    """The end of the next working day: due by then is 'due within 1 working day'."""
    return end_of_day(calendar.nth_workday_after(local_date(now), 1))


def agency_queue(
    officer: User,
    now: datetime,
    calendar: WorkCalendar,
    *,
    status: str = "active",
    level: str | None = None,
    service_code: str | None = None,
    mine: bool = False,
) -> Select:
    query = (
        select(Task)
        .where(Task.agency_id == officer.agency_id, Task.status.in_(STATUS_FILTERS[status]))
        .options(
            selectinload(Task.case).selectinload(Case.service),
            selectinload(Task.assignee),
        )
        .order_by(Task.due_at, Task.id)
    )
    if mine:
        query = query.where(Task.assignee_id == officer.id)
    if service_code:
        query = query.join(Task.case).join(Case.service).where(Service.code == service_code)
    if level:
        limit = due_soon_limit(calendar, now)
        if level == Level.overdue.value:
            query = query.where(Task.due_at < now)
        elif level == Level.due_soon.value:
            query = query.where(Task.due_at >= now, Task.due_at <= limit)
        else:
            query = query.where(Task.due_at > limit)
    return query


def task_level(task: Task, now: datetime, limit: datetime) -> Level | None:
    if not task.status.is_active:
        return None
    if task.due_at < now:
        return Level.overdue
    return Level.due_soon if task.due_at <= limit else Level.on_track


def find_agency_task(session, officer: User, task_id: int) -> Task | None:
    """Another agency's task is not found, never forbidden."""
    return session.scalar(select(Task).where(Task.id == task_id, Task.agency_id == officer.agency_id))
