"""Paper that travels: a case's originals posted across the border to the
competent agency (收受分离), and a result sent to the applicant by post
(邮寄送达)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.case import Case
from portal.models.enums import County, PaperFileState, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class PaperFile(Base):
    """The originals of one case: which the receiving window holds, how
    they were sent and whether the competent agency has them. Each step is
    also an event on the case timeline."""

    __tablename__ = "paper_file"
    __table_args__ = (Index("ix_paper_file_transit", "state", "transit_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(backref="paper_files")
    from_county: Mapped[County] = mapped_column(constrained(County, "county"))  # the receiving window
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # the competent agency across the border
    agency: Mapped[Agency] = relationship()
    state: Mapped[PaperFileState] = mapped_column(constrained(PaperFileState, "paper_file_state"))
    since: Mapped[datetime] = mapped_column(UTCDateTime())  # when it entered its state
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # material codes of the originals held
    missing_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing_note: Mapped[str] = mapped_column(Text, default="")
    carrier: Mapped[str | None] = mapped_column(String(20))
    waybill: Mapped[str | None] = mapped_column(String(30))
    sent_on: Mapped[date | None] = mapped_column(Date)
    transit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # an alert is raised after it
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_by: Mapped[User | None] = relationship()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PostalDelivery(Base):
    """邮寄送达: where and how the result was posted to the applicant."""

    __tablename__ = "postal_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(backref="postal_deliveries")
    address: Mapped[str] = mapped_column(String(200))
    carrier: Mapped[str] = mapped_column(String(20))
    waybill: Mapped[str] = mapped_column(String(30))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
