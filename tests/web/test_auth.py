import re

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.models import OutboxMessage, User
from tests.factories import PASSWORD, PASSWORDS, create_user, valid_id_number
from tests.journeys import complete_second_factor
from tests.pages import parse, text_of


def registration(**overrides):
    data = {
        "real_name": "赵一",
        "id_number": valid_id_number(serial=41),
        "mobile": "13712345678",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_a_resident_registers_through_the_texted_code_and_lands_on_their_applications(app, client):
    response = client.submit("/register", registration())
    assert response.status_code == 302 and response.headers["Location"] == "/register/code"
    assert users(app) == 0
    with app.app_context():
        [text] = db.session.scalars(select(OutboxMessage.payload)).all()
    code = re.search(r"验证码(\d{6})", text["text"]).group(1)
    response = client.submit("/register/code", {"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    page = client.page("/resident/", follow_redirects=True)
    assert text_of(page, "h1") == "我的办件"
    assert "330***********" in page.get_text()
    assert users(app) == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("id_number", "330822199001011230", "校验码"),
        ("id_number", "12345", "18"),
        ("mobile", "12345678901", "11"),
        ("real_name", "", "真实姓名"),
    ],
)
def test_bad_registration_input_is_explained_next_to_the_field_and_nothing_is_saved(app, client, field, value, message):
    response = client.submit("/register", registration(**{field: value}))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    summary_link = page.select_one(f".error-summary a[href='#{field}']")
    assert summary_link is not None and message in summary_link.get_text()
    assert message in text_of(page, f"#{field}-error")
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.title.get_text().startswith("错误：")
    if field != "real_name":
        assert page.select_one("#real_name")["value"] == "赵一"
    assert page.select_one("#password").get("value") in (None, "")
    assert users(app) == 0


def test_all_registration_problems_are_shown_together(app, client):
    response = client.submit("/register", registration(id_number="330822199001011230", mobile="12", password="x", confirm="x"))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    linked = {a["href"] for a in page.select(".error-summary a")}
    assert {"#id_number", "#mobile", "#password"} <= linked
    assert users(app) == 0


def test_passwords_that_differ_are_refused(client):
    response = client.submit("/register", registration(confirm="something-else"))
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one(".error-summary a[href='#confirm']")


def test_a_duplicate_id_number_or_mobile_is_not_told_to_the_browser(app, client):
    """The page asks for the code either way; the number is told by text
    (tests/web/test_verification.py) and no account is created."""
    with app.app_context():
        existing = create_user(db.session, "resident")
        db.session.commit()
        id_number, mobile = existing.id_number, existing.mobile
    for details in ({"id_number": id_number}, {"mobile": mobile}):
        response = app.test_client().submit("/register", registration(**details))
        assert response.status_code == 302 and response.headers["Location"] == "/register/code"
    assert users(app) == 1


def test_a_form_without_its_csrf_token_is_refused_with_an_explanation(app, client):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "表单已过期或并非来自本网站" in text_of(page, "main")
    assert "Traceback" not in response.get_data(as_text=True)
    assert users(app) == 0


def test_a_wrong_password_is_told_without_saying_which_part_was_wrong(app, client):
    with app.app_context():
        user = create_user(db.session, "resident")
        db.session.commit()
        mobile = user.mobile
    for login in (mobile, "13999999999"):
        response = client.submit("/login", {"login": login, "password": "wrong-password"})
        assert response.status_code == 400
        error = text_of(parse(response.get_data(as_text=True)), "#password-error")
    assert error
    assert client.get("/resident/").status_code == 302


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app, client, login_as):
    login_as("resident")
    copied = client.get_cookie("portal_session").value
    assert client.get("/resident/").status_code == 200
    response = client.submit("/resident/", {}, form_action="/logout")
    assert response.status_code == 302
    assert client.get("/resident/").status_code == 302
    client.set_cookie("portal_session", copied)
    response = client.get("/resident/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_in_renews_the_session_cookie(app, client):
    client.get("/language/en")
    before = client.get_cookie("portal_session").value
    with app.app_context():
        user = create_user(db.session, "clerk")
        db.session.commit()
        username = user.username
    client.submit("/login", {"login": username, "password": PASSWORD})
    after = client.get_cookie("portal_session").value
    assert after != before
    assert client.page("/counter/").html["lang"] == "en"


def test_login_attempts_are_rate_limited(app, client):
    app.config["PORTAL_LOGIN_LIMIT"] = "3 per minute"
    statuses = [
        client.submit("/login", {"login": "13800000000", "password": "wrong-password"}).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    client.page("/login")  # GET is not limited
    response = client.submit("/login", {"login": "13800000000", "password": "x" * 10})
    assert response.status_code == 429
    assert "请" in parse(response.get_data(as_text=True)).get_text()


def test_after_sign_in_a_safe_next_page_is_honoured_and_an_outside_one_ignored(app, client):
    with app.app_context():
        user = create_user(db.session, "admin")
        db.session.commit()
        username = user.username
    response = client.submit("/login?next=/admin/", {"login": username, "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"
    response = complete_second_factor(app, client, username)
    assert response.headers["Location"] == "/admin/"
    client.get("/language/zh_CN")
    client.submit("/admin/", {}, form_action="/logout")
    client.submit("/login?next=https://evil.example/", {"login": username, "password": PASSWORD})
    response = complete_second_factor(app, client, username)
    assert response.headers["Location"] == "/"


def test_changing_the_password_signs_other_sessions_out(app, client, login_as):
    login_as("resident")
    other = app.test_client()
    other.set_cookie("portal_session", client.get_cookie("portal_session").value)
    assert other.get("/resident/").status_code == 200
    response = client.submit(
        "/profile",
        {"current_password": PASSWORD, "new_password": "brand-new-password", "confirm": "brand-new-password"},
    )
    assert response.status_code == 302
    assert client.get("/resident/").status_code == 200
    assert other.get("/resident/").status_code == 302


def test_an_oversized_request_is_refused_with_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/register", data={"real_name": "x" * 4096})
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["password123", "qwerty12", "abcd1234", "welcome1"])
def test_a_weak_password_is_refused_next_to_the_field_at_registration_and_nothing_is_stored(app, client, password):
    response = client.submit("/register", registration(password=password, confirm=password))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert "最常见的密码" in text_of(page, "#password-error")
    assert page.select_one(".error-summary a[href='#password']")
    assert users(app) == 0


def test_a_weak_new_password_is_refused_next_to_the_field_and_the_old_one_kept(app, client, login_as):
    user_id = login_as("resident")
    response = client.submit("/profile", {"current_password": PASSWORD, "new_password": "welcome1", "confirm": "welcome1"})
    assert response.status_code == 400
    assert "最常见的密码" in text_of(parse(response.get_data(as_text=True)), "#new_password-error")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert PASSWORDS.verify(user.password_hash, PASSWORD) and not PASSWORDS.verify(user.password_hash, "welcome1")


def test_the_profile_page_is_titled_and_lists_each_section_once(client, login_as):
    login_as("resident")
    page = client.page("/profile")
    assert page.title.get_text().startswith("个人中心")
    assert "<" not in page.title.get_text()
    headings = [h.get("id") for h in page.select("main h2")]
    assert headings == ["password-title", "mobile-title", "sessions-title"]
