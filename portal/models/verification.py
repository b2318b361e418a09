"""Verification codes texted to a mobile number: one live code per number
and purpose, kept only as an HMAC, with what the code will unlock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.enums import CodePurpose, constrained
from portal.models.types import UTCDateTime


class VerificationCode(Base):
    """The code last sent to ``mobile`` for ``purpose``. A new code for the
    same number and purpose replaces it (the row is rewritten), so only one
    is ever live. ``code_hash`` is HMAC-SHA256 of purpose, number and code
    with the app's key; the code itself is never stored.

    A registration keeps what the new account will hold (name, ID number,
    password hash) here until the code is given; the account is created
    only then. A ``decoy`` row answers exactly like a real one (timers,
    tries) but no code was texted for it and none opens it: it stands for a
    number or ID already registered, or an unknown login, so the pages never
    tell which."""

    __tablename__ = "verification_code"
    __table_args__ = (
        UniqueConstraint("purpose", "mobile", name="uq_verification_code_purpose_mobile"),
        Index("ix_verification_code_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[CodePurpose] = mapped_column(constrained(CodePurpose, "code_purpose"))
    # The number texted; for a decoy of an unknown login, what was typed.
    mobile: Mapped[str] = mapped_column(String(18))
    code_hash: Mapped[str] = mapped_column(String(64))
    decoy: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reset and mobile change: the account concerned.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Registration: the account to create once the code is right.
    real_name: Mapped[str | None] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(18))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
