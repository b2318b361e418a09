"""A supervisor enrols the second factor in a real browser and signs in with it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, make_user, sign_out
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _fresh_code(secret: str, used: str | None = None) -> str:
    """The app's code now; after a used one, wait for the next step."""
    totp = pyotp.TOTP(secret)
    while (code := totp.now()) == used:
        time.sleep(1)
    return code


def test_a_supervisor_enrols_and_signs_in_with_a_code(app, page, live_server):
    login, _ = make_user(app, "supervisor", enrolled=False)
    page.goto(live_server + "/login")
    page.get_by_label("手机号、身份证号或工作人员用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator("h1")).to_have_text("设置第二重验证")
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    first = _fresh_code(secret)
    page.get_by_label("应用中的验证码").fill(first)
    page.get_by_role("button", name="确认并登录").click()
    expect(page.locator("h1")).to_have_text("您的恢复码")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="我已保存恢复码，继续").click()
    sign_out(page)

    page.goto(live_server + "/login")
    page.get_by_label("手机号、身份证号或工作人员用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    assert_accessible(page)
    page.get_by_label("验证码").fill(_fresh_code(secret, used=first))
    page.get_by_role("button", name="继续").click()
    expect(page).to_have_url(re.compile(r"/supervisor/$"))
