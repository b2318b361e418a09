from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class DataStamp(Base):
    """A token that changes with every change to one body of reference data
    (the working-day calendar, the catalog), so a process that keeps it in
    memory knows when to read it again. A random token, not a counter: a
    database rebuilt from scratch never repeats an old stamp."""

    __tablename__ = "data_stamp"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
