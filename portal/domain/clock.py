"""The clock: working days, deadlines, suspension and levels.

All deadline arithmetic lives here. A :class:`WorkCalendar` is a snapshot
of the calendar table read in two statements; from it every question is
one or two list lookups through a workday ordinal (the number of working
days up to and including each date), whatever N and the date range.
Years beyond the table are estimated in memory and flagged provisional.

Each process keeps the calendar it read (:func:`current_calendar`) until
the calendar's stamp changes (``domain.stamps``): a correction made
through any worker or host is seen by all of them at their next request,
for the price of one single-row read.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.holidays import estimated_days
from portal.domain.stamps import read_stamp
from portal.models.calendar import CalendarDay, CalendarYear
from portal.models.enums import YearStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


class Level(str, enum.Enum):
    on_track = "on_track"
    due_soon = "due_soon"  # due within 1 working day
    overdue = "overdue"


@dataclass(frozen=True)
class Deadline:
    due_date: date
    due_at: datetime  # UTC: the end of due_date in Asia/Shanghai
    provisional: bool


@dataclass(frozen=True)
class Suspension:
    started_at: datetime
    ended_at: datetime | None = None


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI).astimezone(UTC)


def next_midnight(moment: datetime) -> datetime:
    """The moment the next Shanghai day begins, in UTC."""
    return datetime.combine(local_date(moment) + timedelta(days=1), time.min, tzinfo=SHANGHAI).astimezone(UTC)


class WorkCalendar:
    """Working days over a contiguous range of dates."""

    def __init__(self, days: Iterable[tuple[date, bool]], provisional_years: Iterable[int] = ()):
        ordered = sorted(days)
        if not ordered:
            raise ValueError("the calendar is empty; run `flask --app portal calendar seed`")
        self._first = ordered[0][0]
        self._last = self._first - timedelta(days=1)
        self._workday: list[bool] = []
        self._ordinal: list[int] = []  # working days from _first up to and including each date
        self._workday_dates: list[date] = []  # the k-th working day is _workday_dates[k - 1]
        self._provisional = set(provisional_years)
        self._growing = threading.Lock()  # one snapshot serves a process's threads
        for day, workday in ordered:
            if day != self._last + timedelta(days=1):
                raise ValueError(f"the calendar has a gap before {day}")
            self._append(day, workday)

    @classmethod
    def load(cls, session: Session) -> WorkCalendar:
        """Read the whole table: two statements, whatever is asked later."""
        days = session.execute(select(CalendarDay.day, CalendarDay.workday)).all()
        provisional = session.scalars(
            select(CalendarYear.year).where(CalendarYear.status == YearStatus.provisional)
        ).all()
        return cls(((d, w) for d, w in days), provisional)

    # -- building ---------------------------------------------------------
    def _append(self, day: date, workday: bool) -> None:
        self._last = day
        self._workday.append(workday)
        previous = self._ordinal[-1] if self._ordinal else 0
        self._ordinal.append(previous + (1 if workday else 0))
        if workday:
            self._workday_dates.append(day)

    def _extend_through(self, day: date) -> None:
        """Estimate whole years past the table, marking them provisional."""
        if day <= self._last:
            return
        with self._growing:
            while day > self._last:
                year = self._last.year + 1
                for spec in estimated_days(year):
                    self._append(spec.day, spec.workday)
                self._provisional.add(year)

    def _index(self, day: date) -> int:
        if day < self._first:
            raise ValueError(f"{day} is before the calendar starts ({self._first})")
        self._extend_through(day)
        return (day - self._first).days

    # -- questions --------------------------------------------------------
    @property
    def first_day(self) -> date:
        return self._first

    def is_workday(self, day: date) -> bool:
        return self._workday[self._index(day)]

    def is_provisional(self, day: date) -> bool:
        self._extend_through(day)
        return day.year in self._provisional

    def ordinal(self, day: date) -> int:
        """Working days from the start of the calendar up to and including ``day``."""
        return self._ordinal[self._index(day)]

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        return self.ordinal(end) - self.ordinal(start)

    def nth_workday_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        target = self.ordinal(day) + n
        while len(self._workday_dates) < target:
            self._extend_through(self._last + timedelta(days=1))
        return self._workday_dates[target - 1]

    def workday_on_or_after(self, day: date) -> date:
        return day if self.is_workday(day) else self.nth_workday_after(day, 1)

    def workday_on_or_before(self, day: date) -> date | None:
        """The last working day up to ``day``, or None before the first one."""
        k = self.ordinal(day)
        return self._workday_dates[k - 1] if k else None

    def provisional_years(self) -> set[int]:
        return set(self._provisional)


def due_date(calendar: WorkCalendar, accepted_on: date, workdays: int) -> date:
    """N working days after acceptance, the acceptance day not counted.
    N = 0 is the acceptance day itself, or the next working day when
    accepted on a non-working day."""
    if workdays < 0:
        raise ValueError("workdays must not be negative")
    if workdays == 0:
        return calendar.workday_on_or_after(accepted_on)
    return calendar.nth_workday_after(accepted_on, workdays)


def suspended_workdays(calendar: WorkCalendar, suspensions: Iterable[Suspension], now: datetime) -> int:
    """Working days the clock stood still: for each interval, the working
    days in (start date, end date], an open interval ending now. A
    suspension that starts and ends on one day costs nothing."""
    total = 0
    for interval in suspensions:
        end = interval.ended_at or now
        total += max(0, calendar.workdays_between(local_date(interval.started_at), local_date(end)))
    return total


def deadline(
    calendar: WorkCalendar,
    accepted_at: datetime,
    workdays: int,
    suspensions: Iterable[Suspension] = (),
    now: datetime | None = None,
) -> Deadline:
    """The due date of work accepted at ``accepted_at`` with ``workdays`` to
    do, moved later by the working days spent suspended."""
    suspensions = list(suspensions)
    if any(s.ended_at is None for s in suspensions) and now is None:
        raise ValueError("an open suspension needs `now`")
    day = due_date(calendar, local_date(accepted_at), workdays)
    extra = suspended_workdays(calendar, suspensions, now) if suspensions else 0
    if extra:
        day = calendar.nth_workday_after(day, extra)
    provisional = any(
        calendar.is_provisional(date(year, 1, 1))
        for year in range(local_date(accepted_at).year, day.year + 1)
    )
    return Deadline(day, end_of_day(day), provisional)


def workdays_used(
    calendar: WorkCalendar, accepted_at: datetime, suspensions: Iterable[Suspension], now: datetime
) -> int:
    """Working days since acceptance (acceptance day not counted), suspension excluded."""
    used = calendar.workdays_between(local_date(accepted_at), local_date(now))
    return max(0, used - suspended_workdays(calendar, suspensions, now))


def workdays_left(calendar: WorkCalendar, due: Deadline, now: datetime) -> int:
    """Working days from today to the due date: 0 when due today, negative
    when overdue (by that many working days)."""
    return calendar.ordinal(due.due_date) - calendar.ordinal(local_date(now))


def due_soon_before(calendar: WorkCalendar, now: datetime) -> datetime:
    """The first moment that is no longer "due within 1 working day": the
    start, in Shanghai, of the second working day after today. Work due
    before it is due today or on the next working day."""
    second = calendar.nth_workday_after(local_date(now), 2)
    return datetime.combine(second, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def level(calendar: WorkCalendar, due: Deadline, now: datetime) -> Level:
    """Overdue once the due moment (the end of the due day) has passed; due
    within 1 working day when the due date is today or the next working
    day; otherwise on track. The SQL form of this rule
    (``deadlines.task_level_clause``) compares with the same two moments."""
    if due.due_at < now:
        return Level.overdue
    if due.due_at < due_soon_before(calendar, now):
        return Level.due_soon
    return Level.on_track


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Shanghai time with its offset, e.g. 2026-11-28T21:52:41+08:00,
    as the API, Open311 and partner messages write times."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


# -- one snapshot per process, read again when the stamp changes ------------

_snapshots: dict[str, tuple[str, WorkCalendar]] = {}  # database URL -> (stamp, calendar)
_snapshots_lock = threading.Lock()


def current_calendar(session: Session) -> WorkCalendar:
    """The calendar as the database has it now: this process's snapshot
    while the calendar's stamp is unchanged (one single-row read), else
    read anew (``domain.stamps``)."""
    stamp = read_stamp(session, "calendar")
    if stamp is None:
        return WorkCalendar.load(session)  # a calendar never stamped: nothing to trust a snapshot on
    url = session.get_bind().url.render_as_string(hide_password=True)
    kept = _snapshots.get(url)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    calendar = WorkCalendar.load(session)
    with _snapshots_lock:
        _snapshots[url] = (stamp, calendar)
    return calendar
