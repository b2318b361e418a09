"""Failed sign-ins are limited per address and per account, but a browser
in which the account signed in before (its device cookie) is counted on
its own, so someone guessing cannot lock the owner out."""

from __future__ import annotations

from itertools import cycle

from portal.db import db
from portal.domain.devices import issue_device_token, read_device_token
from portal.web.auth.views import DEVICE_COOKIE
from tests.factories import PASSWORD, create_user
from tests.pages import parse, text_of


def resident(app):
    with app.app_context():
        user = create_user(db.session, "resident")
        db.session.commit()
        return user.id, user.id_number, user.mobile


def sign_in(client, login, password=PASSWORD, address="192.0.2.1"):
    return client.submit("/login", {"login": login, "password": password}, environ_base={"REMOTE_ADDR": address})


def known_browser(app, login, address="192.0.2.1"):
    """A browser in which the account signed in (and out again)."""
    browser = app.test_client()
    assert sign_in(browser, login, address=address).status_code == 302
    assert browser.get_cookie(DEVICE_COOKIE) is not None
    browser.submit("/", {}, form_action="/logout")
    return browser


def test_an_attacker_cannot_lock_the_owner_out_of_their_own_browser(app):
    user_id, id_number, mobile = resident(app)
    phone = known_browser(app, mobile, address="198.51.100.7")
    attacker = app.test_client()
    addresses = cycle(f"203.0.113.{n}" for n in range(1, 6))
    logins = cycle([id_number, mobile])
    statuses = [sign_in(attacker, next(logins), "wrong-password-1", next(addresses)).status_code for _ in range(20)]
    # ID number and mobile are one account with one counter: 10 guesses, not 20.
    assert statuses == [400] * 10 + [429] * 10
    assert sign_in(phone, id_number, address="198.51.100.7").status_code == 302
    assert phone.get("/resident/").status_code == 200
    fresh = app.test_client()
    response = sign_in(fresh, mobile, address="198.51.100.8")
    assert response.status_code == 429
    assert fresh.get("/resident/").status_code == 302


def test_the_known_browser_has_a_limit_of_its_own(app):
    _user_id, _id_number, mobile = resident(app)
    phone = known_browser(app, mobile)
    statuses = [sign_in(phone, mobile, "wrong-password-1").status_code for _ in range(11)]
    assert statuses == [400] * 10 + [429]
    page = parse(sign_in(phone, mobile).get_data(as_text=True))
    assert "这个浏览器" in text_of(page, "#sign-in-paused")
    # The guesses in the owner's browser were not counted against the account.
    assert sign_in(app.test_client(), mobile, address="192.0.2.99").status_code == 302


def test_a_device_cookie_for_another_account_counts_for_nothing(app):
    _a, _ida, mobile_a = resident(app)
    _b, _idb, mobile_b = resident(app)
    attacker = known_browser(app, mobile_a)  # the attacker's own account
    statuses = [sign_in(attacker, mobile_b, "wrong-password-1", f"203.0.113.{n}").status_code for n in range(11)]
    assert statuses == [400] * 10 + [429]


def test_ten_failures_from_one_address_pause_fresh_browsers_there_but_not_known_ones(app):
    """A window hall shares one address: a known browser of another account
    there still signs in; a browser never used to sign in waits."""
    _a, _ida, mobile_a = resident(app)
    _b, _idb, mobile_b = resident(app)
    desk = known_browser(app, mobile_b, address="192.0.2.50")
    guesser = app.test_client()
    statuses = [sign_in(guesser, mobile_a, "wrong-password-1", "192.0.2.50").status_code for _ in range(10)]
    assert statuses == [400] * 10
    assert sign_in(desk, mobile_b, address="192.0.2.50").status_code == 302
    assert sign_in(app.test_client(), mobile_b, address="192.0.2.50").status_code == 429
    assert sign_in(app.test_client(), mobile_b, address="192.0.2.51").status_code == 302


def test_unknown_logins_are_limited_like_real_ones(app):
    statuses = [sign_in(app.test_client(), "13999999999", "wrong-password-1", f"203.0.113.{n}").status_code for n in range(11)]
    assert statuses == [400] * 10 + [429]


def test_the_paused_page_says_what_happened_and_when_to_try_again_in_both_languages(app):
    app.config["PORTAL_LOGIN_LIMIT"] = "2 per minute"
    _user_id, _id_number, mobile = resident(app)
    client = app.test_client()
    for _ in range(2):
        sign_in(client, mobile, "wrong-password-1")
    response = sign_in(client, mobile)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    notice = text_of(parse(response.get_data(as_text=True)), "#sign-in-paused")
    assert "密码错误次数过多" in notice and "后再试" in notice and "曾成功登录过" in notice
    client.get("/language/en")
    notice = text_of(parse(sign_in(client, mobile).get_data(as_text=True)), "#sign-in-paused")
    assert "Too many wrong passwords" in notice and "Try again then" in notice


def test_the_device_cookie_is_signed_http_only_and_lax(app):
    user_id, _id_number, mobile = resident(app)
    browser = app.test_client()
    response = sign_in(browser, mobile)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=" in header
    with app.app_context():
        key = app.config["SECRET_KEY"]
        assert read_device_token(browser.get_cookie(DEVICE_COOKIE).value, key).account_id == user_id
        forged = issue_device_token(user_id, "another-key-of-at-least-32-bytes-long")
        assert read_device_token(forged, key) is None
        assert read_device_token(forged[:-2] + "xx", key) is None


def test_the_device_cookie_is_secure_when_session_cookies_are(app):
    app.config["SESSION_COOKIE_SECURE"] = True  # as in production
    _user_id, _id_number, mobile = resident(app)
    response = sign_in(app.test_client(), mobile)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    assert "Secure" in header
