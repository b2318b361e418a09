"""What guards the public tracking page: the wrong query codes tried for a
case, and the lockouts they caused. Kept in the database, so every web
worker on every host counts the same attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.types import UTCDateTime


class TrackingFailure(Base):
    """One wrong query code given for a case on the tracking page. Only the
    case and the moment: no code, no address. Deleted once older than the
    counting window, and when they lock the case."""

    __tablename__ = "tracking_failure"
    __table_args__ = (Index("ix_tracking_failure_case_time", "case_id", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrackingLockout(Base):
    """A time during which the case cannot be looked up by query code, even
    with the right one; the applicant was texted once when it began."""

    __tablename__ = "tracking_lockout"
    __table_args__ = (Index("ix_tracking_lockout_case_until", "case_id", "locked_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer)  # the wrong codes that caused it
