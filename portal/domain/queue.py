"""An agency's task queue: only its own tasks, filtered by status, level
and service, soonest due first, loaded in a fixed number of statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import defer, selectinload

from portal.domain.access import agency_tasks
from portal.domain.catalog import LISTED_SERVICE
from portal.domain.clock import Level, WorkCalendar
from portal.domain.deadlines import task_level_clause
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
        agency_tasks(officer)
        .where(Task.status.in_(STATUS_FILTERS[status]))
        .options(
            defer(Task.result),
            selectinload(Task.case).options(defer(Case.form_data), selectinload(Case.service).options(*LISTED_SERVICE)),
            selectinload(Task.assignee),
        )
        .order_by(Task.due_at, Task.id)
    )
    if mine:
        query = query.where(Task.assignee_id == officer.id)
    if service_code:
        query = query.join(Task.case).join(Case.service).where(Service.code == service_code)
    if level:
        # The rule of deadlines.task_level: a suspended or returned task has no level.
        query = query.where(task_level_clause(Level(level), calendar, now))
    return query
