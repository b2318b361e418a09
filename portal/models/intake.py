"""What intake produces besides the case itself: drafts, uploaded files,
the window's notices and the daily case-number sequence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.case import Case
from portal.models.catalog import Service
from portal.models.enums import Channel, County, NoticeKind, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class ApplicationDraft(Base):
    """An application between its form and its final submit. The token is
    rendered into the form once and becomes the case's idempotency key."""

    __tablename__ = "application_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    owner: Mapped[User] = relationship()
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    service: Mapped[Service] = relationship()
    channel: Mapped[Channel] = mapped_column(constrained(Channel, "channel"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    files: Mapped[list[CaseFile]] = relationship(back_populates="draft")


class CaseFile(Base):
    """An uploaded material, stored under instance/uploads with a random name."""

    __tablename__ = "case_file"
    __table_args__ = (
        CheckConstraint("case_id IS NOT NULL OR draft_id IS NOT NULL", name="belongs_somewhere"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case | None] = relationship(backref="files")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("application_draft.id", ondelete="SET NULL"), index=True)
    draft: Mapped[ApplicationDraft | None] = relationship(back_populates="files")
    material_code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseNotice(Base):
    """A window decision's printable notice (受理 / 容缺受理 / 补正 / 不予受理),
    a request to the applicant (补充材料) or the closing of a correction not
    made in time. ``follow_up_by`` is the date by which the applicant must
    act: the materials to follow, the correction, the request."""

    __tablename__ = "case_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref="notices")
    kind: Mapped[NoticeKind] = mapped_column(constrained(NoticeKind, "notice_kind"))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    follow_up_by: Mapped[date | None] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_by: Mapped[User | None] = relationship()
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A correction notice's reminder, texted once the working day before its
    # deadline (follow_up_by).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseSequence(Base):
    """The last case number issued per window and Shanghai date."""

    __tablename__ = "case_sequence"

    county: Mapped[County] = mapped_column(constrained(County, "county"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
