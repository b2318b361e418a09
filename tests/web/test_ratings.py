"""好差评 over HTTP: the applicant rates a finished case once, the window's
clerk records the device's rating of a walk-in case, bad input is refused
with a clear message and nothing written, and supervisors answer the
follow-ups of bad ratings, whose response the resident then sees."""

from datetime import date
from unittest import mock

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import func, select

from portal.db import db
from portal.domain.clock import local_date
from portal.domain.dashboard import Filters
from portal.domain.ratings import rating_figures
from portal.models import Case, County, Event, User
from portal.models.enums import Channel
from portal.models.rating import Rating, RatingFollowUp
from tests.factories import at, create_case, create_user
from tests.pages import parse, text_of

ONLINE = {"score": "4", "sub_efficiency": "4", "sub_guide_accuracy": "5", "sub_convenience": "4", "sub_ease_of_use": "3"}
COUNTER = {"score": "5", "sub_efficiency": "5", "sub_quality": "4", "sub_attitude": "5"}


def new_case(app, applicant_id=None, *, status="completed", channel="online", county="changshan") -> str:
    with app.app_context():
        applicant = db.session.get(User, applicant_id) if applicant_id else None
        case = create_case(
            db.session, "psb-no-record", status=status, applicant=applicant, channel=Channel(channel),
            receiving_county=county, accepted_at=at("2026-11-02"),
        )
        db.session.commit()
        return case.number


def ratings(app) -> list[Rating]:
    with app.app_context():
        found = db.session.scalars(select(Rating).order_by(Rating.id)).all()
        db.session.expunge_all()
        return found


def rate(client, url, data):
    return client.submit(url, data, form_action=url)


def panel(app, user_id, number):
    """The case page's rating panel as ``user_id`` sees it."""
    with app.test_request_context("/"):
        login_user(db.session.get(User, user_id))
        case = db.session.scalar(select(Case).where(Case.number == number))
        return parse(render_template("ratings/_case_panel.html", case=case))


def flashes(page) -> list[str]:
    return [n.get("class")[1] for n in page.select("main > .notice")]


# -- the applicant ------------------------------------------------------------

def test_the_applicant_is_offered_the_rating_of_a_finished_case_only(app, login_as):
    resident = login_as("resident")
    finished = new_case(app, resident)
    assert panel(app, resident, finished).select_one("#rate-link")["href"] == f"/cases/{finished}/rating"
    open_case = new_case(app, resident, status="in_progress")
    assert panel(app, resident, open_case).select_one("#rating") is None


def test_the_rating_form_asks_for_the_aspects_of_the_cases_channel(app, client, login_as):
    resident = login_as("resident")
    online = client.page(f"/cases/{new_case(app, resident)}/rating")
    assert [f["id"] for f in online.select("fieldset.rating-scale")] == [
        "score", "sub_efficiency", "sub_guide_accuracy", "sub_convenience", "sub_ease_of_use"
    ]
    assert [i["value"] for i in online.select("#score input[type=radio]")] == ["5", "4", "3", "2", "1"]
    assert online.select_one("textarea#comment")["maxlength"] == "500"
    counter = client.page(f"/cases/{new_case(app, resident, channel='counter')}/rating")
    assert [f["id"] for f in counter.select("fieldset.rating-scale")] == ["score", "sub_efficiency", "sub_quality", "sub_attitude"]


def test_the_applicant_rates_once_and_a_second_rating_is_refused(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident)
    response = rate(client, f"/cases/{number}/rating", {**ONLINE, "comment": "窗口很耐心"})
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{number}"
    (rating,) = ratings(app)
    assert (rating.score, rating.source.value, rating.comment) == (4, "applicant", "窗口很耐心")
    assert rating.sub_scores == {"efficiency": 4, "guide_accuracy": 5, "convenience": 4, "ease_of_use": 3}
    with app.app_context():
        assert db.session.scalar(select(Event.action).where(Event.case_id == rating.case_id).order_by(Event.id.desc())) == "rate"
    # The panel shows the rating instead of the link.
    shown = panel(app, resident, number)
    assert shown.select_one("#rate-link") is None
    assert "窗口很耐心" in text_of(shown, "#rating")
    # A second try: the form is not offered, and a post changes nothing.
    again = client.get(f"/cases/{number}/rating")
    assert again.status_code == 302 and again.headers["Location"] == f"/cases/{number}"
    assert "notice-info" in flashes(client.page(f"/cases/{number}"))
    token = client.page(f"/cases/{number}").select_one("input[name=csrf_token]")["value"]
    posted = client.post(f"/cases/{number}/rating", data={**ONLINE, "score": "1", "csrf_token": token})
    assert posted.status_code == 302
    assert [r.score for r in ratings(app)] == [4]


def test_a_rating_posted_twice_at_once_is_refused_by_the_database_with_a_message(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident)
    page = client.page(f"/cases/{number}/rating")
    assert rate(client, f"/cases/{number}/rating", ONLINE).status_code == 302
    # The second request passed its check before the first was saved.
    with mock.patch("portal.domain.ratings.rating_of", return_value=(None, None)):
        response = client.post(
            f"/cases/{number}/rating",
            data={**ONLINE, "score": "1", "csrf_token": page.select_one("input[name=csrf_token]")["value"]},
        )
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{number}"
    assert "notice-info" in flashes(client.page(f"/cases/{number}"))
    assert [r.score for r in ratings(app)] == [4]
    with app.app_context():
        assert db.session.scalar(select(func.count(RatingFollowUp.id))) == 0


def test_a_score_outside_1_to_5_or_a_missing_aspect_is_explained_next_to_the_field(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident)
    bad = {**ONLINE, "score": "7", "comment": "长" * 501}
    del bad["sub_convenience"]
    response = rate(client, f"/cases/{number}/rating", bad)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    for field in ("score", "sub_convenience", "comment"):
        assert page.select_one(f"#{field}-error") is not None, field
        assert page.select_one(f"[data-error-summary] a[href='#{field}']") is not None
    assert page.select_one("#sub_efficiency-error") is None
    assert page.select_one("#sub_efficiency input[value='4']").has_attr("checked")  # kept as given
    assert ratings(app) == []


def test_a_rating_for_someone_elses_case_is_not_found_and_nothing_changes(app, client, login_as):
    owner = create_user_in(app, "resident")
    number = new_case(app, owner)
    login_as("resident")
    assert client.get(f"/cases/{number}/rating").status_code == 404
    token = client.page("/resident/").select_one("input[name=csrf_token]")["value"]
    assert client.post(f"/cases/{number}/rating", data={**ONLINE, "csrf_token": token}).status_code == 404
    assert ratings(app) == []


def test_a_case_not_yet_finished_cannot_be_rated(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident, status="in_progress")
    response = client.get(f"/cases/{number}/rating")
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{number}"
    token = client.page(f"/cases/{number}").select_one("input[name=csrf_token]")["value"]
    assert client.post(f"/cases/{number}/rating", data={**ONLINE, "csrf_token": token}).status_code == 302
    assert ratings(app) == []


@pytest.mark.parametrize("role", ["clerk", "officer", "supervisor", "admin"])
def test_staff_do_not_use_the_applicants_rating_page(app, client, login_as, role):
    number = new_case(app, create_user_in(app, "resident"))
    login_as(role)
    assert client.get(f"/cases/{number}/rating").status_code == 403


def test_a_bad_rating_opens_a_follow_up_due_after_the_national_day_holiday(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident, county="yushan")
    with mock.patch("portal.web.clock.wall_clock", return_value=at("2026-09-29", 15)):
        assert rate(client, f"/cases/{number}/rating", {**ONLINE, "score": "2"}).status_code == 302
    with app.app_context():
        follow_up = db.session.scalar(select(RatingFollowUp))
        assert follow_up.window_county is County.yushan
        assert local_date(follow_up.due_at) == date(2026, 10, 12)
    assert "2026-10-12" in text_of(panel(app, resident, number), "#rating-follow-up")


# -- the clerk at the window ----------------------------------------------------

def test_the_clerk_records_the_devices_rating_of_a_walk_in_case_of_their_window(app, client, login_as):
    applicant = create_user_in(app, "resident")
    number = new_case(app, applicant, channel="counter", county="changshan")
    clerk = login_as("clerk", window_county=County.changshan)
    assert panel(app, clerk, number).select_one("#rate-link")["href"] == f"/counter/cases/{number}/rating"
    response = rate(client, f"/counter/cases/{number}/rating", COUNTER)
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{number}"
    (rating,) = ratings(app)
    assert (rating.source.value, rating.recorded_by_id, rating.channel.value) == ("device", clerk, "counter")
    # The applicant cannot rate it again online.
    assert panel(app, applicant, number).select_one("#rate-link") is None


def test_a_clerk_of_the_other_window_cannot_record_a_rating(app, client, login_as):
    number = new_case(app, create_user_in(app, "resident"), channel="counter", county="changshan")
    login_as("clerk", window_county=County.yushan)
    assert client.get(f"/counter/cases/{number}/rating").status_code == 404
    assert ratings(app) == []


def test_online_cases_are_not_rated_on_the_windows_device(app, client, login_as):
    number = new_case(app, create_user_in(app, "resident"), channel="online", county="changshan")
    clerk = login_as("clerk", window_county=County.changshan)
    assert panel(app, clerk, number).select_one("#rate-link") is None
    response = client.get(f"/counter/cases/{number}/rating")
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{number}"
    assert ratings(app) == []


def test_residents_do_not_use_the_windows_rating_page(app, client, login_as):
    resident = login_as("resident")
    number = new_case(app, resident, channel="counter")
    assert client.get(f"/counter/cases/{number}/rating").status_code == 403


# -- follow-ups -----------------------------------------------------------------

def create_user_in(app, role, **kw) -> int:
    with app.app_context():
        user = create_user(db.session, role, **kw)
        db.session.commit()
        return user.id


def rated_case(app, score, rated_at, *, closed_at=None, response="已回访") -> tuple[str, int, int]:
    """A finished case rated ``score`` by its applicant at ``rated_at``: (number, applicant, follow-up id)."""
    from portal.domain.clock import WorkCalendar
    from portal.domain.ratings import close_follow_up, rate_case

    with app.app_context():
        applicant = create_user(db.session, "resident")
        case = create_case(db.session, "psb-no-record", status="completed", applicant=applicant, accepted_at=rated_at)
        rating = rate_case(
            db.session, case, applicant, rated_at, WorkCalendar.load(db.session), score,
            {"efficiency": 1, "guide_accuracy": 2, "convenience": 1, "ease_of_use": 2}, "没人回复电话",
        )
        follow_up = db.session.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))
        if closed_at:
            close_follow_up(db.session, follow_up, create_user(db.session, "supervisor"), closed_at, response)
        db.session.commit()
        return case.number, applicant.id, follow_up.id if follow_up else None


@pytest.mark.parametrize("url", ["/supervisor/follow-ups", "/supervisor/follow-ups/1"])
def test_follow_ups_send_anonymous_visitors_to_sign_in(client, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ["resident", "clerk", "officer"])
def test_only_supervisors_and_admins_see_the_follow_ups(app, client, login_as, role):
    _number, _applicant, follow_up = rated_case(app, 1, at("2026-11-02"))
    login_as(role)
    assert client.get("/supervisor/follow-ups").status_code == 403
    assert client.get(f"/supervisor/follow-ups/{follow_up}").status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_the_follow_ups_list_open_ones_first_with_overdue_marked(app, client, login_as, role):
    answered, _a, answered_id = rated_case(app, 2, at("2026-10-12"), closed_at=at("2026-10-13"))
    overdue, _b, _f = rated_case(app, 1, at("2026-10-12"))  # due 10-19
    recent, _c, _g = rated_case(app, 2, at("2026-11-27"))  # due 12-04
    rated_case(app, 4, at("2026-11-27"))  # no follow-up
    login_as(role)
    with mock.patch("portal.web.clock.wall_clock", return_value=at("2026-11-30")):
        page = client.page("/supervisor/follow-ups")
    rows = page.select("#follow-ups tbody tr")
    assert [text_of(r, "th") for r in rows] == [overdue, recent, answered]
    assert rows[0].select_one(".level-overdue") is not None
    assert rows[1].select_one(".level-on_track") is not None
    assert rows[2].select_one(".level") is None
    assert [text_of(r, "th") for r in client.page("/supervisor/follow-ups?show=open").select("#follow-ups tbody tr")] == [overdue, recent]
    assert [text_of(r, "th") for r in client.page("/supervisor/follow-ups?show=closed").select("#follow-ups tbody tr")] == [answered]
    assert client.get("/supervisor/follow-ups/999999").status_code == 404
    assert text_of(client.page(f"/supervisor/follow-ups/{answered_id}"), "#follow-up-response") == "已回访"


def test_closing_a_follow_up_needs_a_response_and_the_resident_then_sees_it(app, client, login_as):
    number, applicant, follow_up_id = rated_case(app, 1, at("2026-11-25"))
    supervisor = login_as("supervisor")
    url = f"/supervisor/follow-ups/{follow_up_id}"
    assert "没人回复电话" in client.page(url).get_text()
    response = client.submit(url, {"response": "   "}, form_action=url)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.select_one("#response-error") is not None
    assert page.select_one("#response")["aria-invalid"] == "true"
    assert page.select_one("[data-error-summary] a[href='#response']") is not None
    with app.app_context():
        follow_up = db.session.get(RatingFollowUp, follow_up_id)
        assert (follow_up.closed_at, follow_up.response) == (None, "")
    # Before the answer, the resident is told when it is due.
    assert panel(app, applicant, number).select_one("#rating-response") is None

    answer = "已核实：当天窗口电话故障，已加装备用线路并向您致歉。"
    response = client.submit(url, {"response": answer}, form_action=url)
    assert response.status_code == 302 and response.headers["Location"] == "/supervisor/follow-ups"
    with app.app_context():
        follow_up = db.session.get(RatingFollowUp, follow_up_id)
        assert (follow_up.response, follow_up.closed_by_id) == (answer, supervisor)
        actions = db.session.scalars(select(Event.action).join(Case).where(Case.number == number)).all()
        assert "follow_up_closed" in actions
    assert answer in text_of(panel(app, applicant, number), "#rating-response")
    # Answered once: the page shows the response, and a second post changes nothing.
    page = client.page(url)
    assert page.select_one("textarea#response") is None
    token = client.page("/supervisor/follow-ups").select_one("input[name=csrf_token]")["value"]
    assert client.post(url, data={"response": "另一个答复", "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(RatingFollowUp, follow_up_id).response == answer


# -- the dashboard's panel -------------------------------------------------------

def test_the_dashboard_panel_shows_the_figures_in_captioned_tables(app):
    rated_case(app, 2, at("2026-10-12"), closed_at=at("2026-10-13"))
    rated_case(app, 5, at("2026-10-14"))
    supervisor = create_user_in(app, "supervisor")
    with app.test_request_context("/supervisor/dashboard"):
        login_user(db.session.get(User, supervisor))
        figures = rating_figures(db.session, Filters(start=date(2026, 10, 1), end=date(2026, 10, 31)), at("2026-11-30"))
        page = parse(render_template("ratings/_dashboard_panel.html", ratings=figures))
    assert [text_of(s, ".stat-value") for s in page.select("#rating-stats .stat")] == ["2", "3.50", "50.0%"]
    assert [td.get_text(strip=True) for td in page.select("#rating-follow-ups tbody td")] == ["1", "1", "0", "0", "0"]
    for table in page.select("table"):
        assert table.select_one("caption") is not None
        assert all(th.has_attr("scope") for th in table.select("th"))
    (row,) = page.select("#rating-services tbody tr")
    assert [td.get_text(strip=True) for td in row.select("td")] == ["2", "3.50", "50.0%"]


def test_the_follow_ups_list_needs_the_same_statements_for_2_or_8_follow_ups(app, client, login_as, count_statements):
    login_as("supervisor")
    for day in ("2026-11-02", "2026-11-03"):
        rated_case(app, 1, at(day))
    with count_statements() as few:
        client.page("/supervisor/follow-ups")
    for day in ("2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09", "2026-11-10", "2026-11-11"):
        rated_case(app, 2, at(day), closed_at=at(day, 16))
    with count_statements() as many:
        page = client.page("/supervisor/follow-ups")
    assert len(page.select("#follow-ups tbody tr")) == 8
    assert many[0] == few[0]
