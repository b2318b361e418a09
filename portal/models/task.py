from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.case import Case
from portal.models.enums import TaskStatus, constrained
from portal.models.types import UTCDateTime
from portal.models.user import User


class Task(Base):
    """One agency's piece of a case: a step of the service's routing plan
    resolved to a concrete agency in Changshan or Yushan."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_agency_status_due", "agency_id", "status", "due_at"),
        Index("ix_task_case", "case_id"),
        Index("ix_task_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    case: Mapped[Case] = relationship(backref="tasks")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    agency: Mapped[Agency] = relationship()
    stage: Mapped[int] = mapped_column(Integer)
    stage_name_zh: Mapped[str] = mapped_column(String(100))
    stage_name_en: Mapped[str] = mapped_column(String(200))
    action_zh: Mapped[str] = mapped_column(String(200))
    action_en: Mapped[str] = mapped_column(String(300))
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)  # fact outside our counties
    status: Mapped[TaskStatus] = mapped_column(constrained(TaskStatus, "task_status"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assignee: Mapped[User | None] = relationship()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opinion: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    workdays: Mapped[int | None] = mapped_column(Integer)  # created → closed, suspension excluded
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.agency_id} {self.status.value}>"
