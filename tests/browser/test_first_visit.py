"""A resident's first visit in a real browser, with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, sign_in, texted_code
from tests.factories import valid_id_number

pytestmark = pytest.mark.browser


def test_resident_switches_language_registers_signs_out_and_in(app, page, live_server):
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("一次申请，两省通办")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name="居住证申领")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Apply once, served in both provinces")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("一次申请，两省通办")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="注册").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    assert_accessible(page)
    page.get_by_label("真实姓名").fill("赵一")
    number = valid_id_number(region="330822", birth="19920315", serial=77)
    bad_number = number[:-1] + ("0" if number[-1] != "0" else "1")
    page.get_by_label("居民身份证号码").fill(bad_number)
    page.get_by_label("手机号码").fill("13712345678")
    page.get_by_label("密码", exact=True).fill("a-good-password")
    page.get_by_label("再次输入密码").fill("a-good-password")
    page.get_by_role("button", name="注册账号").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("校验码"))
    expect(link).to_have_attribute("href", "#id_number")
    expect(page.locator("#id_number-error")).to_contain_text("校验码")
    expect(page.get_by_label("真实姓名")).to_have_value("赵一")
    assert_accessible(page)
    link.click()
    expect(page.locator("#id_number")).to_be_focused()

    page.get_by_label("居民身份证号码").fill(number)
    page.get_by_label("密码", exact=True).fill("a-good-password")
    page.get_by_label("再次输入密码").fill("a-good-password")
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("h1")).to_have_text("验证手机号码")
    expect(page.locator("[data-code-sent]")).to_contain_text("137****5678")
    assert_accessible(page)
    page.get_by_label("短信验证码").fill(texted_code(app, "13712345678"))
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("h1")).to_have_text("我的办件")
    expect(page.get_by_role("status").first).to_contain_text("赵一")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("退出登录")).click()
    expect(page.get_by_role("status").first).to_contain_text("已退出登录")
    assert_accessible(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").click()
    assert_accessible(page)
    page.get_by_label("手机号、身份证号或工作人员用户名").fill("13712345678")
    page.get_by_label("密码").fill("a-good-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的办件")
    assert_accessible(page)

    page.goto(live_server + "/services/psb-rp-apply")
    expect(page.locator("h1")).to_have_text("居住证申领")
    assert_accessible(page)
    page.screenshot(path="test-artifacts/service-page.png", full_page=True)


@pytest.mark.parametrize(
    "role, landing, heading",
    [
        ("clerk", "/counter/", "常山窗口"),
        ("officer", "/agency/", "常山县公安局"),
        ("supervisor", "/supervisor/", "效能督查"),
        ("admin", "/admin/", "系统管理"),
    ],
)
def test_staff_sign_in_to_their_landing_page_which_passes_axe(app, page, live_server, role, landing, heading):
    from portal.db import db
    from tests.factories import create_user

    with app.app_context():
        user = create_user(db.session, role)
        db.session.commit()
        username = user.username
    sign_in(page, live_server, username)
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    page.goto(live_server + "/profile")
    assert_accessible(page)
    page.goto(live_server + "/services?department=psb&county=yushan&q=居住证")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert_accessible(page)
    page.goto(live_server + "/no-such-page")
    expect(page.locator("h1")).to_have_text("页面不存在")
    assert_accessible(page)


def test_an_admin_reads_the_provisional_year_and_corrects_a_day(app, page, live_server):
    from portal.db import db
    from tests.factories import create_user

    with app.app_context():
        username = create_user(db.session, "admin").username
        db.session.commit()
    sign_in(page, live_server, username)
    page.get_by_role("link", name="录入官方节假日安排").first.click()
    expect(page.locator("h1")).to_have_text("2027年工作日历")
    assert_accessible(page)
    page.get_by_role("button", name="保存更正").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("日期").fill("2027-01-04")
    page.get_by_label("休息日").check()
    page.get_by_label("名称（选填）").fill("元旦")
    page.get_by_label("理由").fill("国务院办公厅通知")
    page.get_by_role("button", name="保存更正").click()
    expect(page.locator(".notice-success")).to_contain_text("2027-01-04")
    expect(page.locator("#holidays-title ~ table")).to_contain_text("2027-01-04")
    assert_accessible(page)
