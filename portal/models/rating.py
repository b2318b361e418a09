"""好差评: the applicant's rating of a finished case, and the follow-up a
bad rating opens for the receiving window's supervisor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.case import Case
from portal.models.enums import Channel, County, RatingSource, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class Rating(Base):
    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(backref="rating_rows")
    score: Mapped[int] = mapped_column(Integer)  # 1 非常不满意 … 5 非常满意
    channel: Mapped[Channel] = mapped_column(constrained(Channel, "channel"))
    sub_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[RatingSource] = mapped_column(constrained(RatingSource, "rating_source"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by: Mapped[User | None] = relationship()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RatingFollowUp(Base):
    """A rating of 2 or less: the receiving window's supervisor answers in
    writing within 5 working days; the resident sees the answer."""

    __tablename__ = "rating_follow_up"
    __table_args__ = (Index("ix_follow_up_open_due", "closed_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[Rating] = relationship(backref="follow_up_rows")
    window_county: Mapped[County] = mapped_column(constrained(County, "county"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_by: Mapped[User | None] = relationship()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
