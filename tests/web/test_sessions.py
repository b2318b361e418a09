"""Sessions end on their own: after idle time (staff 30 min, residents
120 min) and 12 hours after signing in, checked on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import db
from portal.web import clock
from tests.factories import PASSWORD, wall_clock
from tests.pages import parse

START = wall_clock()


@pytest.fixture
def at(monkeypatch):
    """``at(minutes)``: the portal's clock stands that many minutes after START."""

    def stand(minutes: float):
        monkeypatch.setattr(clock, "wall_clock", lambda: START + timedelta(minutes=minutes))

    stand(0)
    return stand


def notices(client, response) -> str:
    assert response.status_code == 302
    return parse(client.get(response.headers["Location"]).get_data(as_text=True)).select_one("main").get_text()


def test_a_clerk_idle_for_31_minutes_is_signed_out_and_comes_back_to_the_same_page(app, client, login_as, at):
    login_as("clerk")
    at(10)
    assert client.get("/counter/").status_code == 200
    at(41)
    response = client.get("/counter/?status=waiting")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "您已超过 30 分钟未操作，请重新登录" in notices(client, response)
    assert client.get("/counter/").status_code == 302
    with app.app_context():
        from portal.models import User

        username = db.session.scalar(db.select(User.username))
    back = client.submit(response.headers["Location"], {"login": username, "password": PASSWORD})
    assert back.headers["Location"] == "/counter/?status=waiting"
    assert client.get("/counter/").status_code == 200


def test_the_message_is_in_english_for_an_english_session(client, login_as, at):
    client.get("/language/en")
    login_as("officer")
    at(31)
    response = client.get("/agency/")
    assert "You have been inactive for more than 30 minutes. Please sign in again." in notices(client, response)


def test_a_resident_is_still_signed_in_after_31_minutes_and_signed_out_after_121(client, login_as, at):
    login_as("resident")
    at(31)
    assert client.get("/resident/").status_code == 200
    at(31 + 121)
    response = client.get("/resident/")
    assert "您已超过 120 分钟未操作，请重新登录" in notices(client, response)


def test_a_resident_idle_for_121_minutes_after_signing_in_is_signed_out(client, login_as, at):
    login_as("resident")
    at(121)
    assert client.get("/resident/").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_active(client, login_as, at):
    login_as("clerk")
    for minutes in range(20, 12 * 60, 20):
        at(minutes)
        assert client.get("/counter/").status_code == 200, minutes
    at(12 * 60)
    response = client.get("/counter/")
    assert "您已登录超过 12 小时，请重新登录" in notices(client, response)


def test_a_cookie_from_30_days_ago_no_longer_signs_anyone_in(client, login_as, at):
    login_as("resident")
    at(30 * 24 * 60)
    assert client.get("/resident/").status_code == 302


def test_a_session_without_its_moments_is_ended(client, login_as):
    login_as("resident")
    with client.session_transaction() as session:
        del session["signed_in_at"]
    assert client.get("/resident/").status_code == 302


def test_changing_the_password_does_not_extend_the_sessions_lifetime(client, login_as, at):
    login_as("resident")
    for minutes in range(60, 11 * 60 + 1, 60):
        at(minutes)
        assert client.get("/resident/").status_code == 200
    response = client.submit(
        "/profile", {"current_password": PASSWORD, "new_password": "brand-new-password", "confirm": "brand-new-password"}
    )
    assert response.status_code == 302
    at(12 * 60)
    assert client.get("/resident/").status_code == 302


def test_limits_follow_the_settings(app, client, login_as, at):
    app.config["PORTAL_RESIDENT_IDLE_MINUTES"] = 5
    login_as("resident")
    at(6)
    assert "您已超过 5 分钟未操作" in notices(client, client.get("/resident/"))


def test_signing_out_everywhere_else_ends_another_clients_session_and_keeps_this_one(app, client, login_as):
    login_as("resident")
    other = app.test_client()
    other.set_cookie("portal_session", client.get_cookie("portal_session").value)
    assert other.get("/resident/").status_code == 200
    page = client.page("/profile")
    button = page.select_one("form[action='/profile/sign-out-elsewhere'] button")
    assert button is not None and "其他" in button.get_text()
    response = client.submit("/profile", {}, form_action="/profile/sign-out-elsewhere")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert "其他设备" in client.page("/profile").get_text()
    assert client.get("/resident/").status_code == 200
    assert other.get("/resident/").status_code == 302


def test_no_remember_me_cookie_outlives_a_session(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=app.config["PORTAL_SESSION_HOURS"])


def test_a_staff_member_and_a_resident_have_different_idle_limits(app):
    from portal.domain.sessions import Ending, SessionLimits, session_ending
    from portal.models import Role

    limits = SessionLimits(timedelta(minutes=30), timedelta(minutes=120), timedelta(hours=12))
    now = START
    signed_in = now - timedelta(minutes=31)
    assert session_ending(Role.clerk, signed_in, signed_in, now, limits) is Ending.idle
    assert session_ending(Role.resident, signed_in, signed_in, now, limits) is None
    assert session_ending(Role.resident, now - timedelta(hours=12), now, now, limits) is Ending.lifetime
    assert session_ending(Role.resident, None, now, now, limits) is Ending.lifetime


