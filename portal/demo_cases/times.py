"""When things happen: window clerks and officers act in office hours on
working days, residents use the portal from morning to late evening any
day. All moments are returned in UTC."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from portal.demo_cases.setting import Demo
from portal.domain.clock import SHANGHAI, WorkCalendar

OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


def local_datetime(day: date, at: time) -> datetime:
    """``at`` o'clock on ``day``, Shanghai time."""
    return datetime.combine(day, at, tzinfo=SHANGHAI)


def office_sessions(calendar: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The office sessions of ``day`` (none on a day off)."""
    if not calendar.is_workday(day):
        return []
    return [(local_datetime(day, start), local_datetime(day, end)) for start, end in OFFICE_HOURS]


def office_minutes_later(calendar: WorkCalendar, moment: datetime, minutes: float) -> datetime:
    """``minutes`` of office time after ``moment``; from outside office
    hours, counted from the next opening."""
    remaining, local = timedelta(minutes=minutes), moment.astimezone(SHANGHAI)
    day = local.date()
    while True:
        for start, end in office_sessions(calendar, day):
            begin = max(start, local)
            if begin >= end:
                continue
            if begin + remaining <= end:
                return (begin + remaining).astimezone(UTC)
            remaining -= end - begin
        day += timedelta(days=1)


def office_minutes_earlier(calendar: WorkCalendar, moment: datetime, minutes: float) -> datetime:
    """``minutes`` of office time before ``moment`` (0: the last office moment up to it)."""
    remaining, local = timedelta(minutes=minutes), moment.astimezone(SHANGHAI)
    day = local.date()
    while True:
        for start, end in reversed(office_sessions(calendar, day)):
            finish = min(end, local)
            if finish <= start:
                continue
            if finish - remaining >= start:
                return (finish - remaining).astimezone(UTC)
            remaining -= finish - start
        day -= timedelta(days=1)


def office_minutes_between(calendar: WorkCalendar, start: datetime, end: datetime) -> float:
    total, day = timedelta(), start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        for open_, close in office_sessions(calendar, day):
            low, high = max(open_, start), min(close, end)
            if high > low:
                total += high - low
        day += timedelta(days=1)
    return total.total_seconds() / 60


def office_moment(
    calendar: WorkCalendar, rng: random.Random, day: date, not_before: datetime | None = None, until: time | None = None
) -> datetime | None:
    """A random moment in the office hours of ``day``, not before
    ``not_before`` and not after ``until``; None when none is left."""
    start = local_datetime(day, time(0))
    if not_before is not None:
        start = max(start, not_before.astimezone(SHANGHAI))
    end = local_datetime(day, until) if until else local_datetime(day + timedelta(days=1), time(0))
    available = office_minutes_between(calendar, start, end)
    if available <= 0:
        return None
    return office_minutes_later(calendar, start, rng.uniform(0, available))


def office_moment_from(calendar: WorkCalendar, rng: random.Random, day: date, not_before: datetime) -> datetime:
    """A random office moment on ``day``, or on the first working day after it that has one."""
    while True:
        found = office_moment(calendar, rng, day, not_before)
        if found is not None:
            return found
        day += timedelta(days=1)


def soon(calendar: WorkCalendar, rng: random.Random, after: datetime, low: float, high: float) -> datetime:
    """``low`` to ``high`` office minutes after ``after``, before closing
    time that day when there is room: an instant matter (即办件) is
    finished the day it is accepted."""
    local = after.astimezone(SHANGHAI)
    left = office_minutes_between(calendar, local, local_datetime(local.date() + timedelta(days=1), time(0)))
    if left >= low:
        high = min(high, left)
    return office_minutes_later(calendar, after, rng.uniform(low, high))


def waking_moment(rng: random.Random, day: date, not_before: datetime | None = None) -> datetime:
    """When a resident might use the portal: 07:30–22:30, any day."""
    while True:
        start, end = local_datetime(day, time(7, 30)), local_datetime(day, time(22, 30))
        if not_before is not None:
            start = max(start, not_before.astimezone(SHANGHAI))
        if start < end:
            return (start + (end - start) * rng.random()).astimezone(UTC)
        day += timedelta(days=1)


def workday_between(demo: Demo, rng: random.Random, low: date, high: date) -> date | None:
    """A random working day from ``low`` to ``high``, or None."""
    if low < demo.calendar.first_day:
        return None
    days = [low + timedelta(days=k) for k in range((high - low).days + 1)]
    days = [d for d in days if demo.calendar.is_workday(d)]
    return rng.choice(days) if days else None


def recent_workday(demo: Demo, back: int) -> date:
    """The working day ``back`` working days before the latest one of the period."""
    return demo.workdays[max(0, len(demo.workdays) - 1 - back)]
