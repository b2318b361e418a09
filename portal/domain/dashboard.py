"""The supervisor's dashboard: figures for cases received in a date range,
summed from the daily tallies in the database, with percentiles read from
the tallies' value counts; open overdue work read live from the tasks.

Definitions (shown on the page too):
- decided: completed or refused after review (办结), delivered or not;
- on time: decided by the due date (suspension moves the due date);
- turnaround: working days from acceptance to decision, suspension excluded;
- intake: minutes from arrival to acceptance, at the window or online.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer, selectinload

from portal.domain.catalog import LISTED_SERVICE
from portal.domain.deadlines import overdue_task_clause
from portal.domain.tallies import WHOLE
from portal.models import Agency, Case, CaseTally, Service, TallyValue, Task
from portal.models.enums import Channel, County, Department, ServiceMode, TaskStatus

COUNTS = (
    "received", "accepted", "refused_intake", "waiting", "in_progress", "suspended",
    "completed", "refused", "withdrawn", "delivered",
)
SUMS = COUNTS + (
    "corrected", "on_time", "within_target", "turnaround_sum", "instant_decided", "instant_same_day",
    "tasks", "tasks_closed", "task_workdays_sum", "tasks_late",
)
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    county: County | None = None
    department: Department | None = None
    agency_id: int | None = None
    service_code: str | None = None
    channel: Channel | None = None
    mode: ServiceMode | None = None

    @property
    def on_service(self) -> bool:
        """A filter on the service itself (its code, department or mode)."""
        return any(v is not None for v in (self.service_code, self.department, self.mode))

    def query_args(self) -> dict:
        """The filters as URL parameters, for links and exports."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in ("county", "department", "channel", "mode"):
            value = getattr(self, name)
            if value is not None:
                args[name] = value.value
        if self.agency_id:
            args["agency"] = self.agency_id
        if self.service_code:
            args["service"] = self.service_code
        return args


def month_range(today: date) -> tuple[date, date]:
    return today.replace(day=1), today


@dataclass
class Figures:
    """Sums over tally rows, with the rates and means derived from them."""

    sums: dict = field(default_factory=dict)

    def __getattr__(self, name):
        sums = self.__dict__.get("sums", {})
        if name in sums:
            return sums[name]
        raise AttributeError(name)

    @property
    def decided(self) -> int:
        return self.completed + self.refused

    def share(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self.share(self.on_time, self.decided)

    @property
    def mean_turnaround(self) -> float | None:
        return self.turnaround_sum / self.decided if self.decided else None

    @property
    def correction_rate(self) -> float | None:
        return self.share(self.corrected, self.received)

    @property
    def same_day_rate(self) -> float | None:
        return self.share(self.instant_same_day, self.instant_decided)

    @property
    def mean_task_workdays(self) -> float | None:
        return self.task_workdays_sum / self.tasks_closed if self.tasks_closed else None


@cache
def _sum_columns() -> tuple:
    """The tally columns summed, built once: the expressions are immutable,
    and building them anew was a tenth of the dashboard's time."""
    return tuple(func.coalesce(func.sum(getattr(CaseTally, name)), 0).label(name) for name in SUMS)


def tally_scope(query: Select, model, filters: Filters, *, by_agency: bool = False, service: bool = False) -> Select:
    """Apply the filters to a query over CaseTally or TallyValue; the
    service is joined for a filter on it, or where the query reads it
    (``service``)."""
    query = query.where(model.day >= filters.start, model.day <= filters.end)
    if service or filters.on_service:
        query = query.join(Service, Service.id == model.service_id)
    if by_agency:
        query = query.where(model.agency_id != WHOLE)
        if filters.agency_id:
            query = query.where(model.agency_id == filters.agency_id)
    else:
        query = query.where(model.agency_id == (filters.agency_id or WHOLE))
    if filters.county:
        query = query.where(model.county == filters.county)
    if filters.channel:
        query = query.where(model.channel == filters.channel)
    if filters.service_code:
        query = query.where(Service.code == filters.service_code)
    if filters.department:
        query = query.where(Service.department == filters.department)
    if filters.mode:
        query = query.where(Service.mode == filters.mode)
    return query


def _figures(row) -> Figures:
    return Figures({name: int(getattr(row, name) or 0) for name in SUMS})


def totals(session: Session, filters: Filters) -> Figures:
    return _figures(session.execute(tally_scope(select(*_sum_columns()), CaseTally, filters)).one())


def value_counts(session: Session, filters: Filters, measure: str) -> list[tuple[int, int]]:
    """(value, cases) in value order: at most a few hundred rows."""
    query = tally_scope(
        select(TallyValue.value, func.sum(TallyValue.count)).where(TallyValue.measure == measure),
        TallyValue, filters,
    )
    return [(v, int(n)) for v, n in session.execute(query.group_by(TallyValue.value).order_by(TallyValue.value))]


def percentile(counts: list[tuple[int, int]], p: float) -> int | None:
    """Nearest-rank percentile of a value histogram: the smallest value
    with at least p% of cases at or below it."""
    total = sum(n for _v, n in counts)
    if not total:
        return None
    rank = max(1, -(-total * p // 100))  # ceil(total · p / 100)
    seen = 0
    for value, n in counts:
        seen += n
        if seen >= rank:
            return value
    return counts[-1][0]


def by_service(session: Session, filters: Filters) -> list[tuple[Service, Figures]]:
    query = tally_scope(select(CaseTally.service_id, *_sum_columns()), CaseTally, filters).group_by(
        CaseTally.service_id
    )
    rows = session.execute(query).all()
    services = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_([r.service_id for r in rows])))}
    return [(services[r.service_id], _figures(r)) for r in rows]


def by_agency(session: Session, filters: Filters, now: datetime) -> list[tuple[Agency, Figures, int]]:
    """Each agency's cases and own tasks in the range, with its open overdue tasks now."""
    query = tally_scope(select(CaseTally.agency_id, *_sum_columns()), CaseTally, filters, by_agency=True).group_by(
        CaseTally.agency_id
    )
    rows = session.execute(query).all()
    overdue = dict(
        session.execute(
            _overdue_scope(select(Task.agency_id, func.count(Task.id)), filters, now).group_by(Task.agency_id)
        ).all()
    )
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    found = [(agencies[r.agency_id], _figures(r), overdue.get(r.agency_id, 0)) for r in rows]
    listed = {a.id for a, _f, _o in found}
    # An agency with overdue work from earlier months still appears.
    for agency_id, n in overdue.items():
        if agency_id not in listed:
            found.append((agencies[agency_id], Figures(dict.fromkeys(SUMS, 0)), n))
    return found


def weekly(session: Session, filters: Filters) -> list[tuple[date, Figures]]:
    """Weeks (from Monday) of the range: cases received and decided on time."""
    query = tally_scope(select(CaseTally.day, *_sum_columns()), CaseTally, filters).group_by(CaseTally.day)
    weeks: dict[date, dict] = {}
    for row in session.execute(query):
        monday = row.day - timedelta(days=row.day.weekday())
        bucket = weeks.setdefault(monday, dict.fromkeys(SUMS, 0))
        for name in SUMS:
            bucket[name] += int(getattr(row, name) or 0)
    first = filters.start - timedelta(days=filters.start.weekday())
    result, monday = [], first
    while monday <= filters.end:
        result.append((monday, Figures(weeks.get(monday, dict.fromkeys(SUMS, 0)))))
        monday += timedelta(days=7)
    return result


def case_filters(query: Select, filters: Filters, *, received: bool = True, agency: bool = True) -> Select:
    """The filters on a query that already joins Case and Service: the
    arrival range (unless ``received`` is False), window, channel, service,
    department, mode and, unless ``agency`` is False, cases in which the
    agency has a task that was not cancelled."""
    if received:
        query = query.where(Case.received_on >= filters.start, Case.received_on <= filters.end)
    for column, value in (
        (Case.receiving_county, filters.county), (Case.channel, filters.channel), (Service.code, filters.service_code),
        (Service.department, filters.department), (Service.mode, filters.mode),
    ):
        if value is not None:
            query = query.where(column == value)
    if agency and filters.agency_id:
        query = query.where(
            select(Task.id)
            .where(Task.case_id == Case.id, Task.agency_id == filters.agency_id, Task.status != TaskStatus.cancelled)
            .exists()
        )
    return query


def cases_query(filters: Filters) -> Select:
    """The cases received in the range with the filters, oldest first (the CSV export)."""
    query = select(Case).join(Service, Service.id == Case.service_id).options(selectinload(Case.service))
    return case_filters(query, filters).order_by(Case.submitted_at, Case.id)


def _overdue_scope(query: Select, filters: Filters, now: datetime) -> Select:
    """Overdue tasks (``deadlines.task_level``), whenever their case arrived;
    the other filters apply, the agency's to the task itself."""
    query = query.where(overdue_task_clause(now))
    if filters.agency_id:
        query = query.where(Task.agency_id == filters.agency_id)
    # The case and its service are joined only for a filter on them: on a
    # million cases the unfiltered count reads the task index alone.
    if filters.on_service or filters.county is not None or filters.channel is not None:
        query = query.join(Case, Case.id == Task.case_id)
        if filters.on_service:
            query = query.join(Service, Service.id == Case.service_id)
        query = case_filters(query, filters, received=False, agency=False)
    return query


def overdue_work(session: Session, filters: Filters, now: datetime, limit: int = 100) -> tuple[list[Task], int]:
    """The oldest overdue open tasks first, and how many there are in all."""
    tasks = session.scalars(
        _overdue_scope(select(Task), filters, now)
        .options(
            selectinload(Task.case).options(defer(Case.form_data), selectinload(Case.service).options(*LISTED_SERVICE)),
            selectinload(Task.agency),
            selectinload(Task.assignee),
        )
        .order_by(Task.due_at, Task.id)
        .limit(limit)
    ).all()
    total = session.scalar(_overdue_scope(select(func.count(Task.id)), filters, now))
    return list(tasks), total or 0


@dataclass
class Dashboard:
    filters: Filters
    totals: Figures
    turnaround_p90: int | None
    intake_median: int | None
    intake_p90: int | None
    services: list
    agencies: list
    weeks: list
    overdue: list
    overdue_total: int


def dashboard(session: Session, filters: Filters, now: datetime) -> Dashboard:
    intake = value_counts(session, filters, "intake")
    overdue, overdue_total = overdue_work(session, filters, now)
    return Dashboard(
        filters=filters,
        totals=totals(session, filters),
        turnaround_p90=percentile(value_counts(session, filters, "turnaround"), 90),
        intake_median=percentile(intake, 50),
        intake_p90=percentile(intake, 90),
        services=by_service(session, filters),
        agencies=by_agency(session, filters, now),
        weeks=weekly(session, filters),
        overdue=overdue,
        overdue_total=overdue_total,
    )

