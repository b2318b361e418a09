"""Daily tallies behind the supervisor's dashboard.

Cases are grouped by the day they arrived, their service, receiving window
and channel. Whenever a case or one of its tasks changes, the lifecycle
rebuilds that case's group (a few dozen cases) with one INSERT … SELECT per
table, so the dashboard sums a few thousand tally rows for a month however
many millions of cases the centre holds. ``rebuild_tallies`` does the same
for every group at once (after a bulk load or a repair).
"""

from __future__ import annotations

import zlib
from datetime import date
from functools import cache

from sqlalchemy import Integer, and_, bindparam, case, delete, event, func, insert, literal, select, text
from sqlalchemy.orm import Session

from portal.domain.stamps import work_changed
from portal.models import Case, CaseStatus, CaseTally, Rating, RatingFollowUp, Service, TallyValue, Task
from portal.models.enums import ServiceKind, TaskStatus

WHOLE = 0  # agency_id of the row that counts every case of a group
TARGET_WORKDAYS = 3
LOW_SCORE = 2  # 好差评: a rating of 2 or less is bad and opens a follow-up
INTAKE_FINE_MINUTES = 120  # intake minutes are exact up to here, then in 10-minute steps

_GROUP = (Case.received_on, Case.service_id, Case.receiving_county, Case.channel)
_TASK_CLOSED = (TaskStatus.completed, TaskStatus.refused)


def _n(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _task_figures(where, by_agency: bool):
    """One row per case (and agency) of the cases ``where`` selects: its
    tasks' counts and working days."""
    keys = (Task.case_id, Task.agency_id) if by_agency else (Task.case_id,)
    closed = Task.status.in_(_TASK_CLOSED)
    return (
        select(
            *keys,
            func.count().label("tasks"),
            _n(closed).label("tasks_closed"),
            func.coalesce(func.sum(case((closed, Task.workdays), else_=0)), 0).label("task_workdays_sum"),
            _n(and_(closed, Task.closed_at > Task.due_at)).label("tasks_late"),
        )
        .where(Task.status != TaskStatus.cancelled, Task.case_id.in_(select(Case.id).where(where)))
        .group_by(*keys)
        .subquery()
    )


def _tally_select(where, by_agency: bool):
    figures = _task_figures(where, by_agency)
    decided = Case.outcome.is_not(None)
    instant = Service.kind == ServiceKind.instant
    agency = figures.c.agency_id if by_agency else literal(WHOLE, Integer)
    join_kind = dict(isouter=not by_agency)
    s = Case.status
    query = (
        select(
            *_GROUP,
            agency,
            func.count(Case.id),
            _n(Case.accepted_at.is_not(None)),
            _n(Case.corrected.is_(True)),
            _n(s == CaseStatus.refused_intake),
            _n(s.in_((CaseStatus.submitted, CaseStatus.correction_requested))),
            _n(s.in_((CaseStatus.accepted, CaseStatus.in_progress))),
            _n(s == CaseStatus.suspended),
            _n(Case.outcome == "completed"),
            _n(Case.outcome == "refused"),
            _n(s == CaseStatus.withdrawn),
            _n(Case.delivered_at.is_not(None)),
            _n(and_(decided, Case.on_time.is_(True))),
            _n(and_(decided, Case.turnaround_workdays <= TARGET_WORKDAYS)),
            func.coalesce(func.sum(case((decided, Case.turnaround_workdays), else_=0)), 0),
            _n(and_(decided, instant)),
            _n(and_(decided, instant, Case.same_day.is_(True))),
            func.coalesce(func.sum(figures.c.tasks), 0),
            func.coalesce(func.sum(figures.c.tasks_closed), 0),
            func.coalesce(func.sum(figures.c.task_workdays_sum), 0),
            func.coalesce(func.sum(figures.c.tasks_late), 0),
            func.count(Rating.id),
            func.coalesce(func.sum(Rating.score), 0),
            _n(Rating.score <= LOW_SCORE),
            func.count(RatingFollowUp.id),
            _n(and_(RatingFollowUp.closed_at.is_not(None), RatingFollowUp.closed_at <= RatingFollowUp.due_at)),
            _n(RatingFollowUp.closed_at > RatingFollowUp.due_at),
        )
        .join(Service, Service.id == Case.service_id)
        .join(figures, figures.c.case_id == Case.id, **join_kind)
        .outerjoin(Rating, Rating.case_id == Case.id)
        .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == Rating.id)
        .where(where)
        .group_by(*_GROUP, *((figures.c.agency_id,) if by_agency else ()))
    )
    return query


_TALLY_COLUMNS = [
    "day", "service_id", "county", "channel", "agency_id", "received", "accepted", "corrected",
    "refused_intake", "waiting", "in_progress", "suspended", "completed", "refused", "withdrawn",
    "delivered", "on_time", "within_target", "turnaround_sum", "instant_decided", "instant_same_day",
    "tasks", "tasks_closed", "task_workdays_sum", "tasks_late",
    "rated", "score_sum", "rated_low", "follow_ups", "follow_ups_on_time", "follow_ups_late",
]


def _intake_value():
    m = Case.intake_minutes
    return case((m <= INTAKE_FINE_MINUTES, m), else_=(m // 10) * 10)


def _value_selects(where):
    """(measure, value, count) rows for the whole group and per agency."""
    agencies = (
        select(Task.case_id, Task.agency_id)
        .where(Task.status != TaskStatus.cancelled, Task.case_id.in_(select(Case.id).where(where)))
        .distinct()
        .subquery()
    )
    measures = (
        ("turnaround", Case.turnaround_workdays, and_(Case.outcome.is_not(None), Case.turnaround_workdays.is_not(None))),
        ("intake", _intake_value(), Case.intake_minutes.is_not(None)),
    )
    for name, value, present in measures:
        yield (
            select(*_GROUP, literal(WHOLE, Integer), literal(name), value, func.count())
            .where(where, present)
            .group_by(*_GROUP, value)
        )
        yield (
            select(*_GROUP, agencies.c.agency_id, literal(name), value, func.count())
            .join(agencies, agencies.c.case_id == Case.id)
            .where(where, present)
            .group_by(*_GROUP, agencies.c.agency_id, value)
        )


_VALUE_COLUMNS = ["day", "service_id", "county", "channel", "agency_id", "measure", "value", "count"]


def _fills(where) -> list:
    """The INSERT … SELECTs that write the tallies of the cases ``where`` selects."""
    return [
        *(insert(CaseTally).from_select(_TALLY_COLUMNS, _tally_select(where, by_agency)) for by_agency in (False, True)),
        *(insert(TallyValue).from_select(_VALUE_COLUMNS, query) for query in _value_selects(where)),
    ]


def _fill(session: Session, where) -> None:
    for statement in _fills(where):
        session.execute(statement)


@cache
def _group_statements() -> tuple:
    """The statements that rebuild one group, built once per process with the
    group as bound parameters: building these aggregates anew cost more than
    running them (about 40 ms of a walk-in filing's 80)."""
    group = {"day": bindparam("day"), "service_id": bindparam("service_id"), "county": bindparam("county"), "channel": bindparam("channel")}
    deletes = tuple(
        delete(model).where(
            model.day == group["day"], model.service_id == group["service_id"],
            model.county == group["county"], model.channel == group["channel"],
        )
        for model in (CaseTally, TallyValue)
    )
    where = and_(
        Case.received_on == group["day"], Case.service_id == group["service_id"],
        Case.receiving_county == group["county"], Case.channel == group["channel"],
    )
    return deletes + tuple(_fills(where))


def _lock_group(session: Session, key: tuple) -> None:
    """Two transactions rebuilding one group take turns on PostgreSQL, so
    the later one counts the earlier one's committed change. (SQLite
    writers already take turns.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(repr(key).encode())})


_MARKED = "tally_groups"


def mark_tally(session: Session, case_: Case) -> None:
    """Note that ``case_``'s group changed; it is rebuilt once, just before
    the transaction commits (after every task the change created exists).
    The rebuild's Core statements pass the flush by, so the work stamp is
    told here."""
    work_changed(session)
    session.info.setdefault(_MARKED, set()).add(
        (case_.received_on, case_.service_id, case_.receiving_county, case_.channel)
    )


# First of the commit's listeners (insert=True): the work stamp, written
# after it, is then locked only while the transaction ends, and every
# committer takes the group locks before the stamp's row.
@event.listens_for(Session, "before_commit", insert=True)
def _refresh_marked(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: wait for the real commit
        return
    groups = session.info.pop(_MARKED, set())
    if groups:
        session.flush()
    for group in sorted(groups, key=repr):  # one order, so two committers lock alike
        refresh_group(session, *group)


@event.listens_for(Session, "after_soft_rollback")
def _forget_marked(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_MARKED, None)


def refresh_group(session: Session, day: date, service_id: int, county, channel) -> None:
    """Rebuild the tallies of one group, in the caller's transaction."""
    _lock_group(session, (day.isoformat(), service_id, county.value, channel.value))
    params = {"day": day, "service_id": service_id, "county": county, "channel": channel}
    connection = session.connection()  # Core: with parameters, the ORM would take an INSERT … SELECT for a bulk insert
    for statement in _group_statements():
        connection.execute(statement, params)


def rebuild_tallies(session: Session, since: date | None = None) -> int:
    """Rebuild every group (or those from ``since``); returns the tally rows written."""
    for model in (CaseTally, TallyValue):
        session.execute(delete(model).where(model.day >= since) if since else delete(model))
    _fill(session, Case.received_on >= since if since else Case.id.is_not(None))
    return session.scalar(select(func.count()).select_from(CaseTally)) or 0


