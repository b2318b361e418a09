"""Talking to partner systems: the outbox of messages to send, the
callbacks partners sent (deduplicated), and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.enums import County, OutboxChannel, OutboxStatus, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class OutboxMessage(Base):
    """A message to deliver outside the portal, written in the transaction
    of the change it reports; the relay delivers it later. Its id is the
    Idempotency-Key the partner sees, so a resend is recognisable."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[OutboxChannel] = mapped_column(constrained(OutboxChannel, "outbox_channel"))
    topic: Mapped[str] = mapped_column(String(40))  # task.created, task.updated, task.cancelled, sms
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    agency: Mapped[Agency | None] = relationship()
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(constrained(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a relay's lease
    claimed_by: Mapped[str] = mapped_column(String(60), default="")
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PartnerEvent(Base):
    """A callback a partner system sent, kept by its own event id so a
    repeat is answered without applying it twice."""

    __tablename__ = "partner_event"
    __table_args__ = (UniqueConstraint("agency_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(200), default="")  # applied, or why not
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A bearer token for the JSON API, stored as its SHA-256 only: for a
    partner system (bound to an agency or to a window) or a member of staff."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown to admins to tell tokens apart
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    agency: Mapped[Agency | None] = relationship()
    window_county: Mapped[County | None] = mapped_column(constrained(County, "county"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
