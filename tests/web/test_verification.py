"""Registration through a texted code, password recovery by code and a new
mobile number: what is texted, what the browser is told, and that a
refusal writes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.models import OutboxMessage, User, VerificationCode
from portal.models.enums import OutboxChannel
from tests.factories import PASSWORD, create_user, valid_id_number
from tests.pages import parse, text_of
from tests.web.test_auth import registration

CODE = re.compile(r"验证码(\d{6})")
NEW_PASSWORD = "another-long-secret-77"


@pytest.fixture
def clock(monkeypatch):
    """The views' clock, standing still until moved: ``clock.move(seconds)``."""

    class Clock:
        now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

        def move(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    standing = Clock()
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: standing.now)
    return standing


def texts(app, mobile: str | None = None) -> list[dict]:
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.sms).order_by(OutboxMessage.id)
        payloads = [m.payload for m in db.session.scalars(query)]
    return [p for p in payloads if mobile is None or p["mobile"] == mobile]


def last_code(app, mobile: str) -> str:
    found = [CODE.search(p["text"]) for p in texts(app, mobile)]
    codes = [m.group(1) for m in found if m]
    assert codes, f"no code texted to {mobile}"
    return codes[-1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def page_text(response) -> str:
    return " ".join(parse(response.get_data(as_text=True)).select_one("main").get_text(" ").split())


def register(client, **overrides):
    response = client.submit("/register", registration(**overrides))
    assert response.status_code == 302 and response.headers["Location"] == "/register/code"
    return client.get("/register/code")


def enter(client, url: str, code: str, **more):
    return client.submit(url, {"code": code, **more}, form_action=url)


# -- registration --------------------------------------------------------------


def test_a_resident_registers_with_the_code_texted_to_their_mobile(app, client, clock):
    page = register(client)
    assert page.status_code == 200
    assert "137****5678" in page_text(page)
    assert users(app) == 0  # no account before the code
    [sms] = texts(app, "13712345678")
    assert sms["action"] == "verification_code" and "注册" in sms["text"] and "5分钟" in sms["text"]
    with app.app_context():
        row = db.session.scalar(select(VerificationCode))
        assert CODE.search(sms["text"]).group(1) not in row.code_hash and len(row.code_hash) == 64
    clock.move(30)
    response = enter(client, "/register/code", last_code(app, "13712345678"))
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    page = client.page("/resident/", follow_redirects=True)
    assert text_of(page, "h1") == "我的办件"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.real_name, user.mobile) == ("赵一", "13712345678")
        assert db.session.scalar(select(VerificationCode)).password_hash is None


def test_a_registered_number_or_id_gets_the_same_page_and_its_owner_a_text_instead(app, client, clock):
    with app.app_context():
        owner = create_user(db.session, "resident")
        db.session.commit()
        owner_mobile, owner_id = owner.mobile, owner.id_number
    pages = {}
    for name, details in {
        "new": {"mobile": "13712345678", "id_number": valid_id_number(serial=41)},
        "mobile taken": {"mobile": owner_mobile, "id_number": valid_id_number(serial=42)},
        "id taken": {"mobile": "13712340000", "id_number": owner_id},
    }.items():
        fresh = app.test_client()
        first = fresh.submit("/register", registration(**details))
        page = fresh.get("/register/code")
        pages[name] = (first.status_code, first.headers.get("Location"), page.status_code,
                       page_text(page).replace(details["mobile"][:3] + "****" + details["mobile"][-4:], "<mobile>"))
    assert pages["new"] == pages["mobile taken"] == pages["id taken"]
    assert "已注册" not in pages["new"][3] and "already" not in pages["new"][3]
    [warning] = texts(app, owner_mobile)
    assert warning["action"] == "account_exists" and "已注册" in warning["text"] and "http://localhost/forgot" in warning["text"]
    assert not CODE.search(warning["text"])
    [told] = texts(app, "13712340000")
    assert "身份证号码已注册" in told["text"] and not CODE.search(told["text"])
    assert users(app) == 1


def test_a_decoy_code_opens_nothing(app, client, clock):
    with app.app_context():
        owner = create_user(db.session, "resident")
        db.session.commit()
        mobile = owner.mobile
    register(client, mobile=mobile)
    for code in ("000000", "123456"):
        response = enter(client, "/register/code", code)
        assert response.status_code == 400
    assert users(app) == 1


def test_a_wrong_code_is_explained_next_to_the_field_and_counted(app, client, clock):
    register(client)
    code = last_code(app, "13712345678")
    response = enter(client, "/register/code", wrong(code))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "4" in text_of(page, "#code-error") and "不正确" in text_of(page, "#code-error")
    assert page.select_one("#code")["aria-invalid"] == "true"
    assert users(app) == 0
    client.get("/language/en")
    response = enter(client, "/register/code", "12ab")
    assert response.status_code == 400
    assert "6 digits" in text_of(parse(response.get_data(as_text=True)), "#code-error")


def test_after_five_wrong_codes_even_the_right_one_is_refused_until_a_new_one(app, client, clock):
    register(client)
    code = last_code(app, "13712345678")
    for _ in range(5):
        response = enter(client, "/register/code", wrong(code))
        assert response.status_code == 400
    response = enter(client, "/register/code", code)  # the 6th try
    assert response.status_code == 400
    assert "5" in text_of(parse(response.get_data(as_text=True)), "#code-error")
    assert users(app) == 0
    clock.move(61)
    response = client.submit("/register/code", {}, form_action="/register/code/resend")
    assert response.status_code == 302
    fresh = last_code(app, "13712345678")
    assert enter(client, "/register/code", fresh).status_code == 302
    assert users(app) == 1


def test_an_expired_code_is_refused(app, client, clock):
    register(client)
    code = last_code(app, "13712345678")
    clock.move(5 * 60 + 1)
    response = enter(client, "/register/code", code)
    assert response.status_code == 400
    assert "5分钟" in text_of(parse(response.get_data(as_text=True)), "#code-error")
    assert users(app) == 0


def test_a_new_code_too_soon_says_how_long_to_wait(app, client, clock):
    register(client)
    clock.move(20)
    response = client.submit("/register/code", {}, form_action="/register/code/resend")
    assert response.status_code == 429
    assert "40" in text_of(parse(response.get_data(as_text=True)), "#code-error")
    response = client.submit("/register", registration())
    assert response.status_code == 429
    assert "40" in text_of(parse(response.get_data(as_text=True)), "#mobile-error")
    assert len(texts(app, "13712345678")) == 1
    clock.move(40)
    assert client.submit("/register/code", {}, form_action="/register/code/resend").status_code == 302
    old, new = [CODE.search(p["text"]).group(1) for p in texts(app, "13712345678")]
    if old != new:  # the first code was replaced: one live code per number
        assert enter(client, "/register/code", old).status_code == 400
    assert enter(client, "/register/code", new).status_code == 302


@pytest.mark.parametrize(
    "field, value, message",
    [("id_number", "330822199001011230", "校验码"), ("mobile", "12345678901", "11"), ("real_name", "", "真实姓名")],
)
def test_bad_details_are_refused_before_any_text(app, client, field, value, message):
    response = client.submit("/register", registration(**{field: value}))
    assert response.status_code == 400
    assert message in text_of(parse(response.get_data(as_text=True)), f"#{field}-error")
    assert texts(app) == [] and users(app) == 0


def test_the_code_page_without_a_registration_sends_back_to_the_form(client):
    response = client.get("/register/code")
    assert response.status_code == 302 and response.headers["Location"] == "/register"


def test_codes_sent_are_rate_limited_per_number(app, client, clock):
    app.config["PORTAL_CODE_LIMIT"] = "2 per hour"
    statuses = []
    for _ in range(3):
        statuses.append(app.test_client().submit("/register", registration(mobile="13712349999")).status_code)
        clock.move(61)
    assert statuses == [302, 302, 429]
    assert len(texts(app, "13712349999")) == 2


# -- password recovery ------------------------------------------------------------


def test_the_sign_in_page_links_to_password_recovery(client):
    assert client.page("/login").select_one("a[href='/forgot']")


def test_a_reset_by_code_sets_the_password_and_ends_every_other_session(app, client, login_as, clock):
    login_as("resident", mobile="13712345678")
    other = app.test_client()
    other.set_cookie("portal_session", client.get_cookie("portal_session").value)
    assert other.get("/resident/").status_code == 200

    visitor = app.test_client()
    response = visitor.submit("/forgot", {"login": "13712345678"})
    assert response.status_code == 302 and response.headers["Location"] == "/forgot/code"
    code = last_code(app, "13712345678")
    response = enter(visitor, "/forgot/code", code, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert other.get("/resident/").status_code == 302
    assert client.get("/resident/").status_code == 302
    # The same code a second time
    response = enter(visitor, "/forgot/code", code, new_password="yet-another-secret-9", confirm="yet-another-secret-9")
    assert response.status_code == 400
    assert "已使用" in text_of(parse(response.get_data(as_text=True)), "#code-error")
    assert visitor.submit("/login", {"login": "13712345678", "password": PASSWORD}).status_code == 400
    assert visitor.submit("/login", {"login": "13712345678", "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_by_id_number_texts_the_registered_mobile(app, client, clock):
    with app.app_context():
        user = create_user(db.session, "resident")
        db.session.commit()
        mobile, id_number = user.mobile, user.id_number
    assert client.submit("/forgot", {"login": id_number.lower()}).status_code == 302
    assert texts(app, mobile) and "找回密码" in texts(app, mobile)[0]["text"]


def test_a_reset_for_an_unknown_number_sends_nothing_and_answers_the_same(app, clock):
    with app.app_context():
        create_user(db.session, "resident", mobile="13712345678")
        db.session.commit()
    answers = []
    for login in ("13712345678", "13700000000"):
        visitor = app.test_client()
        response = visitor.submit("/forgot", {"login": login})
        page = visitor.get("/forgot/code")
        wrong_try = enter(visitor, "/forgot/code", "000001", new_password=NEW_PASSWORD, confirm=NEW_PASSWORD)
        soon = visitor.submit("/forgot/code", {}, form_action="/forgot/code/resend")
        answers.append((response.status_code, response.headers["Location"], page.status_code, page_text(page),
                        wrong_try.status_code, page_text(wrong_try), soon.status_code, page_text(soon)))
    known, unknown = answers
    assert known[:4] == unknown[:4] and known[4] == unknown[4] == 400 and known[6] == unknown[6] == 429
    assert known[7] == unknown[7]
    assert len(texts(app)) == 1 and texts(app)[0]["mobile"] == "13712345678"


def test_a_refused_new_password_keeps_the_old_one_and_the_code(app, client, clock):
    with app.app_context():
        create_user(db.session, "resident", mobile="13712345678")
        db.session.commit()
    client.submit("/forgot", {"login": "13712345678"})
    code = last_code(app, "13712345678")
    response = enter(client, "/forgot/code", code, new_password="short", confirm="short")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#new_password-error")
    assert app.test_client().submit("/login", {"login": "13712345678", "password": PASSWORD}).status_code == 302
    response = enter(client, "/forgot/code", code, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert response.status_code == 302


# -- a new mobile number -------------------------------------------------------------


def test_a_new_mobile_needs_its_code_and_the_old_number_is_told(app, client, login_as, clock):
    login_as("resident", mobile="13712345678")
    response = client.submit("/profile", {"mobile": "13987654321", "password": PASSWORD}, form_action="/profile/mobile")
    assert response.status_code == 302 and response.headers["Location"] == "/profile/mobile/code"
    page = client.get("/profile/mobile/code")
    assert "139****4321" in page_text(page)
    with app.app_context():
        assert db.session.scalar(select(User.mobile)) == "13712345678"  # not yet
    code = last_code(app, "13987654321")
    response = enter(client, "/profile/mobile/code", wrong(code))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.mobile)) == "13712345678"
    assert texts(app, "13712345678") == []
    response = enter(client, "/profile/mobile/code", code)
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    with app.app_context():
        assert db.session.scalar(select(User.mobile)) == "13987654321"
    [told] = texts(app, "13712345678")
    assert told["action"] == "mobile_changed" and "139****4321" in told["text"]
    assert client.submit("/resident/", {}, form_action="/logout").status_code == 302
    assert client.submit("/login", {"login": "13987654321", "password": PASSWORD}).status_code == 302


def test_a_new_mobile_of_another_account_is_refused_without_saying_so(app, client, login_as, clock):
    with app.app_context():
        create_user(db.session, "resident", mobile="13987654321")
        db.session.commit()
    login_as("resident", mobile="13712345678")
    response = client.submit("/profile", {"mobile": "13987654321", "password": PASSWORD}, form_action="/profile/mobile")
    assert response.status_code == 302
    taken = page_text(client.get("/profile/mobile/code"))
    assert "139****4321" in taken
    assert texts(app) == []  # nobody is texted
    assert enter(client, "/profile/mobile/code", "123456").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.mobile).where(User.real_name == "测试居民").order_by(User.id.desc())) == "13712345678"


def test_a_mobile_change_needs_the_current_password(app, client, login_as, clock):
    login_as("resident", mobile="13712345678")
    response = client.submit("/profile", {"mobile": "13987654321", "password": "wrong-password"}, form_action="/profile/mobile")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#password-error")
    assert texts(app) == []
