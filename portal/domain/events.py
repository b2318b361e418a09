"""Writing events: the append-only history of cases and of the calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import Case, Event, Task, User

SYSTEM = "system"


def record_event(
    session: Session,
    *,
    action: str,
    now: datetime,
    actor: User | None = None,
    case: Case | None = None,
    task=None,
    subject: str = "case",
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    account: User | None = None,
) -> Event:
    """Add an event in the caller's transaction; ``actor`` None means the system."""
    event = Event(
        case_id=case.id if case is not None else None,
        task_id=task.id if task is not None else None,
        account_id=account.id if account is not None else None,
        subject=subject,
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role.value if actor is not None else SYSTEM,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        created_at=now,
    )
    session.add(event)
    return event


def account_events(session: Session, account: User) -> list[Event]:
    """What was done to or by a staff account's settings, newest first."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.account_id == account.id)
            .options(selectinload(Event.actor))
            .order_by(Event.created_at.desc(), Event.id.desc())
        )
    )


def case_timeline(session: Session, case: Case) -> list[Event]:
    """The case's events in order, with who acted and the task's agency."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.case_id == case.id)
            .options(selectinload(Event.actor), selectinload(Event.task).selectinload(Task.agency))
            .order_by(Event.created_at, Event.id)
        )
    )
