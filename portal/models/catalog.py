from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.domain.limits import CORRECTION_WORKDAYS_DEFAULT
from portal.models.enums import (
    ApplicantType,
    Department,
    ServiceKind,
    ServiceMode,
    constrained,
)


class Service(Base):
    """A matter (事项) residents apply for, with its one-time notice,
    form fields and routing plan as loaded from the catalog file."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint("promise_workdays >= 0 AND promise_workdays <= 3", name="promise_range"),
        CheckConstraint("statutory_workdays >= promise_workdays", name="statutory_not_shorter"),
        CheckConstraint("kind <> 'instant' OR promise_workdays = 0", name="instant_same_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[Department] = mapped_column(constrained(Department, "department"))
    mode: Mapped[ServiceMode] = mapped_column(constrained(ServiceMode, "service_mode"))
    kind: Mapped[ServiceKind] = mapped_column(constrained(ServiceKind, "service_kind"))
    applicant: Mapped[ApplicantType] = mapped_column(constrained(ApplicantType, "applicant_type"))
    promise_workdays: Mapped[int] = mapped_column(Integer)
    statutory_workdays: Mapped[int] = mapped_column(Integer)
    # 补正时限: working days the applicant has to answer a correction notice.
    correction_workdays: Mapped[int] = mapped_column(
        Integer, default=CORRECTION_WORKDAYS_DEFAULT, server_default=str(CORRECTION_WORKDAYS_DEFAULT)
    )
    legal_basis_zh: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    routing: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def departments_acting(self) -> list[str]:
        """Departments named by the routing plan, in order of first appearance."""
        seen: list[str] = []
        for stage in self.routing:
            for step in stage["steps"]:
                if step["department"] not in seen:
                    seen.append(step["department"])
        return seen

    def __repr__(self) -> str:
        return f"<Service {self.code}>"
