"""A resident registers through the texted code, signs out, forgets the
password, resets it by code and signs in with the new one; axe-core on
every page of the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, sign_out, texted_code
from tests.factories import valid_id_number

pytestmark = pytest.mark.browser

MOBILE = "13712345678"


def test_register_by_code_sign_out_reset_the_password_by_code_and_sign_in(app, page, live_server):
    page.goto(live_server + "/register")
    page.get_by_label("真实姓名").fill("钱二")
    page.get_by_label("居民身份证号码").fill(valid_id_number(region="361123", birth="19880520", serial=55))
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_label("密码", exact=True).fill("a-good-password")
    page.get_by_label("再次输入密码").fill("a-good-password")
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("h1")).to_have_text("验证手机号码")
    page.get_by_label("短信验证码").fill("000000" if texted_code(app, MOBILE) != "000000" else "000001")
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("#code-error")).to_contain_text("不正确")
    assert_accessible(page)
    page.get_by_label("短信验证码").fill(texted_code(app, MOBILE))
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("h1")).to_have_text("我的办件")

    sign_out(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").click()
    page.get_by_role("link", name="忘记密码").click()
    expect(page.locator("h1")).to_have_text("忘记密码")
    assert_accessible(page)
    page.get_by_label("手机号码或身份证号码").fill(MOBILE)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator("h1")).to_have_text("重设密码")
    assert_accessible(page)
    page.get_by_label("短信验证码").fill(texted_code(app, MOBILE))
    page.get_by_label("新密码", exact=True).fill("another-good-password")
    page.get_by_label("再次输入新密码").fill("another-good-password")
    page.get_by_role("button", name="设置新密码").click()
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.get_by_role("status").first).to_contain_text("密码已重设")

    page.get_by_label("手机号、身份证号或工作人员用户名").fill(MOBILE)
    page.get_by_label("密码").fill("a-good-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#password-error")).to_be_visible()
    page.get_by_label("密码").fill("another-good-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的办件")
    expect(page.get_by_role("button", name=re.compile("退出登录"))).to_be_visible()
