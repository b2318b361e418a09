"""Levels on every list: one calendar per request, read on first use."""

from __future__ import annotations

from portal.domain.deadlines import case_level
from portal.domain.queue import due_soon_limit, task_level
from portal.web.clock import request_calendar, request_now


def _clock():
    return request_calendar(), request_now()


def level_of_case(case):
    """On track / due within 1 working day / overdue, for an open accepted case."""
    if case.due_at is None or not case.status.clock_running:
        return None
    calendar, now = _clock()
    return case_level(calendar, case, now)


def level_of_task(task):
    if not task.status.is_active or task.status.value in ("suspended", "returned"):
        return None
    calendar, now = _clock()
    return task_level(task, now, due_soon_limit(calendar, now))


def init_app(app) -> None:
    app.jinja_env.globals.update(level_of_case=level_of_case, level_of_task=level_of_task)
