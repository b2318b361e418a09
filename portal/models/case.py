from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.catalog import Service
from portal.models.enums import CaseStatus, Channel, County, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class Case(Base):
    """One application (办件), from submission to delivery."""

    __tablename__ = "case_record"
    __table_args__ = (
        Index("ix_case_status_receiving", "status", "receiving_county"),
        Index("ix_case_applicant", "applicant_user_id"),
        Index("ix_case_received_on", "received_on", "service_id"),
        Index("ix_case_due_open", "status", "due_at"),
        Index("ix_case_closed", "closed_at"),
        # The staff's case search matches these exactly (domain/search.py).
        Index("ix_case_applicant_id_number", "applicant_id_number"),
        Index("ix_case_applicant_mobile", "applicant_mobile"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code: Mapped[str] = mapped_column(String(6))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    service: Mapped[Service] = relationship()
    channel: Mapped[Channel] = mapped_column(constrained(Channel, "channel"))
    receiving_county: Mapped[County] = mapped_column(constrained(County, "county"))
    status: Mapped[CaseStatus] = mapped_column(constrained(CaseStatus, "case_status"))

    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applicant_user: Mapped[User | None] = relationship(foreign_keys=[applicant_user_id])
    applicant_name: Mapped[str] = mapped_column(String(50))
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_mobile: Mapped[str] = mapped_column(String(11))
    # Facts routing needs: "changshan", "yushan" or "elsewhere" (+ province).
    hukou_county: Mapped[str] = mapped_column(String(12))
    hukou_province: Mapped[str] = mapped_column(String(20), default="")
    residence_county: Mapped[str] = mapped_column(String(12))
    residence_province: Mapped[str] = mapped_column(String(20), default="")
    business_county: Mapped[str | None] = mapped_column(String(12))
    business_province: Mapped[str] = mapped_column(String(20), default="")
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    identity_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_on: Mapped[date] = mapped_column(Date)  # the day of arrival in Asia/Shanghai
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    turnaround_workdays: Mapped[int | None] = mapped_column(Integer)  # acceptance → decision, suspension excluded
    # Figures fixed when they happen, so the dashboard's tallies are plain sums.
    intake_minutes: Mapped[int | None] = mapped_column(Integer)  # arrival → acceptance
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)  # a correction was requested
    outcome: Mapped[str | None] = mapped_column(String(10))  # "completed" or "refused", once decided
    on_time: Mapped[bool | None] = mapped_column(Boolean)  # decided by the due date
    same_day: Mapped[bool | None] = mapped_column(Boolean)  # decided on the day it arrived
    delivery_method: Mapped[str | None] = mapped_column(String(20))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    suspensions: Mapped[list[CaseSuspension]] = relationship(
        back_populates="case", order_by="CaseSuspension.started_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.status.value}>"


class CaseSuspension(Base):
    """An interval of a special procedure (特别程序) during which the clock stops."""

    __tablename__ = "case_suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(back_populates="suspensions")
    reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseInvolvement(Base):
    """A county whose agencies act on the case (its routing resolved against
    the case's facts) or whose window received it: its clerks may see it."""

    __tablename__ = "case_involvement"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    county: Mapped[County] = mapped_column(constrained(County, "county"), primary_key=True)
