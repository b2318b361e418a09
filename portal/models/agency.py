from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint, true
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

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
