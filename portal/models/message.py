from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.case import Case
from portal.models.event import Event
from portal.models.types import UTCDateTime


class Message(Base):
    """A message to the applicant in the in-app message centre, one per
    event that concerns them; its words are rendered from the event in the
    reader's language."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    case: Mapped[Case] = relationship()
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    event: Mapped[Event] = relationship()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
