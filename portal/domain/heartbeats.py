"""Who is alive in the background: each running worker keeps a heartbeat
row fresh every few seconds, and renews the leases of the outbox messages
it holds in the same beat. A worker killed outright stops beating; its
leases lapse within ``dispatch.HEARTBEAT_LEASE`` and another worker takes
its messages. ``/readyz`` reads the freshness of the newest heartbeat and
the age of the oldest due message from here.

Like ``dispatch``, the beat commits: it must be visible to other
processes at once, and it runs on its own thread with its own session.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.models import OutboxMessage, WorkerHeartbeat
from portal.models.enums import OutboxStatus

BEAT_EVERY = timedelta(seconds=5)
FORGET_AFTER = timedelta(days=1)  # rows of workers that died are removed after this


@dataclass(frozen=True)
class WorkerIdentity:
    """A worker process: its id is unique per host, process and start, so a
    restarted worker never mistakes an old claim for its own."""

    id: str
    host: str
    pid: int

    @classmethod
    def of_this_process(cls) -> WorkerIdentity:
        host, pid = socket.gethostname(), os.getpid()
        return cls(f"{host[:30]}:{pid}:{uuid.uuid4().hex[:8]}", host, pid)

    def row(self, now: datetime) -> WorkerHeartbeat:
        return WorkerHeartbeat(id=self.id, host=self.host[:255], pid=self.pid, started_at=now, beat_at=now)


def register_worker(session: Session, worker: WorkerIdentity, now: datetime) -> None:
    """The worker's row, written when it starts; old rows of workers that
    died without saying so are forgotten at the same time."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    session.add(worker.row(now))
    session.commit()


def beat(session: Session, worker: WorkerIdentity, relay_ids: Iterable[str], now: datetime, lease: timedelta) -> int:
    """Refresh the worker's heartbeat and extend, to ``now + lease``, every
    pending message its lanes (``relay_ids``) hold. Returns the number of
    leases renewed. A row removed meanwhile (by an operator) is written again."""
    beaten = session.execute(
        update(WorkerHeartbeat).where(WorkerHeartbeat.id == worker.id).values(beat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    renewed = 0
    ids = list(relay_ids)
    if ids:
        renewed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_by.in_(ids), OutboxMessage.status == OutboxStatus.pending)
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not beaten:
        session.add(worker.row(now))
    session.commit()
    return renewed


def unregister_worker(session: Session, worker: WorkerIdentity) -> None:
    """A worker stopping cleanly removes its row."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.id == worker.id))
    session.commit()


def newest_heartbeat(session: Session) -> datetime | None:
    """When the most recently alive worker last beat (None: no worker has
    run, or every one stopped). Fresh means within a few ``BEAT_EVERY``."""
    return session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
