"""The outbox: messages to partner systems and applicants' text messages,
written in the transaction of the change they report, so a change and its
message commit or roll back together; the relay (``domain.dispatch``)
delivers them later and a partner that is down never blocks or loses work.

Also each agency's delivery mode, which decides whether its tasks are
pushed to its own system, and the administrator's retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload
from uuid6 import uuid7

from portal.domain import Collector, DomainError
from portal.domain.events import record_event
from portal.domain.task_messages import task_payload
from portal.models import Agency, Case, OutboxMessage, Task, User
from portal.models.enums import DeliveryMode, OutboxChannel, OutboxStatus, TaskStatus

CREATED, UPDATED, CANCELLED = "task.created", "task.updated", "task.cancelled"
SWITCHED_TO_PORTAL = "agency switched to portal"
SECRET_MIN, SECRET_MAX, URL_MAX = 16, 128, 300
TIMEOUT_MIN, TIMEOUT_MAX = 1, 60


def enqueue(
    session: Session,
    channel: OutboxChannel,
    topic: str,
    payload_for,
    now: datetime,
    *,
    agency: Agency | None = None,
    task: Task | None = None,
    case: Case | None = None,
) -> OutboxMessage:
    """Add a pending message, due now. ``payload_for(message_id)`` builds
    the body, which may carry its own id. The id is a UUIDv7: it grows with
    each message a process writes, so messages written at one ``now`` (a
    task created, claimed and cancelled in one transaction) are still sent
    in the order they were written."""
    message_id = str(uuid7())
    message = OutboxMessage(
        id=message_id, channel=channel, topic=topic,
        agency_id=agency.id if agency is not None else None,
        task_id=task.id if task is not None else None,
        case_id=case.id if case is not None else None,
        payload=payload_for(message_id), status=OutboxStatus.pending, attempts=0,
        next_attempt_at=now, claimed_by="", last_error="", created_at=now,
    )
    session.add(message)
    return message


def _pushed(task: Task) -> bool:
    return task.agency.delivery_mode is DeliveryMode.http


def _task_message(session: Session, task: Task, topic: str, now: datetime, change: dict | None = None) -> OutboxMessage:
    return enqueue(
        session, OutboxChannel.partner, topic, lambda mid: task_payload(mid, topic, task, now, change), now,
        agency=task.agency, task=task, case=task.case,
    )


def announce_tasks(session: Session, tasks: list[Task], now: datetime) -> None:
    """New tasks (routed or transferred) of agencies that work in their own
    system are pushed to it as task.created."""
    for task in tasks:
        if _pushed(task):
            _task_message(session, task, CREATED, now)


def announce_transition(
    session: Session, task: Task, action: str, actor: User | None, previous: TaskStatus, now: datetime, note: str
) -> None:
    """A task of an agency in http mode moved: tell its system (task.updated,
    or task.cancelled when it ended elsewhere). What the partner system
    itself reported (the system acting, other than cancelling) is not
    echoed back: its callback's answer already carries the task."""
    if not _pushed(task) or (actor is None and action != "cancel"):
        return
    topic = CANCELLED if task.status is TaskStatus.cancelled else UPDATED
    change = {"action": action, "from": previous.value, "to": task.status.value, "note": note}
    _task_message(session, task, topic, now, change)


# -- delivery mode ---------------------------------------------------------


@dataclass(frozen=True)
class DeliveryChange:
    enqueued: int = 0  # open tasks pushed to the partner on switching to http
    abandoned: int = 0  # pending messages marked dead on switching to portal


def _mode(value: str) -> DeliveryMode:
    try:
        return DeliveryMode(value)
    except ValueError:
        raise DomainError(_l("Choose how the agency receives its tasks."), "delivery_mode") from None


def _endpoint(value: str, required: bool) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(value) > URL_MAX:
        raise DomainError(
            _l("Give the address of the agency's system, starting with https:// (or http:// on a closed network)."),
            "endpoint_url",
        )
    return value


def _secret(value: str, required: bool) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if len(value) < SECRET_MIN or len(value) > SECRET_MAX:
        raise DomainError(
            _l("The signing secret must have %(low)d to %(high)d characters.", low=SECRET_MIN, high=SECRET_MAX),
            "signing_secret",
        )
    return value


def _timeout(value) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = 0
    if not TIMEOUT_MIN <= seconds <= TIMEOUT_MAX:
        raise DomainError(
            _l("Give the timeout in seconds, from %(low)d to %(high)d.", low=TIMEOUT_MIN, high=TIMEOUT_MAX),
            "timeout_seconds",
        )
    return seconds


def set_delivery_mode(
    session: Session,
    agency: Agency,
    mode: str,
    endpoint_url: str,
    signing_secret: str,
    timeout_seconds,
    actor: User | None,
    now: datetime,
) -> DeliveryChange:
    """How an agency receives its tasks: ``portal`` (its officers work our
    queue) or ``http`` (its own system, at an http(s) address, signing with
    a secret of at least 16 characters, answering within 1–60 s).

    No open task is stranded by a change: switching to http pushes every
    open task to the system as task.created; switching back to portal
    abandons the messages not yet delivered, and the officers work the
    queue again (a task the system had claimed is open to any of them)."""
    checks = Collector()
    chosen = checks.check(_mode, mode)
    http = chosen is DeliveryMode.http
    url = checks.check(_endpoint, endpoint_url, http)
    secret = checks.check(_secret, signing_secret, http)
    timeout = checks.check(_timeout, timeout_seconds)
    checks.raise_any()
    previous = agency.delivery_mode
    secret_changed = secret != agency.signing_secret
    agency.delivery_mode, agency.endpoint_url, agency.signing_secret, agency.timeout_seconds = chosen, url, secret, timeout
    session.flush()
    change = DeliveryChange()
    if http and previous is not DeliveryMode.http:
        tasks = session.scalars(
            select(Task).where(Task.agency_id == agency.id, Task.status.in_([s for s in TaskStatus if s.is_active]))
            .order_by(Task.id)
        ).all()
        announce_tasks(session, tasks, now)
        change = DeliveryChange(enqueued=len(tasks))
    elif not http and previous is DeliveryMode.http:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.agency_id == agency.id,
                OutboxMessage.channel == OutboxChannel.partner,
                OutboxMessage.status == OutboxStatus.pending,
            )
            .values(status=OutboxStatus.dead, last_error=SWITCHED_TO_PORTAL, claimed_until=None, claimed_by="")
            .execution_options(synchronize_session=False)
        )
        change = DeliveryChange(abandoned=result.rowcount or 0)
    record_event(
        session, subject="agency", actor=actor, action="agency_delivery_changed", now=now,
        from_status=previous.value, to_status=chosen.value,
        # Never the secret itself: only that it changed.
        data={
            "agency": agency.code, "endpoint_url": url, "timeout_seconds": timeout,
            "secret_changed": secret_changed, "enqueued": change.enqueued, "abandoned": change.abandoned,
        },
    )
    session.flush()
    return change


# -- the administrator's view and retries ------------------------------------

LISTED = {"pending": (OutboxStatus.pending,), "dead": (OutboxStatus.dead,), "all": (OutboxStatus.pending, OutboxStatus.dead)}


def outbox_query(status: str = "all"):
    """Messages still to deliver or given up on, newest problem first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(LISTED.get(status, LISTED["all"])))
        .options(selectinload(OutboxMessage.agency))
        .order_by(OutboxMessage.status, OutboxMessage.next_attempt_at, OutboxMessage.created_at, OutboxMessage.id)
    )


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status.value: n for status, n in rows})
    return counts


def oldest_due_age(session: Session, now: datetime) -> float | None:
    """Seconds the longest-waiting due message has waited past its time
    (None when nothing is due): a relay that keeps up keeps this small."""
    oldest = session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now
        )
    )
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


def _retriable(message: OutboxMessage) -> bool:
    if message.channel is OutboxChannel.sms:
        return True
    return message.agency is not None and message.agency.delivery_mode is DeliveryMode.http


def _reset(message: OutboxMessage, now: datetime) -> dict[str, Any]:
    before = {"id": message.id, "status": message.status.value, "attempts": message.attempts}
    # A fresh set of attempts: the admin retries after fixing the cause, so
    # the message deserves the whole backoff schedule again.
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.pending, 0, now
    message.claimed_until, message.claimed_by = None, ""
    return before


def retry_message(session: Session, message_id: str, actor: User, now: datetime) -> OutboxMessage:
    """Send a pending or dead message again now, with its attempts reset.
    A task message whose agency now works in the portal is not sent."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status is OutboxStatus.sent:
        raise DomainError(_l("This message is no longer waiting to be sent."), "message")
    if not _retriable(message):
        raise DomainError(_l("The agency now works in the portal; switch it to http before retrying."), "message")
    before = _reset(message, now)
    record_event(session, subject="outbox", actor=actor, action="outbox_retried", now=now, data={"messages": [before]})
    session.flush()
    return message


def retry_dead(session: Session, actor: User, now: datetime) -> int:
    """Every dead message that can still be delivered goes back to pending."""
    dead = session.scalars(outbox_query("dead")).all()
    chosen = [m for m in dead if _retriable(m)]
    before = [_reset(m, now) for m in chosen]
    if before:
        record_event(
            session, subject="outbox", actor=actor, action="outbox_retried", now=now,
            data={"count": len(before), "messages": before[:50]},
        )
    session.flush()
    return len(chosen)
