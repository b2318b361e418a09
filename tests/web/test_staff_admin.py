"""Staff administration at /admin/staff: create with a one-time password
link, change role, disable and enable, the last-admin rule, the events."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain import DomainError
from portal.domain.staff_admin import change_role, disable
from portal.domain.tokens import create_token
from portal.models import User
from tests.factories import create_user, now, wall_clock
from tests.pages import parse, text_of


def _create_clerk(client, username="clerk.new"):
    response = client.submit(
        "/admin/staff",
        {"username": username, "real_name": "新窗口 王芳", "role": "clerk", "window": "yushan", "agency": ""},
        form_action="/admin/staff",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    link = parse(response.get_data(as_text=True)).select_one("#password-link").get_text().strip()
    return link[link.index("/password/set/"):]


def _user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_the_staff_list_shows_role_binding_status_last_sign_in_and_second_factor(app, client, login_as):
    login_as("admin")
    with app.app_context():
        create_user(db.session, "officer", agency_code="ys-psb")
        db.session.commit()
    page = client.page("/admin/staff")
    table = text_of(page, "#staff-title ~ .table-scroll")
    assert "部门经办人 玉山县公安局 有效 从未登录 未使用" in table
    assert "系统管理员 — 有效" in table and "已设置" in table
    # The admin's own sign-in, as every date on the portal: ISO date, 24-hour time.
    assert re.search(r"系统管理员 — 有效 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", table)


def test_an_admin_creates_a_clerk_who_sets_a_password_with_the_link_once(app, client, login_as):
    login_as("admin")
    path = _create_clerk(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "clerk.new"))
        assert user.window_county.value == "yushan" and user.password_setup_nonce
    person = app.test_client()
    person.__class__ = client.__class__
    response = person.submit(path, {"password": "my-own-secret-9", "confirm": "my-own-secret-9"})
    assert response.headers["Location"] == "/login"
    response = person.submit("/login", {"login": "clerk.new", "password": "my-own-secret-9"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    # The link works once.
    assert person.get(path).status_code == 410
    csrf = person.page("/login").select_one("input[name=csrf_token]")["value"]
    response = person.post(path, data={"csrf_token": csrf, "password": "another-one-77", "confirm": "another-one-77"})
    assert response.status_code == 410


def test_an_expired_link_is_refused(app, client, login_as, monkeypatch):
    login_as("admin")
    path = _create_clerk(client)
    later = wall_clock() + timedelta(hours=73)
    monkeypatch.setattr("portal.web.clock.wall_clock", lambda: later)
    # The new clerk opens it in their own browser (the admin's session has ended by then).
    assert app.test_client().get(path).status_code == 410


def test_disabling_ends_the_session_and_the_api_token_at_once(app, client, login_as):
    with app.app_context():
        officer = create_user(db.session, "officer")
        admin = create_user(db.session, "admin")
        _, token = create_token(db.session, name="own", kind="staff", created_by=admin, now=now(), user_id=officer.id)
        db.session.commit()
        officer_id, officer_name = officer.id, officer.username
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    theirs = app.test_client()
    theirs.__class__ = client.__class__
    from tests.journeys import staff_sign_in

    staff_sign_in(app, theirs, officer_name)
    assert theirs.get("/agency/").status_code == 200
    login_as("admin")
    page = client.page(f"/admin/staff/{officer_id}")
    csrf = page.select_one(f"form[action='/admin/staff/{officer_id}/disable'] input[name=csrf_token]")["value"]
    assert client.post(f"/admin/staff/{officer_id}/disable", data={"csrf_token": csrf}).status_code == 302
    assert theirs.get("/agency/").status_code == 302
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    assert "账号已停用" in text_of(client.page(f"/admin/staff/{officer_id}"), "[data-account-events]")


def _post_action(client, user_id, action, data=None):
    page = client.page(f"/admin/staff/{user_id}")
    form = page.select_one(f"form[action='/admin/staff/{user_id}/{action}']")
    csrf = form.select_one("input[name=csrf_token]")["value"]
    return client.post(f"/admin/staff/{user_id}/{action}", data={"csrf_token": csrf, **(data or {})})


def test_the_last_admin_cannot_be_disabled_or_demoted_nor_an_admin_themselves(app, client, login_as):
    me = login_as("admin")
    # Themselves.
    _post_action(client, me, "disable")
    response = _post_action(client, me, "role", {"role": "clerk", "window": "changshan", "agency": ""})
    assert response.status_code == 400
    assert "不能停用自己的账号" in text_of(parse(response.get_data(as_text=True)), "#role-error")
    with app.app_context():
        assert db.session.get(User, me).active and db.session.get(User, me).role.value == "admin"
    # The last active admin, with another admin that is disabled.
    with app.app_context():
        other = create_user(db.session, "admin")
        db.session.commit()
        other_id = other.id
    _post_action(client, other_id, "disable")
    with app.app_context():
        assert not db.session.get(User, other_id).active
    # Now the signed-in admin is the last active one: no one may disable or demote them.
    with app.app_context():
        last, other = db.session.get(User, me), db.session.get(User, other_id)
        for attempt in (
            lambda: disable(db.session, actor=other, user=last, now=now()),
            lambda: change_role(db.session, actor=other, user=last, role="supervisor", window=None, agency_code=None, now=now()),
        ):
            with pytest.raises(DomainError, match="最后一个|last active"):
                attempt()
            db.session.rollback()


def test_changing_a_role_and_the_events_on_the_account_page(app, client, login_as):
    login_as("admin")
    with app.app_context():
        clerk = create_user(db.session, "clerk")
        db.session.commit()
        clerk_id = clerk.id
    response = _post_action(client, clerk_id, "role", {"role": "officer", "window": "", "agency": "ys-amr"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, clerk_id)
        assert user.role.value == "officer" and user.agency.code == "ys-amr" and user.window_county is None
    response = _post_action(client, clerk_id, "role", {"role": "officer", "window": "", "agency": ""})
    assert response.status_code == 400
    assert "部门" in text_of(parse(response.get_data(as_text=True)), "#agency-error")
    _post_action(client, clerk_id, "reset-password")
    events = text_of(client.page(f"/admin/staff/{clerk_id}"), "[data-account-events]")
    assert "角色或归属已更改" in events and "密码已重置" in events


def test_resetting_the_second_factor_makes_the_person_enrol_again(app, client, login_as):
    login_as("admin")
    with app.app_context():
        supervisor = create_user(db.session, "supervisor")
        db.session.commit()
        supervisor_id, name = supervisor.id, supervisor.username
    assert _post_action(client, supervisor_id, "reset-second-factor").status_code == 302
    other = app.test_client()
    other.__class__ = client.__class__
    from tests.factories import PASSWORD

    assert other.submit("/login", {"login": name, "password": PASSWORD}).headers["Location"] == "/login/enrol"
    assert "第二重验证已重置" in text_of(client.page(f"/admin/staff/{supervisor_id}"), "[data-account-events]")


def test_only_admins_reach_staff_administration(client, login_as):
    login_as("supervisor")
    assert client.get("/admin/staff").status_code == 403
