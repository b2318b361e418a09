"""The staff's second factor: enrolment forced, two-step sign-in, codes
used once and only within a step of now, recovery codes, the policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.second_factor import DEMO_SECRET, code_at, time_step
from portal.models import RecoveryCode, User
from tests.factories import PASSWORD, TOTP_SECRET, create_user, totp_code, wall_clock
from tests.pages import parse


def _user(app, role, **fields):
    with app.app_context():
        user = create_user(db.session, role, **fields)
        db.session.commit()
        return user.username


def _password(client, username):
    return client.submit("/login", {"login": username, "password": PASSWORD})


def _secret_on_page(client) -> str:
    return parse(client.get("/login/enrol").get_data(as_text=True)).select_one("[data-secret]").get_text().replace(" ", "")


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_a_supervisor_without_a_second_factor_must_enrol_and_reaches_nothing_before(app, client):
    username = _user(app, "supervisor", enrolled=False)
    response = _password(client, username)
    assert response.headers["Location"] == "/login/enrol"
    # Not signed in between: any other page asks for a sign-in.
    assert client.get("/supervisor/").status_code == 302
    assert not _signed_in(client)
    page = parse(client.get("/login/enrol").get_data(as_text=True))
    assert page.select_one("svg") is not None  # the QR code
    secret = _secret_on_page(client)
    assert len(secret) == 32
    response = client.submit("/login/enrol", {"code": "000000" if code_at(secret, time_step(wall_clock())) != "000000" else "111111"})
    assert response.status_code == 400
    response = client.submit("/login/enrol", {"code": code_at(secret, time_step(wall_clock()))})
    assert response.status_code == 200
    codes = [c.get_text() for c in parse(response.get_data(as_text=True)).select(".recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _signed_in(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.totp_enrolled_at is not None
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)


def test_sign_in_with_a_code_then_the_same_code_again_is_refused(app, client, monkeypatch):
    username = _user(app, "admin")
    moment = wall_clock()
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: moment)
    assert _password(client, username).headers["Location"] == "/login/code"
    assert not _signed_in(client)
    code = code_at(TOTP_SECRET, time_step(moment))
    assert client.submit("/login/code", {"code": code}).status_code == 302
    assert _signed_in(client)
    client.submit("/profile", {}, form_action="/logout")
    _password(client, username)
    response = client.submit("/login/code", {"code": code})
    assert response.status_code == 400
    assert "已使用" in parse(response.get_data(as_text=True)).select_one("#code-error").get_text()
    assert not _signed_in(client)


def test_codes_outside_one_step_of_now_are_refused(app, client, monkeypatch):
    username = _user(app, "supervisor")
    moment = wall_clock()
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: moment)
    _password(client, username)
    step = time_step(moment)
    for far in (step - 2, step + 2):
        assert client.submit("/login/code", {"code": code_at(TOTP_SECRET, far)}).status_code == 400
    assert client.submit("/login/code", {"code": code_at(TOTP_SECRET, step - 1)}).status_code == 302


def test_five_wrong_codes_send_the_person_back_to_the_password(app, client):
    username = _user(app, "supervisor")
    _password(client, username)
    good = totp_code()
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(4):
        assert client.submit("/login/code", {"code": wrong}).status_code == 400
    response = client.submit("/login/code", {"code": wrong})
    assert response.headers["Location"] == "/login"
    # The marker is dead even with the right code now.
    assert client.get("/login/code").headers["Location"] == "/login"
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once(app, client):
    username = _user(app, "supervisor", enrolled=False)
    _password(client, username)
    secret = _secret_on_page(client)
    response = client.submit("/login/enrol", {"code": code_at(secret, time_step(wall_clock()))})
    recovery = parse(response.get_data(as_text=True)).select(".recovery-codes code")[3].get_text()
    client.submit("/profile", {}, form_action="/logout")
    _password(client, username)
    assert client.submit("/login/code", {"code": recovery.upper()}).status_code == 302
    assert _signed_in(client)
    client.submit("/profile", {}, form_action="/logout")
    _password(client, username)
    assert client.submit("/login/code", {"code": recovery}).status_code == 400
    assert not _signed_in(client)


def test_the_pending_sign_in_ends_after_ten_minutes(app, client, monkeypatch):
    username = _user(app, "supervisor")
    moment = wall_clock()
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: moment)
    _password(client, username)
    later = moment + timedelta(minutes=11)
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: later)
    assert client.get("/login/code").headers["Location"] == "/login"


@pytest.mark.parametrize("role", ["clerk", "officer"])
def test_clerks_and_officers_are_not_asked_unless_the_setting_says_all(app, client, role):
    username = _user(app, role)
    response = _password(client, username)
    assert response.headers["Location"] == "/me"
    assert _signed_in(client)
    client.submit("/profile", {}, form_action="/logout")
    app.config["PORTAL_STAFF_SECOND_FACTOR"] = "all"
    try:
        assert _password(client, username).headers["Location"] == "/login/enrol"
        assert not _signed_in(client)
    finally:
        app.config["PORTAL_STAFF_SECOND_FACTOR"] = "oversight"


def test_residents_are_never_asked(app, client):
    app.config["PORTAL_STAFF_SECOND_FACTOR"] = "all"
    try:
        with app.app_context():
            mobile = create_user(db.session, "resident").mobile
            db.session.commit()
        assert _password(client, mobile).headers["Location"] == "/me"
    finally:
        app.config["PORTAL_STAFF_SECOND_FACTOR"] = "oversight"


def test_a_session_from_before_the_requirement_is_ended(app, client, login_as):
    user_id = login_as("clerk")
    assert _signed_in(client)
    app.config["PORTAL_STAFF_SECOND_FACTOR"] = "all"
    try:
        assert client.get("/counter/").headers["Location"] == "/login"
        assert not _signed_in(client)
    finally:
        app.config["PORTAL_STAFF_SECOND_FACTOR"] = "oversight"
    assert user_id


def test_the_demo_supervisor_and_admin_use_the_published_secret_and_production_refuses_it(app, runner):
    from portal.config import ConfigError
    from portal.security import refuse_unsafe_production

    runner.invoke(args=["demo", "load"])
    with app.app_context():
        accounts = list(db.session.scalars(select(User).where(User.is_demo.is_(True))))
        demo = {u.username: u for u in accounts if u.username}
        assert demo["supervisor"].totp_secret == DEMO_SECRET and demo["supervisor"].totp_enrolled_at
        assert demo["admin"].totp_secret == DEMO_SECRET
        assert demo["clerk.cs"].totp_secret is None
        for user in accounts:  # as if someone cleared the demo flag by hand
            user.is_demo = False
        db.session.commit()
    with pytest.raises(ConfigError, match=re.escape("demo secret")):
        refuse_unsafe_production(app)
