"""The applicant's message centre: one message per event that concerns
them, written in the same transaction as the event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from portal.domain.sms import enqueue_sms
from portal.models import Case, Event, Message, User

# Case events the applicant is told about.
NOTIFIED_ACTIONS = frozenset(
    {
        "accept", "request_correction", "refuse_intake", "suspend", "resume", "complete", "refuse", "deliver",
        "permit_issued", "permit_endorsed", "follow_up_closed",
        "correction_reminder", "lapse_correction", "await_applicant", "applicant_answered", "request_reminder",
    }
)


def notify_applicant(session: Session, case: Case, event: Event, now: datetime) -> Message | None:
    """For an event the applicant is told about: a text message to the
    mobile number on the application (sent later by the relay, account or
    not), and a message in the message centre when they have an account."""
    if event.action not in NOTIFIED_ACTIONS:
        return None
    if event.action == "deliver" and event.actor_id is None:
        return None  # an online result delivered as it was decided: the decision's message already says so
    session.flush()  # the event needs its id
    enqueue_sms(session, case, event, now)
    if case.applicant_user_id is None:
        return None
    message = Message(user_id=case.applicant_user_id, case_id=case.id, event_id=event.id, created_at=now)
    session.add(message)
    return message


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user.id, Message.read_at.is_(None))
    ) or 0


def messages_for(session: Session, user: User, limit: int = 100) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.user_id == user.id)
            .options(selectinload(Message.event), selectinload(Message.case).selectinload(Case.service))
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user: User, now: datetime) -> None:
    session.execute(
        update(Message).where(Message.user_id == user.id, Message.read_at.is_(None)).values(read_at=now)
    )
