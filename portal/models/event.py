from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.types import UTCDateTime
from portal.models.user import User

if TYPE_CHECKING:
    from portal.models.task import Task


class Event(Base):
    """Append-only record of a change: who, what (action, from → to), when,
    and a note. Case timelines and the audit log are read from it."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_case_time", "case_id", "created_at"),
        Index("ix_event_account_time", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(40), default="case")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    # The staff account an "account" event is about (portal.domain.staff_admin).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    task: Mapped[Task | None] = relationship("Task")
    actor_role: Mapped[str] = mapped_column(String(20))  # a role, or "system"
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
