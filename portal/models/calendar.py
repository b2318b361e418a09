from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.enums import DayKind, DaySource, YearStatus, constrained
from portal.models.types import UTCDateTime


class CalendarDay(Base):
    """One date of the working-day calendar (Asia/Shanghai dates)."""

    __tablename__ = "calendar_day"
    __table_args__ = (
        CheckConstraint(
            "(kind IN ('weekday', 'makeup') AND workday) OR (kind IN ('weekend', 'holiday') AND NOT workday)",
            name="kind_matches_workday",
        ),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[DayKind] = mapped_column(constrained(DayKind, "day_kind"))
    name: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[DaySource] = mapped_column(constrained(DaySource, "day_source"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarYear(Base):
    """Whether a year's schedule is the official one or an estimate."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[YearStatus] = mapped_column(constrained(YearStatus, "year_status"))
    source: Mapped[DaySource] = mapped_column(constrained(DaySource, "day_source"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
