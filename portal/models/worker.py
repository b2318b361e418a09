"""The background worker's own records: who is alive (a heartbeat row per
running worker) and which periodic runs have happened (one row per job and
interval, so several workers run each interval once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.types import UTCDateTime


class WorkerHeartbeat(Base):
    """A running worker, refreshed every few seconds while it lives; removed
    when it stops cleanly. A row whose ``beat_at`` is old is a worker that
    died (its claims on the outbox lapse with their leases)."""

    __tablename__ = "worker_heartbeat"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PeriodicRun(Base):
    """One run of a periodic job for the interval starting at ``slot_start``.
    The primary key is the claim: the worker whose insert succeeds runs
    the job, the others skip it."""

    __tablename__ = "periodic_run"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20), default="running")  # running, done, failed
    summary: Mapped[str] = mapped_column(Text, default="")
