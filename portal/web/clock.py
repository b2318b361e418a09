"""The request's moment and working-day calendar, each taken once per
request and passed down to the domain, so one request has one "now" and
one Shanghai date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import g

from portal.db import db
from portal.domain.clock import WorkCalendar, current_calendar, local_date


def wall_clock() -> datetime:
    """The real time; tests replace it to stand at a chosen moment."""
    return datetime.now(UTC)


def request_now() -> datetime:
    """The moment of this request, in UTC."""
    if "request_now" not in g:
        g.request_now = wall_clock()
    return g.request_now


def request_today() -> date:
    """Today in Asia/Shanghai, the date every rule and page uses."""
    return local_date(request_now())


def request_calendar() -> WorkCalendar:
    """The working-day calendar, taken on first use in the request: the
    process's snapshot unless the calendar changed since."""
    if "work_calendar" not in g:
        g.work_calendar = current_calendar(db.session)
    return g.work_calendar
