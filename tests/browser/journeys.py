"""Steps shared by the browser tests: axe-core on a page, an account made
for a test, signing in and out through the real forms."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

from portal.db import db
from tests.factories import PASSWORD, create_user, totp_code

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def assert_accessible(page) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def texted_code(app, mobile: str) -> str:
    """The last verification code queued for ``mobile``, read from the
    outbox as the relay would send it."""
    from sqlalchemy import select

    from portal.models import OutboxMessage

    with app.app_context():
        payloads = db.session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id)).all()
    codes = [m.group(1) for p in payloads if p["mobile"] == mobile for m in [re.search(r"验证码(\d{6})", p["text"])] if m]
    assert codes, f"no code texted to {mobile}"
    return codes[-1]


def make_user(app, role, **fields):
    """A user of ``role``; their login and ID number."""
    with app.app_context():
        user = create_user(db.session, role, **fields)
        db.session.commit()
        return user.username or user.mobile, user.id_number


def sign_in(page, live_server, login):
    """Password, then the code step when the account asks for one (the
    factories enrol supervisors and admins with TOTP_SECRET)."""
    page.goto(live_server + "/login")
    page.get_by_label("手机号、身份证号或工作人员用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.get_by_label("验证码").fill(totp_code())
        page.get_by_role("button", name="继续").click()


def sign_out(page):
    page.get_by_role("button", name=re.compile("退出登录")).click()
