"""Stamps of reference data that processes keep in memory: the working-day
calendar and the catalog. Every flush that adds, changes or deletes a row
of one of them writes a new stamp for it in the same transaction, so a
snapshot taken elsewhere goes stale exactly when the change commits, on
every worker and host, and a process checks it with one single-row read.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from portal.models import Agency, CalendarDay, CalendarYear, DataStamp, Service

STAMPED = {"calendar": (CalendarDay, CalendarYear), "catalog": (Agency, Service)}
# A Core statement on the table, not the ORM entity: this read runs on
# every request that shows the calendar or the catalog, and the ORM's
# bookkeeping would cost twice the query itself.
_STAMP = select(DataStamp.__table__.c.stamp).where(DataStamp.__table__.c.name == bindparam("name"))


def read_stamp(session: Session, name: str) -> str | None:
    """The current stamp of ``name``; None where it was never stamped."""
    return session.execute(_STAMP, {"name": name}).scalar()


def restamp(session: Session, name: str) -> None:
    fresh = uuid.uuid4().hex
    with session.no_autoflush:
        row = session.get(DataStamp, name)
    if row is None:
        session.add(DataStamp(name=name, stamp=fresh))
    else:
        row.stamp = fresh


@event.listens_for(Session, "before_flush")
def _restamp_changed_data(session: Session, _flush_context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    for name, models in STAMPED.items():
        if any(isinstance(row, models) for row in changed):
            restamp(session, name)
