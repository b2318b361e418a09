"""The clerk's desk: cases waiting for the window's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, func
from sqlalchemy.orm import selectinload

from portal.domain.access import window_cases
from portal.domain.catalog import LISTED_SERVICE
from portal.models import Case, CaseStatus, Service, Task, User
from portal.models.enums import TaskStatus

QUEUE_STATUSES = {
    "waiting": (CaseStatus.submitted,),
    "correction": (CaseStatus.correction_requested,),
    "accepted": (CaseStatus.accepted, CaseStatus.in_progress, CaseStatus.suspended),
    "deliver": (CaseStatus.completed, CaseStatus.refused),
    "closed": (CaseStatus.refused_intake, CaseStatus.withdrawn, CaseStatus.delivered),
}


def window_queue(clerk: User, status: str = "waiting", service_code: str | None = None) -> Select:
    """Cases received at the clerk's window, oldest first."""
    query = (
        window_cases(clerk)
        .where(Case.status.in_(QUEUE_STATUSES[status]))
        .options(
            selectinload(Case.service).options(*LISTED_SERVICE),
            selectinload(Case.notices),
            selectinload(Case.tasks).selectinload(Task.agency),
        )
        # Cases whose tasks came back to the window come first.
        .order_by(_returned().desc(), Case.submitted_at, Case.id)
    )
    if service_code:
        query = query.join(Case.service).where(Service.code == service_code)
    return query


def returned_count(session, clerk: User) -> int:
    """Cases of this window with a task sent back to it."""
    return session.scalar(window_cases(clerk).where(_returned()).with_only_columns(func.count(Case.id))) or 0


def _returned():
    return exists().where(Task.case_id == Case.id, Task.status == TaskStatus.returned)


def minutes_waiting(case: Case, now: datetime) -> int:
    return max(0, int((now - case.submitted_at).total_seconds() // 60))
