from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.enums import County, DeliveryMode, Department, constrained


class Agency(Base):
    """One department's office in one county; tasks are routed to it."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("county", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    county: Mapped[County] = mapped_column(constrained(County, "county"))
    department: Mapped[Department] = mapped_column(constrained(Department, "department"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    address_zh: Mapped[str] = mapped_column(String(200), default="")
    address_en: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    delivery_mode: Mapped[DeliveryMode] = mapped_column(
        constrained(DeliveryMode, "delivery_mode"), default=DeliveryMode.portal
    )
    # For delivery mode http: where the agency's own system takes task messages.
    endpoint_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    signing_secret: Mapped[str] = mapped_column(String(128), default="", server_default="")
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=10, server_default="10")

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
