"""好差评 rules: who rates which case and when, once; the follow-up a bad
rating opens and its due date by the working-day clock; closing it; and
the dashboard's rating figures against a small hand-computed data set."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError, DomainErrors
from portal.domain.clock import deadline, local_date
from portal.domain.dashboard import Filters
from portal.domain.ratings import close_follow_up, follow_up_level, rate_case, rating_figures
from portal.models import Agency, Event
from portal.models.enums import Channel, County, Department, RatingSource
from portal.models.rating import Rating, RatingFollowUp
from tests.factories import at, create_case, create_task, create_user

ONLINE = {"efficiency": 4, "guide_accuracy": 5, "convenience": 4, "ease_of_use": 3}
COUNTER = {"efficiency": 5, "quality": 4, "attitude": 5}


@pytest.fixture
def resident(session):
    return create_user(session, "resident", real_name="王小明")


def finished_case(session, applicant, channel="online", status="completed", county="changshan", **kw):
    return create_case(
        session, kw.pop("service", "psb-no-record"), status=status, applicant=applicant,
        channel=Channel(channel), receiving_county=county, accepted_at=kw.pop("accepted_at", at("2026-09-21")), **kw,
    )


def ratings_count(session) -> int:
    return session.scalar(select(func.count(Rating.id)))


def events(session, case, action) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.case_id == case.id, Event.action == action)))


@pytest.mark.parametrize("status", ["completed", "refused", "delivered"])
def test_the_applicant_rates_a_finished_case_once(session, calendar, resident, status):
    case = finished_case(session, resident, status=status)
    rating = rate_case(session, case, resident, at("2026-09-25"), calendar, "4", ONLINE, "  办得很快  ")
    assert (rating.score, rating.channel, rating.source) == (4, Channel.online, RatingSource.applicant)
    assert rating.sub_scores == ONLINE and rating.comment == "办得很快" and rating.recorded_by_id is None
    (event,) = events(session, case, "rate")
    assert event.actor_id == resident.id and event.data["score"] == 4
    with pytest.raises(DomainError) as refused:
        rate_case(session, case, resident, at("2026-09-26"), calendar, 5, ONLINE)
    assert refused.value.field == "status"
    assert ratings_count(session) == 1


@pytest.mark.parametrize("status", ["submitted", "accepted", "in_progress", "suspended", "withdrawn", "refused_intake"])
def test_a_case_not_yet_finished_cannot_be_rated(session, calendar, resident, status):
    case = finished_case(session, resident, status=status)
    with pytest.raises(DomainError) as refused:
        rate_case(session, case, resident, at("2026-09-25"), calendar, 5, ONLINE)
    assert refused.value.field == "status"
    assert ratings_count(session) == 0 and events(session, case, "rate") == []


def test_nobody_but_the_applicant_rates_online(session, calendar, resident):
    case = finished_case(session, resident)
    for someone in (
        create_user(session, "resident"),
        create_user(session, "clerk", window_county=County.changshan),  # an online case: not on the device
        create_user(session, "supervisor"),
        create_user(session, "officer"),
    ):
        with pytest.raises(DomainError) as refused:
            rate_case(session, case, someone, at("2026-09-25"), calendar, 5, ONLINE)
        assert refused.value.field == "actor"
    assert ratings_count(session) == 0


def test_the_clerk_of_the_receiving_window_records_the_devices_rating_of_a_walk_in_case(session, calendar, resident):
    case = finished_case(session, resident, channel="counter", county="yushan")
    other_window = create_user(session, "clerk", window_county=County.changshan)
    with pytest.raises(DomainError):
        rate_case(session, case, other_window, at("2026-09-25"), calendar, 5, COUNTER)
    clerk = create_user(session, "clerk", window_county=County.yushan)
    rating = rate_case(session, case, clerk, at("2026-09-25"), calendar, 5, COUNTER)
    assert (rating.source, rating.recorded_by_id, rating.channel) == (RatingSource.device, clerk.id, Channel.counter)
    assert rating.sub_scores == COUNTER
    assert events(session, case, "rate")[0].actor_id == clerk.id


def test_every_wrong_score_is_reported_with_its_field_and_nothing_is_written(session, calendar, resident):
    case = finished_case(session, resident, channel="counter")
    with pytest.raises(DomainErrors) as refused:
        rate_case(
            session, case, resident, at("2026-09-25"), calendar, "0",
            {"efficiency": "6", "quality": "x"}, "长" * 501,
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {"score", "sub_efficiency", "sub_quality", "sub_attitude", "comment"}
    assert ratings_count(session) == 0 and events(session, case, "rate") == []


def test_a_bad_rating_opens_a_follow_up_due_5_working_days_later_across_national_day(session, calendar, resident):
    case = finished_case(session, resident, county="yushan")
    rated_at = at("2026-09-29", 15)
    rating = rate_case(session, case, resident, rated_at, calendar, 2, ONLINE, "等了很久")
    follow_up = session.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))
    assert follow_up.window_county is County.yushan and follow_up.closed_at is None
    assert follow_up.due_at == deadline(calendar, rated_at, 5).due_at
    # 09-30, then the holiday 10-01..10-07, then 10-08, 10-09, the make-up Saturday 10-10 and Monday 10-12.
    assert local_date(follow_up.due_at) == date(2026, 10, 12)
    assert chinese_calendar.get_workdays(date(2026, 9, 30), date(2026, 10, 12)) == [
        date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)
    ]
    assert events(session, case, "rate")[0].data["follow_up_id"] == follow_up.id
    assert follow_up_level(calendar, follow_up, at("2026-10-12", 20)).value == "due_soon"
    assert follow_up_level(calendar, follow_up, at("2026-10-13", 9)).value == "overdue"


def test_a_rating_of_3_or_more_opens_no_follow_up(session, calendar, resident):
    rate_case(session, finished_case(session, resident), resident, at("2026-09-29"), calendar, 3, ONLINE)
    assert session.scalar(select(func.count(RatingFollowUp.id))) == 0


def test_a_second_rating_slipping_past_the_check_is_stopped_by_the_unique_key(session, calendar, resident, monkeypatch):
    case = finished_case(session, resident)
    rate_case(session, case, resident, at("2026-09-25"), calendar, 5, ONLINE)
    session.commit()
    # Two requests at once: both saw no rating yet.
    monkeypatch.setattr("portal.domain.ratings.rating_of", lambda _session, _case: (None, None))
    with pytest.raises(IntegrityError):
        rate_case(session, case, resident, at("2026-09-25"), calendar, 1, ONLINE)
    session.rollback()
    assert ratings_count(session) == 1 and session.scalar(select(func.count(RatingFollowUp.id))) == 0


@pytest.fixture
def open_follow_up(session, calendar, resident):
    case = finished_case(session, resident)
    rating = rate_case(session, case, resident, at("2026-11-02"), calendar, 1, ONLINE, "态度差")
    session.commit()
    return session.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))


@pytest.mark.parametrize("response", ["", "   "])
def test_a_follow_up_is_not_closed_without_a_response(session, open_follow_up, response):
    with pytest.raises(DomainError) as refused:
        close_follow_up(session, open_follow_up, create_user(session, "supervisor"), at("2026-11-03"), response)
    assert refused.value.field == "response"
    assert open_follow_up.closed_at is None and open_follow_up.response == ""
    assert events(session, open_follow_up.rating.case, "follow_up_closed") == []


def test_a_supervisor_closes_a_follow_up_with_a_response_once(session, open_follow_up):
    supervisor = create_user(session, "supervisor")
    with pytest.raises(DomainError) as refused:
        close_follow_up(session, open_follow_up, create_user(session, "clerk"), at("2026-11-03"), "已整改")
    assert refused.value.field == "actor"
    close_follow_up(session, open_follow_up, supervisor, at("2026-11-03"), " 已约谈窗口人员并整改。 ")
    assert open_follow_up.response == "已约谈窗口人员并整改。"
    assert (open_follow_up.closed_by_id, open_follow_up.closed_at) == (supervisor.id, at("2026-11-03"))
    (event,) = events(session, open_follow_up.rating.case, "follow_up_closed")
    assert event.data == {"follow_up_id": open_follow_up.id, "on_time": True}
    with pytest.raises(DomainError) as again:
        close_follow_up(session, open_follow_up, create_user(session, "admin"), at("2026-11-04"), "另一个答复")
    assert again.value.field == "status" and open_follow_up.response == "已约谈窗口人员并整改。"


def test_closing_a_follow_up_someone_else_just_closed_does_not_overwrite_it(session, open_follow_up):
    first, second = create_user(session, "supervisor"), create_user(session, "admin")
    # The other supervisor's close lands while this one still sees the follow-up open.
    stale = open_follow_up
    session.execute(
        RatingFollowUp.__table__.update()
        .where(RatingFollowUp.id == stale.id)
        .values(response="第一个答复", closed_by_id=first.id, closed_at=at("2026-11-03"))
    )
    assert stale.closed_at is None
    with pytest.raises(DomainError) as refused:
        close_follow_up(session, stale, second, at("2026-11-03", 11), "第二个答复")
    assert refused.value.field == "status"
    session.expire_all()
    assert session.get(RatingFollowUp, stale.id).response == "第一个答复"


# -- figures ----------------------------------------------------------------

OCTOBER = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))
NOW = at("2026-11-10")


@pytest.fixture
def rated_october(session, calendar):
    """Seven rated cases, six received in October:

    case  service          window    channel  received  agencies (tasks)          score  follow-up
    A     psb-no-record    changshan counter  10-08     cs-psb                    5      —
    B     psb-no-record    yushan    online   10-09     cs-psb, ys-psb cancelled  2      answered on time
    C     hrss-employment  changshan counter  10-20     cs-hrss                   1      answered late
    D     hrss-employment  changshan online   10-21     cs-hrss twice (2 stages)  5      —
    E     psb-no-record    changshan online   10-22     cs-psb                    1      open, overdue on 11-10
    G     psb-no-record    changshan online   10-23     none                      2      open, due 11-16
    X     psb-no-record    changshan online   09-30     cs-psb                    1      (outside the range)
    """
    applicant = create_user(session, "resident")
    supervisor = create_user(session, "supervisor")
    cases = {}

    def rated(name, service, county, channel, received, agencies, score, rated_on, closed_on=None):
        case = cases[name] = create_case(
            session, service, status="completed", applicant=applicant, channel=Channel(channel),
            receiving_county=county, submitted_at=at(received, 9), accepted_at=at(received, 10),
        )
        for stage, (code, status) in enumerate(agencies, start=1):
            create_task(session, case, code, status=status, stage=stage)
        sub = {"online": ONLINE, "counter": COUNTER}[channel]
        rating = rate_case(session, case, applicant, at(rated_on), calendar, score, sub)
        if closed_on:
            follow_up = session.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))
            close_follow_up(session, follow_up, supervisor, at(closed_on), "已回访")

    rated("A", "psb-no-record", "changshan", "counter", "2026-10-08", [("cs-psb", "completed")], 5, "2026-10-12")
    rated("B", "psb-no-record", "yushan", "online", "2026-10-09",
          [("cs-psb", "completed"), ("ys-psb", "cancelled")], 2, "2026-10-12", closed_on="2026-10-13")  # due 10-19
    rated("C", "hrss-employment", "changshan", "counter", "2026-10-20", [("cs-hrss", "completed")], 1,
          "2026-10-21", closed_on="2026-10-30")  # due 10-28: late
    rated("D", "hrss-employment", "changshan", "online", "2026-10-21",
          [("cs-hrss", "completed"), ("cs-hrss", "completed")], 5, "2026-10-22")
    rated("E", "psb-no-record", "changshan", "online", "2026-10-22", [("cs-psb", "completed")], 1, "2026-10-23")  # due 10-30
    rated("G", "psb-no-record", "changshan", "online", "2026-10-23", [], 2, "2026-11-09")  # due 11-16
    rated("X", "psb-no-record", "changshan", "online", "2026-09-30", [("cs-psb", "completed")], 1, "2026-10-12")
    session.commit()
    return cases


def agency_id(session, code):
    return session.scalar(select(Agency.id).where(Agency.code == code))


def test_the_rating_figures_match_the_hand_computed_month(session, rated_october):
    figures = rating_figures(session, OCTOBER, NOW)
    assert figures.count == 6
    assert figures.average == pytest.approx(16 / 6)  # 5 + 2 + 1 + 5 + 1 + 2
    assert figures.low_share == pytest.approx(4 / 6)  # B, C, E, G
    assert (
        figures.follow_ups_opened, figures.follow_ups_closed_on_time, figures.follow_ups_closed_late,
        figures.follow_ups_open_overdue, figures.follow_ups_open,
    ) == (4, 1, 1, 1, 2)
    services = {s.code: (f.count, f.average, f.low) for s, f in figures.by_service}
    assert services == {"psb-no-record": (4, 2.5, 3), "hrss-employment": (2, 3.0, 1)}
    agencies = {a.code: (f.count, pytest.approx(f.average), f.low) for a, f in figures.by_agency}
    # ys-psb's task on B was cancelled; D counts once for cs-hrss although it had two tasks there.
    assert agencies == {"cs-psb": (3, pytest.approx(8 / 3), 2), "cs-hrss": (2, 3.0, 1)}


def test_the_rating_figures_apply_the_dashboards_filters(session, rated_october):
    def count(**kw):
        return rating_figures(session, Filters(start=OCTOBER.start, end=OCTOBER.end, **kw), NOW).count

    assert count(county=County.yushan) == 1  # B
    assert count(channel=Channel.counter) == 2  # A, C
    assert count(service_code="hrss-employment") == 2  # C, D
    assert count(department=Department.psb) == 4  # A, B, E, G
    assert count(agency_id=agency_id(session, "cs-hrss")) == 2  # C, D
    assert count(agency_id=agency_id(session, "ys-psb")) == 0  # cancelled
    september = rating_figures(session, Filters(start=date(2026, 9, 1), end=date(2026, 9, 30)), NOW)
    assert (september.count, september.follow_ups_opened, september.follow_ups_open_overdue) == (1, 1, 1)


def test_figures_of_a_range_without_ratings_are_empty_not_errors(session, rated_october):
    figures = rating_figures(session, Filters(start=date(2026, 8, 1), end=date(2026, 8, 31)), NOW)
    assert (figures.count, figures.average, figures.low_share, figures.follow_ups_opened) == (0, None, None, 0)
    assert figures.by_service == [] and figures.by_agency == []


def test_the_figures_need_the_same_statements_for_few_or_many_ratings(session, calendar, rated_october, count_statements):
    with count_statements() as few:
        rating_figures(session, OCTOBER, NOW)
    applicant = create_user(session, "resident")
    for i in range(12):
        case = create_case(
            session, ["psb-no-record", "hrss-employment", "gov-dispute"][i % 3], status="completed",
            applicant=applicant, submitted_at=at("2026-10-14"), accepted_at=at("2026-10-14"),
        )
        create_task(session, case, ["cs-psb", "cs-hrss", "ys-gov"][i % 3], status="completed")
        rate_case(session, case, applicant, at("2026-10-15") + timedelta(minutes=i), calendar, 1 + i % 5, ONLINE)
    session.commit()
    with count_statements() as many:
        figures = rating_figures(session, OCTOBER, NOW)
    assert figures.count == 18
    assert many[0] == few[0] <= 5


def test_the_dashboard_next_changes_when_an_open_task_or_follow_up_falls_due_or_the_day_ends(
    session, calendar, open_follow_up
):
    from datetime import UTC, datetime, timedelta

    from portal.domain.ratings import next_clock_change
    from tests.factories import create_case, create_task

    now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    midnight = datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    open_follow_up.due_at = now + timedelta(hours=20)  # tomorrow: after midnight
    case = create_case(session, status="in_progress")
    create_task(session, case, status="completed", due_at=now + timedelta(minutes=5))  # finished: never overdue
    create_task(session, case, status="open", due_at=now - timedelta(hours=1))  # overdue already
    session.flush()
    assert next_clock_change(session, now) == midnight
    open_follow_up.due_at = now + timedelta(hours=3)
    session.flush()
    assert next_clock_change(session, now) == now + timedelta(hours=3)
    create_task(session, case, status="claimed", due_at=now + timedelta(minutes=40))
    assert next_clock_change(session, now) == now + timedelta(minutes=40)
