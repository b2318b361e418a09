"""A case on the clock: due date at acceptance, suspension, used and left."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.clock import Level, local_date
from portal.domain.deadlines import (
    case_level,
    case_workdays_left,
    case_workdays_used,
    end_suspension,
    refresh_due,
    start_suspension,
)
from portal.models import Event
from tests.factories import at


def accepted(session, calendar, day="2026-11-02", code="psb-no-record"):
    from tests.factories import create_case

    case = create_case(session, code, status="in_progress", accepted_at=at(day))
    refresh_due(session, case, calendar, at(day))
    return case


def test_a_suspension_across_a_weekend_moves_the_stored_due_date_by_two_working_days(session, calendar):
    case = accepted(session, calendar)  # Monday; due Thursday 11-05
    assert local_date(case.due_at) == date(2026, 11, 5)
    start_suspension(session, case, "expert review", at("2026-11-06"))
    stood_still = end_suspension(session, case, calendar, at("2026-11-10"))
    assert stood_still == 2
    assert local_date(case.due_at) == date(2026, 11, 9)
    moved = session.scalar(select(Event).where(Event.case_id == case.id, Event.action == "due_date_changed"))
    assert moved.note == "expert review"


def test_working_days_used_exclude_the_suspension(session, calendar):
    case = accepted(session, calendar)
    start_suspension(session, case, "inspection", at("2026-11-03"))
    end_suspension(session, case, calendar, at("2026-11-04"))
    assert case_workdays_used(calendar, case, at("2026-11-05")) == 2  # Tue, Wed, Thu minus Wed
    assert case_workdays_left(calendar, case, at("2026-11-05")) == 1  # due Friday 11-06


def test_a_case_cannot_be_suspended_twice_or_resumed_when_running(session, calendar):
    case = accepted(session, calendar)
    with pytest.raises(ValueError):
        end_suspension(session, case, calendar, at("2026-11-03"))
    start_suspension(session, case, "hearing", at("2026-11-03"))
    with pytest.raises(ValueError):
        start_suspension(session, case, "again", at("2026-11-04"))


def test_levels_of_a_case(session, calendar):
    case = accepted(session, calendar)
    assert case_level(calendar, case, at("2026-11-02")) is Level.on_track
    assert case_level(calendar, case, at("2026-11-05")) is Level.due_soon
    assert case_level(calendar, case, at("2026-11-06")) is Level.overdue


def test_an_instant_service_is_due_the_same_working_day(session, calendar):
    case = accepted(session, calendar, "2026-11-27", "psb-rp-apply")
    assert local_date(case.due_at) == date(2026, 11, 27)
    weekend = accepted(session, calendar, "2026-11-28", "psb-rp-apply")
    assert local_date(weekend.due_at) == date(2026, 11, 30)
