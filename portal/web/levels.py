"""Levels on every list: one calendar per request, read on first use."""

from __future__ import annotations

from portal.domain.deadlines import case_has_level, case_level, task_has_level, task_level
from portal.web.clock import request_calendar, request_now


def _clock():
    return request_calendar(), request_now()


def level_of_case(case):
    """``deadlines.case_level`` now; the calendar is read only for a case that has a level."""
    if not case_has_level(case):
        return None
    calendar, now = _clock()
    return case_level(calendar, case, now)


def level_of_task(task):
    """``deadlines.task_level`` now; the calendar is read only for a task that has a level."""
    if not task_has_level(task):
        return None
    calendar, now = _clock()
    return task_level(calendar, task, now)


def init_app(app) -> None:
    app.jinja_env.globals.update(level_of_case=level_of_case, level_of_task=level_of_task)
