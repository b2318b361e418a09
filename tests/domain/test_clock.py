"""The clock against the seeded national calendar (Asia/Shanghai dates)."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from portal.domain.clock import (
    SHANGHAI,
    Deadline,
    Level,
    Suspension,
    WorkCalendar,
    deadline,
    due_date,
    end_of_day,
    level,
    workdays_left,
    workdays_used,
)
from tests.factories import at


@pytest.mark.parametrize(
    "accepted, workdays, due",
    [
        ("2025-09-30", 3, "2025-10-11"),  # National Day; make-up Saturday 10-11 counts
        ("2026-02-13", 3, "2026-02-25"),  # Spring Festival; make-up Saturday 02-14 counts
        ("2026-03-01", 3, "2026-03-04"),  # accepted on a Sunday: Mon, Tue, Wed
        ("2025-10-03", 1, "2025-10-09"),  # accepted on a holiday
        ("2025-10-03", 3, "2025-10-11"),
        ("2026-06-18", 1, "2026-06-22"),  # Thursday before Dragon Boat Friday
        ("2026-01-01", 2, "2026-01-05"),  # New Year holiday; make-up Sunday 01-04 counts first
    ],
)
def test_n_working_days_after_acceptance_the_acceptance_day_not_counted(calendar, accepted, workdays, due):
    assert due_date(calendar, date.fromisoformat(accepted), workdays) == date.fromisoformat(due)


@pytest.mark.parametrize(
    "accepted, due",
    [
        ("2026-11-27", "2026-11-27"),  # a working Friday: the same day
        ("2026-11-28", "2026-11-30"),  # a Saturday: the next working day
        ("2025-10-01", "2025-10-09"),  # a holiday: the first working day after it
        ("2025-10-11", "2025-10-11"),  # a make-up Saturday is a working day
    ],
)
def test_zero_working_days_is_the_acceptance_day_or_the_next_working_day(calendar, accepted, due):
    assert due_date(calendar, date.fromisoformat(accepted), 0) == date.fromisoformat(due)


def test_the_due_time_is_the_end_of_the_day_in_shanghai_stored_as_utc(calendar):
    result = deadline(calendar, at("2025-09-30", 16), 3)
    assert result.due_at == datetime(2025, 10, 11, 15, 59, 59, tzinfo=UTC)
    assert result.due_at.astimezone(SHANGHAI).date() == date(2025, 10, 11)
    assert not result.provisional


def test_acceptance_late_in_the_evening_counts_by_the_shanghai_date(calendar):
    # 2025-09-30 23:30 Shanghai is 15:30 UTC the same day; 2025-10-01 00:30 Shanghai is still 09-30 in UTC.
    late = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)  # 00:30 on 10-01 in Shanghai (a holiday)
    assert deadline(calendar, late, 1).due_date == date(2025, 10, 9)


def test_a_deadline_running_into_an_unloaded_year_is_provisional_without_error(calendar):
    result = deadline(calendar, at("2026-12-30"), 3)
    assert result.due_date == date(2027, 1, 5)  # 2027-01-01 is New Year's Day
    assert result.provisional


def test_far_future_years_are_estimated_in_memory(calendar):
    result = deadline(calendar, at("2030-09-30"), 3)
    assert result.provisional
    assert result.due_date == date(2030, 10, 8)  # 10-01..03 holidays, weekend 10-05/06, no make-up days


def test_every_date_from_2020_to_2026_agrees_with_chinesecalendar(calendar):
    day = date(2020, 1, 1)
    disagreements = []
    while day <= date(2026, 12, 31):
        if calendar.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


def test_suspension_of_two_working_days_across_a_weekend_moves_the_due_date_by_two(calendar):
    accepted = at("2026-11-02")  # Monday; 3 working days → Thursday 11-05
    plain = deadline(calendar, accepted, 3)
    assert plain.due_date == date(2026, 11, 5)
    suspended = [Suspension(at("2026-11-06"), at("2026-11-10"))]  # Friday → Tuesday: Mon and Tue stood still
    moved = deadline(calendar, accepted, 3, suspended)
    assert moved.due_date == date(2026, 11, 9)
    assert calendar.workdays_between(plain.due_date, moved.due_date) == 2


def test_a_suspension_within_one_day_costs_nothing(calendar):
    accepted = at("2026-11-02")
    same_day = [Suspension(at("2026-11-03", 9), at("2026-11-03", 17))]
    assert deadline(calendar, accepted, 3, same_day).due_date == date(2026, 11, 5)


def test_an_open_suspension_keeps_pushing_the_due_date_until_it_ends(calendar):
    accepted = at("2026-11-02")
    open_interval = [Suspension(at("2026-11-03"))]
    assert deadline(calendar, accepted, 3, open_interval, now=at("2026-11-03", 18)).due_date == date(2026, 11, 5)
    assert deadline(calendar, accepted, 3, open_interval, now=at("2026-11-06")).due_date == date(2026, 11, 10)
    with pytest.raises(ValueError):
        deadline(calendar, accepted, 3, open_interval)


def test_working_days_used_and_left(calendar):
    accepted = at("2026-11-02")
    due = deadline(calendar, accepted, 3)
    now = at("2026-11-04", 15)
    assert workdays_used(calendar, accepted, [], now) == 2
    assert workdays_left(calendar, due, now) == 1
    assert workdays_left(calendar, due, at("2026-11-10")) == -3
    assert workdays_used(calendar, accepted, [Suspension(at("2026-11-02"), at("2026-11-03"))], now) == 1


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-11-02", Level.on_track),  # due Thursday, three working days away
        ("2026-11-04", Level.due_soon),  # due tomorrow
        ("2026-11-05", Level.due_soon),  # due today
        ("2026-11-06", Level.overdue),
    ],
)
def test_levels(calendar, now, expected):
    due = deadline(calendar, at("2026-11-02"), 3)
    assert level(calendar, due, at(now, 12)) is expected


def test_due_soon_counts_working_days_not_calendar_days(calendar):
    # Due Monday 11-09; on Friday 11-06 it is one working day away.
    due = Deadline(date(2026, 11, 9), end_of_day(date(2026, 11, 9)), False)
    assert level(calendar, due, at("2026-11-06")) is Level.due_soon
    assert level(calendar, due, at("2026-11-05")) is Level.on_track


def test_a_calendar_with_a_gap_is_refused():
    with pytest.raises(ValueError, match="gap"):
        WorkCalendar([(date(2026, 1, 1), False), (date(2026, 1, 3), False)])
