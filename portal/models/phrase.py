"""常用语: ready phrases administrators keep for the texts staff write —
correction items, refusals at intake, an officer's opinion or refusal —
for one service or for all of them."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.catalog import Service
from portal.models.enums import constrained


class PhraseUse(str, enum.Enum):
    correction = "correction"  # 补正: the reason beside an item of a correction notice
    intake_refusal = "intake_refusal"  # 不予受理: the window's reason
    task_opinion = "task_opinion"  # an officer's opinion when completing a task
    task_refusal = "task_refusal"  # an officer's legal reason for refusing


class Phrase(Base):
    __tablename__ = "phrase"
    __table_args__ = (Index("ix_phrase_use_service", "use", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use: Mapped[PhraseUse] = mapped_column(constrained(PhraseUse, "phrase_use"))
    # None: offered for every service.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    service: Mapped[Service | None] = relationship()
    text_zh: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
