from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from portal.domain import DomainError
from portal.domain.calendar import (
    correct_day,
    import_schedule,
    parse_schedule,
    seed_calendar,
    years_needing_schedule,
)
from portal.domain.clock import SHANGHAI, WorkCalendar, local_date
from portal.domain.deadlines import refresh_due
from portal.models import CalendarDay, CalendarYear, Event
from portal.models.enums import DayKind, DaySource, YearStatus
from tests.factories import create_case, create_user

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
SCHEDULE_2027 = "date,workday,name\n2027-01-01,false,元旦\n2027-01-04,false,元旦\n2027-01-09,true,元旦调休\n"


def accepted_case(session, day: str, service_code: str = "psb-no-record"):
    accepted_at = datetime.combine(date.fromisoformat(day), time(10), tzinfo=SHANGHAI)
    case = create_case(session, service_code, status="accepted", accepted_at=accepted_at)
    refresh_due(session, case, WorkCalendar.load(session), NOW)
    session.flush()
    return case


def test_seeding_covers_the_library_years_and_estimates_next_year(session):
    years = dict(session.execute(select(CalendarYear.year, CalendarYear.status)).all())
    assert years[2004] is YearStatus.official and years[2026] is YearStatus.official
    assert years[2027] is YearStatus.provisional
    makeup = session.get(CalendarDay, date(2025, 10, 11))
    assert (makeup.workday, makeup.kind, makeup.name) == (True, DayKind.makeup, "国庆节调休")
    assert session.get(CalendarDay, date(2026, 2, 17)).name == "春节"
    assert session.scalar(select(func.count()).where(CalendarDay.kind == DayKind.makeup, CalendarDay.day >= date(2027, 1, 1))) == 0


def test_a_second_seed_adds_nothing_and_keeps_what_an_admin_set(session):
    admin = create_user(session, "admin")
    correct_day(session, date(2026, 12, 31), False, "调整", "local notice", admin, NOW)
    report = seed_calendar(session, NOW)
    assert report.added == 0 and report.updated == 0
    assert report.admin_kept == 1
    assert session.get(CalendarDay, date(2026, 12, 31)).workday is False


def test_the_provisional_2027_holidays_are_the_ones_known_in_advance(session):
    holidays = session.scalars(
        select(CalendarDay.day).where(CalendarDay.kind == DayKind.holiday, CalendarDay.day.between(date(2027, 1, 1), date(2027, 12, 31)))
    ).all()
    assert [d.isoformat() for d in holidays] == [
        "2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
        "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03",
    ]


def test_admins_are_told_which_years_still_need_their_official_schedule(session):
    assert years_needing_schedule(session, date(2026, 11, 28)) == [2027]
    import_schedule(session, parse_schedule(SCHEDULE_2027), None, NOW)
    assert years_needing_schedule(session, date(2026, 11, 28)) == []


def test_importing_2027_moves_the_stored_due_date_and_records_it_on_the_case(session):
    admin = create_user(session, "admin")
    case = accepted_case(session, "2026-12-30")
    assert local_date(case.due_at) == date(2027, 1, 5) and case.due_provisional
    untouched = accepted_case(session, "2026-11-02")
    before_untouched = untouched.due_at

    report = import_schedule(session, parse_schedule(SCHEDULE_2027, "2027.csv"), admin, NOW)

    assert report.years == [2027] and report.cases_moved == 1
    assert local_date(case.due_at) == date(2027, 1, 6)
    assert case.due_provisional is False
    assert untouched.due_at == before_untouched
    event = session.scalar(select(Event).where(Event.case_id == case.id, Event.action == "due_date_changed"))
    assert event.actor_id == admin.id
    assert event.data["from"].startswith("2027-01-05") and event.data["to"].startswith("2027-01-06")
    assert session.scalar(select(CalendarYear.status).where(CalendarYear.year == 2027)) is YearStatus.official
    assert session.get(CalendarDay, date(2027, 1, 9)).kind is DayKind.makeup
    assert session.scalar(select(func.count()).where(Event.case_id == untouched.id)) == 0


def test_a_closed_case_keeps_its_due_date_when_the_calendar_changes(session):
    case = accepted_case(session, "2026-12-30")
    case.status = case.status.__class__("completed")
    before = case.due_at
    import_schedule(session, parse_schedule(SCHEDULE_2027), None, NOW)
    assert case.due_at == before


def test_a_json_schedule_is_read_too(session):
    text = '[{"date": "2027-01-04", "workday": false, "name": "元旦"}, {"date": "2027-02-20", "workday": "是", "name": "春节调休"}]'
    assert parse_schedule(text, "2027.json") == {
        date(2027, 1, 4): (False, "元旦"),
        date(2027, 2, 20): (True, "春节调休"),
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("day,off\n2027-01-04,1\n", "header"),
        ("date,workday,name\n2027-13-01,false,x\n", "Row 1"),
        ("date,workday,name\n2027-01-04,maybe,x\n", "Row 1"),
        ("date,workday,name\n2027-01-04,false,x\n2027-01-04,true,y\n", "Row 2"),
        ("[1, 2]", "list of objects"),
        ("[{", "JSON"),
    ],
)
def test_a_malformed_schedule_is_refused_with_the_row(app, text, message):
    with app.test_request_context("/", headers={}):
        from flask import session as cookie

        cookie["locale"] = "en"
        with pytest.raises(DomainError) as caught:
            parse_schedule(text)
        assert message in str(caught.value.message)


def test_correcting_a_day_needs_a_reason_and_recomputes_open_cases(session):
    admin = create_user(session, "admin")
    case = accepted_case(session, "2026-11-02")  # due Thursday 11-05
    with pytest.raises(DomainError) as caught:
        correct_day(session, date(2026, 11, 4), False, "", " ", admin, NOW)
    assert caught.value.field == "reason"
    moved = correct_day(session, date(2026, 11, 4), False, "台风停工", "typhoon closure", admin, NOW)
    assert moved == 1
    assert local_date(case.due_at) == date(2026, 11, 6)
    day = session.get(CalendarDay, date(2026, 11, 4))
    assert (day.kind, day.source) == (DayKind.holiday, DaySource.admin)
    audit = session.scalar(select(Event).where(Event.action == "calendar_day_corrected"))
    assert audit.note == "typhoon closure" and audit.data["before"]["workday"] is True


def test_correcting_a_day_in_a_year_not_yet_loaded_estimates_the_years_before_it(session):
    admin = create_user(session, "admin")
    correct_day(session, date(2029, 1, 2), False, "", "county notice", admin, NOW)
    assert session.scalar(select(CalendarYear.status).where(CalendarYear.year == 2028)) is YearStatus.provisional
    assert session.get(CalendarDay, date(2029, 1, 2)).workday is False
    assert WorkCalendar.load(session).is_workday(date(2029, 1, 3))
    with pytest.raises(DomainError) as caught:
        correct_day(session, date(1999, 1, 1), False, "", "x", admin, NOW)
    assert caught.value.field == "day"
