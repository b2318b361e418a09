"""One level rule for cases and tasks: on track, due within 1 working day
or overdue, only while the work's clock runs; the SQL filters of the
queue and the alert sweep pick exactly the work the rule names."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.domain.clock import SHANGHAI, Level, end_of_day, local_date
from portal.domain.deadlines import case_level, case_level_clause, task_level, task_level_clause
from portal.models import Case, Task
from portal.models.enums import TaskStatus
from tests.factories import at, create_case, create_task

TASK_STATUSES = ("open", "claimed", "suspended", "returned", "completed", "refused", "cancelled")
CASE_STATUSES = ("accepted", "in_progress", "suspended", "completed", "delivered")

# Moments around which the boundaries differ: a working day's noon and its
# last second, a Friday (the next working day is Monday), a Saturday, and
# the last working day before the National Day holiday (next: 10-08).
NOWS = {
    "Thursday noon": at("2026-11-05", 12),
    "Thursday's last second": datetime(2026, 11, 5, 23, 59, 59, tzinfo=SHANGHAI),
    "Friday": at("2026-11-06", 9),
    "Saturday": at("2026-11-07", 15),
    "before the holiday": at("2026-09-30", 17),
}


def due_moments(calendar, now):
    """Due dates at every boundary the rule has, and a minute either side of now."""
    today = local_date(now)
    next_workday = calendar.nth_workday_after(today, 1)
    second_workday = calendar.nth_workday_after(today, 2)
    return {
        "due yesterday": end_of_day(today - timedelta(days=1)),
        "overdue by a minute": now - timedelta(minutes=1),
        "due now": now,
        "due in a minute": now + timedelta(minutes=1),
        "due today end": end_of_day(today),
        "due next working day": end_of_day(next_workday),
        "due the day after the next working day": end_of_day(next_workday + timedelta(days=1)),
        "due the second working day": end_of_day(second_workday),
        "due in a month": end_of_day(today + timedelta(days=30)),
    }


def test_boundary_cases_of_the_rule(calendar):
    now = at("2026-11-06", 9)  # Friday; the next working day is Monday 11-09
    due = due_moments(calendar, now)

    def task(moment, status="open"):
        return Task(status=TaskStatus(status), due_at=moment.astimezone(UTC))

    assert task_level(calendar, task(due["overdue by a minute"]), now) is Level.overdue
    assert task_level(calendar, task(due["due now"]), now) is Level.due_soon
    assert task_level(calendar, task(due["due today end"]), now) is Level.due_soon
    assert task_level(calendar, task(due["due next working day"]), now) is Level.due_soon
    assert task_level(calendar, task(due["due the second working day"]), now) is Level.on_track
    for status in ("suspended", "returned", "completed", "refused", "cancelled"):
        assert task_level(calendar, task(due["due yesterday"], status), now) is None


def test_a_case_has_a_level_only_while_its_clock_runs(session, calendar):
    past = at("2026-11-02")
    now = at("2026-11-10")
    levels = {
        status: case_level(calendar, create_case(session, status=status, accepted_at=past, due_at=end_of_day(past.date())), now)
        for status in CASE_STATUSES
    }
    assert levels == {"accepted": Level.overdue, "in_progress": Level.overdue, "suspended": None, "completed": None, "delivered": None}
    assert case_level(calendar, create_case(session, status="submitted"), now) is None


@pytest.mark.parametrize("when", NOWS)
def test_the_sql_filters_pick_exactly_the_work_of_each_level(session, calendar, when):
    now = NOWS[when]
    tasks, cases = {}, {}
    for name, moment in due_moments(calendar, now).items():
        case = create_case(session, status="in_progress", accepted_at=at("2026-09-01"), due_at=moment)
        cases[case.id] = case
        for status in TASK_STATUSES:
            task = create_task(session, case, status=status, due_at=moment)
            tasks[task.id] = (name, status, task)
        for status in CASE_STATUSES:
            other = create_case(session, status=status, accepted_at=at("2026-09-01"), due_at=moment)
            cases[other.id] = other
    session.commit()
    session.expire_all()  # compare with what the database holds, as a page does
    for level in Level:
        by_sql = set(session.scalars(select(Task.id).where(task_level_clause(level, calendar, now))))
        by_rule = {id_ for id_, (_n, _s, task) in tasks.items() if task_level(calendar, task, now) is level}
        assert by_sql == by_rule, (level, sorted((tasks[i][0], tasks[i][1]) for i in by_sql ^ by_rule))
        by_sql = set(session.scalars(select(Case.id).where(case_level_clause(level, calendar, now))))
        assert by_sql == {id_ for id_, case in cases.items() if case_level(calendar, case, now) is level}, level
    # Every level occurs, and none for a suspended or returned task.
    found = {(name, status): task_level(calendar, task, now) for name, status, task in tasks.values()}
    assert {found[name, "open"] for name in due_moments(calendar, now)} == set(Level)
    assert {level for (_n, status), level in found.items() if status in ("suspended", "returned")} == {None}
