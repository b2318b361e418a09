"""Stamps of data that processes keep in memory: the working-day calendar
and the catalog, and "work" — everything else a kept page shows (cases,
tasks, their timelines, tallies, ratings, the accounts named on them).

Every flush that adds, changes or deletes a row of the calendar or the
catalog writes a new stamp for it in the same transaction, so a snapshot
taken elsewhere goes stale exactly when the change commits, on every
worker and host, and a process checks it with one single-row read.

The work stamp changes far more often, with every case a window or an
officer touches, so it is written once per transaction, as the commit
begins (``before_commit``), and its row is locked only while the
transaction ends. Every table counts except the few in ``UNSHOWN``, which
change on their own all day (the worker's heartbeat, the outbox's claims,
a token's last use) and appear on no kept page. Writes that bypass the
ORM's flush — a Core statement on a connection — say so with
``work_changed``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    ApiToken,
    CalendarDay,
    CalendarYear,
    DataStamp,
    OutboxMessage,
    PeriodicRun,
    RecoveryCode,
    Service,
    TrackingFailure,
    VerificationCode,
    WorkerHeartbeat,
)

STAMPED = {"calendar": (CalendarDay, CalendarYear), "catalog": (Agency, Service)}
UNSHOWN = (DataStamp, WorkerHeartbeat, PeriodicRun, OutboxMessage, ApiToken, TrackingFailure, VerificationCode, RecoveryCode)
_UNSHOWN_TABLES = frozenset(model.__tablename__ for model in UNSHOWN)
_WORK_CHANGED = "work_changed"
# Core statements on the table, run on the session's connection past the
# ORM's execution: these reads run on every request that shows the
# calendar, the catalog or kept work, and the ORM's bookkeeping would cost
# more than the query itself.
_STAMP = select(DataStamp.__table__.c.stamp).where(DataStamp.__table__.c.name == bindparam("name"))
_STAMPS = select(DataStamp.__table__.c.name, DataStamp.__table__.c.stamp).where(
    DataStamp.__table__.c.name.in_(bindparam("names", expanding=True))
)


def read_stamp(session: Session, name: str) -> str | None:
    """The current stamp of ``name``; None where it was never stamped."""
    return session.connection().execute(_STAMP, {"name": name}).scalar()


def read_stamps(session: Session, names: tuple[str, ...]) -> dict[str, str]:
    """The stamps of ``names`` that exist, in one read."""
    if len(names) == 1:
        stamp = read_stamp(session, names[0])
        return {} if stamp is None else {names[0]: stamp}
    return dict(session.connection().execute(_STAMPS, {"names": list(names)}).all())


def restamp(session: Session, name: str) -> None:
    """Write a new stamp for ``name`` in the session's transaction: one
    UPDATE (an INSERT the first time)."""
    table, fresh = DataStamp.__table__, uuid.uuid4().hex
    connection = session.connection()
    if connection.execute(update(table).where(table.c.name == name).values(stamp=fresh)).rowcount == 0:
        connection.execute(insert(table).values(name=name, stamp=fresh))


@event.listens_for(Session, "before_flush")
def _restamp_changed_data(session: Session, _flush_context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    for name, models in STAMPED.items():
        if any(isinstance(row, models) for row in changed):
            restamp(session, name)


def work_changed(session: Session) -> None:
    """Note that this transaction changed what kept pages show, in a way
    the flush does not see (a Core statement on the connection)."""
    session.info[_WORK_CHANGED] = True


def unsettled(session: Session) -> bool:
    """This transaction changed what kept pages show and has not committed:
    a page rendered now must not be kept, since the change may yet be
    rolled back."""
    return bool(session.info.get(_WORK_CHANGED)) or _shown((*session.new, *session.dirty, *session.deleted))


def _shown(rows) -> bool:
    return any(not isinstance(row, UNSHOWN) for row in rows)


@event.listens_for(Session, "after_flush")
def _note_flushed_work(session: Session, _flush_context) -> None:
    if _shown((*session.new, *session.dirty, *session.deleted)):
        work_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_work(state) -> None:
    """An UPDATE, DELETE or INSERT statement run through the session."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in _UNSHOWN_TABLES:
        work_changed(state.session)


@event.listens_for(Session, "before_commit")
def _restamp_work(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: wait for the real commit
        return
    if session.info.pop(_WORK_CHANGED, False) or _shown((*session.new, *session.dirty, *session.deleted)):
        restamp(session, "work")


@event.listens_for(Session, "after_commit")
def _work_stamped(session: Session) -> None:
    session.info.pop(_WORK_CHANGED, None)  # a Core write after the stamp, in the commit's own bookkeeping


@event.listens_for(Session, "after_soft_rollback")
def _forget_work(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_WORK_CHANGED, None)
