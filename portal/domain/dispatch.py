"""The relay: delivers the outbox's messages to partner systems and the SMS
gateway, at least once, never twice at the same time.

A pass claims due messages (pending, next attempt due, no live lease) and
commits the claim before sending anything, so another relay skips them:
on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite with a
conditional UPDATE per row that only succeeds while the row is unclaimed.
The lease is renewed just before each send, so a long pass never sends a
message another relay has taken since. A relay that dies after sending but
before recording leaves its lease to expire; the message is then sent again
with the same Idempotency-Key and the partner recognises it.

The worker (``domain.worker``) sends in lanes: the texts to applicants in
one, each partner agency's messages in another, so a slow partner never
holds up a text. A lane is a filter on the claim (``sms_lane``,
``partner_lane``); without one a pass takes every due message, as
``dispatch run`` does.

Unlike other domain modules this one commits: the claim must be visible to
other relays before the call, and the outcome recorded after it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, true, update
from sqlalchemy.orm import Session

from portal.clients import Attempt, post_json
from portal.domain.outbox import SWITCHED_TO_PORTAL
from portal.domain.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from portal.domain.sms import Gateway, text_for, without_codes
from portal.models import OutboxMessage
from portal.models.enums import DeliveryMode, OutboxChannel, OutboxStatus

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=120)  # unrenewed (dispatch run): longer than one call, 3 s to connect + at most 60 s to answer
# The worker's lease, renewed by its heartbeat every few seconds while a
# message is in hand: a worker killed outright loses its claims this soon.
HEARTBEAT_LEASE = timedelta(seconds=20)
TOPIC_HEADER = "X-Portal-Topic"
# Each delivery attempt has its own request id, "<message id>.<attempt>", so
# the portal's log of an attempt and the partner's log of it can be matched.
REQUEST_ID_HEADER = "X-Request-ID"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """30 s after the first failure, doubling up to an hour, times a random
    factor in [0.5, 1.0] so partners coming back are not hit all at once."""
    base = min(3600, 30 * 2 ** (attempts - 1))
    return timedelta(seconds=base * (rng or random).uniform(0.5, 1.0))


def sms_lane() -> ColumnElement[bool]:
    """The texts to applicants."""
    return OutboxMessage.channel == OutboxChannel.sms


def partner_lane(agency_id: int | None) -> ColumnElement[bool]:
    """One partner agency's messages."""
    agency = OutboxMessage.agency_id.is_(None) if agency_id is None else OutboxMessage.agency_id == agency_id
    return (OutboxMessage.channel == OutboxChannel.partner) & agency


def _due(now: datetime):
    return (
        (OutboxMessage.status == OutboxStatus.pending)
        & (OutboxMessage.next_attempt_at <= now)
        & or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)
    )


def agencies_with_due_messages(session: Session, now: datetime) -> list[int | None]:
    """The partner lanes with something to send now."""
    return list(
        session.scalars(
            select(OutboxMessage.agency_id).distinct()
            .where(_due(now), OutboxMessage.channel == OutboxChannel.partner)
        )
    )


def claim_due(
    session: Session, now: datetime, relay_id: str, batch: int, lease: timedelta = LEASE,
    lane: ColumnElement[bool] | None = None,
) -> list[str]:
    """Claim up to ``batch`` due messages of ``lane`` (all lanes when None)
    for ``relay_id`` and commit the claim. Two relays never hold the same
    message."""
    oldest_first = (OutboxMessage.next_attempt_at, OutboxMessage.created_at, OutboxMessage.id)
    claim = {"claimed_until": now + lease, "claimed_by": relay_id}
    lane = true() if lane is None else lane
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                select(OutboxMessage.id).where(_due(now), lane).order_by(*oldest_first).limit(batch)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim)
                .execution_options(synchronize_session=False)
            )
    else:
        candidates = list(session.scalars(select(OutboxMessage.id).where(_due(now), lane).order_by(*oldest_first).limit(batch)))
        ids = [message_id for message_id in candidates if _take(session, message_id, now, claim)]
    session.commit()
    return ids


def _take(session: Session, message_id: str, now: datetime, claim: dict) -> bool:
    """Claim one row only if it is still due and unclaimed (SQLite)."""
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now)).values(**claim)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _ours(message_id: str, relay_id: str):
    return (
        (OutboxMessage.id == message_id)
        & (OutboxMessage.claimed_by == relay_id)
        & (OutboxMessage.status == OutboxStatus.pending)
    )


def renew(session: Session, message_id: str, relay_id: str, now: datetime, lease: timedelta = LEASE) -> bool:
    held = session.execute(
        update(OutboxMessage).where(_ours(message_id, relay_id)).values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    return held


def release_claims(session: Session, relay_id: str) -> None:
    """Give back what a stopped pass claimed but did not send."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == relay_id, OutboxMessage.status == OutboxStatus.pending)
        .values(claimed_until=None, claimed_by="")
        .execution_options(synchronize_session=False)
    )
    session.commit()


def body_bytes(payload: dict) -> bytes:
    """The exact bytes signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def prepare(session: Session, message: OutboxMessage, gateway: Gateway, now: datetime) -> Callable[[], Attempt]:
    """Everything the call needs, read now, so no transaction stays open
    while the other side answers."""
    if message.channel is OutboxChannel.sms:
        text = text_for(session, message.payload)
        if text is None:
            return lambda: Attempt.refused("the case no longer exists")
        mobile = message.payload["mobile"]
        if not message.payload.get("text"):
            # Keep the words actually sent with the message.
            message.payload = {**message.payload, "text": text}
        return lambda: gateway.send(mobile, text)
    agency = message.agency
    if agency is None or agency.delivery_mode is not DeliveryMode.http or not agency.endpoint_url:
        return lambda: Attempt.refused(SWITCHED_TO_PORTAL)
    body = body_bytes(message.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        IDEMPOTENCY_HEADER: message.id,
        SIGNATURE_HEADER: sign(agency.signing_secret, body, now),
        TOPIC_HEADER: message.topic,
        REQUEST_ID_HEADER: f"{message.id}.{message.attempts + 1}",
    }
    url, timeout = agency.endpoint_url, agency.timeout_seconds
    return lambda: post_json(url, body, headers, timeout)


def record(session: Session, message_id: str, relay_id: str, attempt: Attempt, now: datetime, rng=None) -> str:
    """Store what the attempt produced: sent; pending again after a backoff
    (connection errors, timeouts, 429, 5xx) until MAX_ATTEMPTS; dead for
    other answers. Returns the outcome, or "lost" when the claim was lost
    (the lease ran out and another relay took the message, or an admin
    switched the agency back to the portal meanwhile)."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.claimed_by != relay_id or message.status is not OutboxStatus.pending:
        session.rollback()
        return "lost"
    attempts = message.attempts + 1
    values = {
        "attempts": attempts, "last_status_code": attempt.status_code, "claimed_until": None, "claimed_by": "",
    }
    if attempt.delivered:
        values.update(status=OutboxStatus.sent, sent_at=now)
        outcome = "sent"
    elif attempt.retry and attempts < MAX_ATTEMPTS:
        values.update(next_attempt_at=now + backoff(attempts, rng), last_error=attempt.error)
        outcome = "retrying"
    else:
        values.update(status=OutboxStatus.dead, last_error=attempt.error)
        outcome = "dead"
    if outcome != "retrying" and message.channel is OutboxChannel.sms:
        values["payload"] = without_codes(message.payload)
    changed = session.execute(
        update(OutboxMessage).where(_ours(message_id, relay_id)).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return outcome if changed == 1 else "lost"


@dataclass
class PassReport:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {"sent": 0, "retrying": 0, "dead": 0, "lost": 0})

    def __str__(self) -> str:
        o = self.outcomes
        return f"{self.claimed} claimed: {o['sent']} sent, {o['retrying']} to retry, {o['dead']} dead, {o['lost']} lost"


def run_once(
    session: Session,
    now: datetime,
    relay_id: str,
    batch: int = 20,
    *,
    gateway: Gateway,
    stop: Callable[[], bool] | None = None,
    lease: timedelta = LEASE,
    lane: ColumnElement[bool] | None = None,
) -> PassReport:
    """One pass: claim due messages, then send each and record the outcome.
    ``now`` is the pass's start; the clock moves on with the real time the
    calls take, so a long pass never signs with a stale timestamp. Texts
    leave through ``gateway``, the one the configuration names. ``stop``
    is asked between messages: the one in hand is always finished, the
    rest given back."""
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    report = PassReport()
    claimed = claim_due(session, now, relay_id, batch, lease, lane)
    report.claimed = len(claimed)
    for message_id in claimed:
        if stop is not None and stop():
            break
        if not renew(session, message_id, relay_id, clock(), lease):
            report.outcomes["lost"] += 1
            continue
        call = prepare(session, session.get(OutboxMessage, message_id), gateway, clock())
        session.commit()  # nothing is held while the other side answers
        outcome = record(session, message_id, relay_id, call(), clock())
        report.outcomes[outcome] += 1
    release_claims(session, relay_id)
    return report
