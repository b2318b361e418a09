"""The residence permit (居住证) as an electronic licence: issued on the
completion of an application, endorsed yearly, replaced, verified in both
counties; every verification is logged."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.case import Case
from portal.models.enums import County, PermitCheckResult, PermitStatus, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class ResidencePermit(Base):
    __tablename__ = "residence_permit"
    __table_args__ = (Index("ix_permit_holder", "holder_id_number", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[PermitStatus] = mapped_column(constrained(PermitStatus, "permit_status"))
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    holder_name: Mapped[str] = mapped_column(String(50))
    holder_id_number: Mapped[str] = mapped_column(String(18))
    photo_file_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    address: Mapped[str] = mapped_column(String(200))
    county: Mapped[County] = mapped_column(constrained(County, "county"))  # where the holder lives: the issuing county
    issuing_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    issuing_agency: Mapped[Agency] = relationship()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    case: Mapped[Case] = relationship()
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    residence_counted_from: Mapped[date] = mapped_column(Date)  # restarts at a late endorsement
    endorsed_until: Mapped[date] = mapped_column(Date)  # the next anniversary: endorse in the month before
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("residence_permit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PermitEndorsement(Base):
    """One annual endorsement (签注)."""

    __tablename__ = "permit_endorsement"

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("residence_permit.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    endorsed_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)
    endorsed_until: Mapped[date] = mapped_column(Date)


class PermitSequence(Base):
    """The last permit number issued per county and year."""

    __tablename__ = "permit_sequence"

    county: Mapped[County] = mapped_column(constrained(County, "county"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class PermitCheck(Base):
    """One verification: by whom, from which county, with what answer."""

    __tablename__ = "permit_check"
    __table_args__ = (Index("ix_permit_check_permit_time", "permit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int | None] = mapped_column(ForeignKey("residence_permit.id", ondelete="CASCADE"))
    number_given: Mapped[str] = mapped_column(String(40))
    result: Mapped[PermitCheckResult] = mapped_column(constrained(PermitCheckResult, "permit_check_result"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_by: Mapped[User | None] = relationship()
    checker_county: Mapped[County | None] = mapped_column(constrained(County, "county"))
    checker_unit: Mapped[str] = mapped_column(String(100), default="")  # agency:<code>, window:<county>, supervision or api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
