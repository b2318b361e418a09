from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.enums import County, Role, constrained
from portal.models.types import UTCDateTime


class User(Base):
    """A resident or a member of staff.

    Residents sign in with their mobile number or ID number, staff with a
    username. ``session_version`` is part of the login cookie's identity:
    raising it (at logout or password change) ends every copy of a session.
    """

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role <> 'clerk' OR window_county IS NOT NULL", name="clerk_has_window"),
        CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL", name="officer_has_agency"),
        CheckConstraint(
            "role <> 'resident' OR (id_number IS NOT NULL AND mobile IS NOT NULL)",
            name="resident_identified",
        ),
        CheckConstraint("role = 'resident' OR username IS NOT NULL", name="staff_has_username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(constrained(Role, "role"))
    real_name: Mapped[str] = mapped_column(String(50))
    username: Mapped[str | None] = mapped_column(String(50), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    window_county: Mapped[County | None] = mapped_column(constrained(County, "county"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    agency: Mapped[Agency | None] = relationship()
    locale: Mapped[str | None] = mapped_column(String(10))
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerts_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Second factor (portal.domain.second_factor): the TOTP secret, set when
    # enrolment starts and confirmed by the first good code; the last time
    # step accepted (a code works once); the nonce of the sign-in waiting
    # for its code and the wrong codes given to it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    second_factor_nonce: Mapped[str | None] = mapped_column(String(64))
    second_factor_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A one-time link to set the password (portal.domain.staff_admin): the
    # nonce it carries and until when it works; cleared when used.
    password_setup_nonce: Mapped[str | None] = mapped_column(String(64))
    password_setup_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class RecoveryCode(Base):
    """One of the ten single-use codes given at enrolment, as its SHA-256."""

    __tablename__ = "recovery_code"
    __table_args__ = (Index("ix_recovery_code_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
