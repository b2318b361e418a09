"""Stamps of data that processes keep in memory: the working-day calendar
and the catalog, and "work" — everything else a kept page shows (cases,
tasks, their timelines, tallies, ratings, the accounts named on them).

Every flush that adds, changes or deletes a row of the calendar or the
catalog writes a new stamp for it in the same transaction, so a snapshot
taken elsewhere goes stale exactly when the change commits, on every
worker and host, and a process checks it with one single-row read.

The work stamp changes far more often, with every case a window or an
officer touches, so it is written once per transaction, as the commit
begins (``before_commit``) and after the transaction's last flush: its
row is the last one a committer locks, held only while the transaction
ends. Every table counts except the few in ``UNSHOWN``, which change on
their own all day (the worker's heartbeat, the outbox's claims, a token's
last use, a lockout) and appear on no kept page, and an account's
sign-in bookkeeping (``UNSHOWN_COLUMNS``). Writes that bypass the ORM's
flush — a Core statement on a connection — say so with ``work_changed``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, event, insert, inspect, select, update
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
    TrackingLockout,
    User,
    VerificationCode,
    WorkerHeartbeat,
)

STAMPED = {"calendar": (CalendarDay, CalendarYear), "catalog": (Agency, Service)}
UNSHOWN = (
    DataStamp, WorkerHeartbeat, PeriodicRun, OutboxMessage, ApiToken, TrackingFailure, TrackingLockout,
    VerificationCode, RecoveryCode,
)
# An account's sign-in bookkeeping: written at every sign-in, shown nowhere.
UNSHOWN_COLUMNS = {
    User: frozenset({
        "password_hash", "locale", "session_version", "last_login_at", "totp_secret", "totp_enrolled_at",
        "totp_last_step", "second_factor_nonce", "second_factor_failures", "password_setup_nonce",
        "password_setup_until",
    }),
}
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
    return bool(session.info.get(_WORK_CHANGED)) or _shown_changes(session)


def _shown_changes(session: Session) -> bool:
    """Rows added, deleted or changed (pending, or just flushed) that a kept page may show."""
    if any(not isinstance(row, UNSHOWN) for row in (*session.new, *session.deleted)):
        return True
    return any(_shown_update(row) for row in session.dirty)


def _shown_update(row) -> bool:
    if isinstance(row, UNSHOWN):
        return False
    quiet = UNSHOWN_COLUMNS.get(type(row))
    if quiet is None:
        return True
    return any(attr.history.has_changes() for attr in inspect(row).attrs if attr.key not in quiet)


@event.listens_for(Session, "after_flush")
def _note_flushed_work(session: Session, _flush_context) -> None:
    if _shown_changes(session):  # still the flush's changes here
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
    """The stamp's row is written last, after every other row the
    transaction writes is flushed, so a committer holds it only while its
    transaction ends and never waits for another row while holding it."""
    if session.in_nested_transaction():  # a savepoint: wait for the real commit
        return
    session.flush()
    if session.info.pop(_WORK_CHANGED, False):
        restamp(session, "work")


@event.listens_for(Session, "after_commit")
def _work_stamped(session: Session) -> None:
    session.info.pop(_WORK_CHANGED, None)  # a Core write after the stamp, in the commit's own bookkeeping


@event.listens_for(Session, "after_soft_rollback")
def _forget_work(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_WORK_CHANGED, None)
