"""收受分离 and 邮寄送达 in a real browser: the Yushan window takes a walk-in
case for Changshan's police, holds and posts the originals with a
waybill; the Changshan officer signs for them and completes; the result
goes out by post and the applicant sees the waybill. Screenshots of the
paper-file panel at 1280 and 390 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db
from portal.domain.sms import text_for
from portal.models import County, OutboxMessage
from tests.browser.journeys import assert_accessible, make_user, sign_in, sign_out
from tests.uploads import PDF

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-paper")


def shoot(page, name):
    """The page at 1280 and at 390 px wide, back at the phone width after."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".paper-file").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_walk_in_cases_originals_cross_the_border_and_the_result_goes_by_post(app, page, live_server, tmp_path):
    card = tmp_path / "身份证.pdf"
    card.write_bytes(PDF)
    mobile, id_number = make_user(app, "resident", real_name="周敏")
    clerk, _ = make_user(app, "clerk", window_county=County.yushan)
    officer, _ = make_user(app, "officer", agency_code="cs-psb", real_name="王警官")

    # The Yushan window takes the application for Changshan's police (户籍在常山).
    sign_in(page, live_server, clerk)
    page.get_by_role("link", name="代收新申请").click()
    page.get_by_role("link", name="无犯罪记录证明").click()
    page.get_by_label("申请人居民身份证号码").fill(id_number)
    page.get_by_label("申请人姓名").fill("周敏")
    page.get_by_label("申请人手机号码").fill(mobile)
    page.get_by_label("户籍所在地", exact=True).select_option("changshan")
    page.get_by_label("居住或工作地", exact=True).select_option("yushan")
    page.get_by_label("用途", exact=True).select_option(label="就业")
    page.get_by_label("居民身份证", exact=True).set_input_files(str(card))
    page.get_by_label("已当面核验申请人身份证件").check()
    page.get_by_role("button", name="下一步：核对信息").click()
    page.get_by_role("button", name="提交申请").click()
    number = page.locator(".big").nth(0).inner_text().strip()
    assert number.startswith("KSYS")
    page.goto(live_server + f"/counter/cases/{number}/decide")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("link", name="返回办件").click()
    panel = page.locator(".paper-file")
    expect(panel).to_contain_text("尚未登记")

    # The window holds the signed power of attorney and posts it by EMS.
    panel.get_by_role("link", name="登记收存的原件").click()
    assert_accessible(page)
    page.get_by_label("授权委托书及受托人身份证").check()
    page.get_by_role("button", name="登记收存的原件").click()
    expect(page.locator(".notice-success")).to_contain_text("已登记")
    expect(page.locator(".paper-file")).to_contain_text("玉山窗口")
    page.get_by_label("寄递方式").select_option(label="中国邮政EMS")
    page.get_by_label("运单号").fill("EA12345678")
    page.get_by_role("button", name="登记寄出").click()
    expect(page.locator("#waybill-error")).to_contain_text("13位")
    assert_accessible(page)
    page.get_by_label("运单号").fill("EA123456789CN")
    page.get_by_role("button", name="登记寄出").click()
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator(".paper-file")).to_contain_text("EA123456789CN")
    expect(page.locator(".timeline")).to_contain_text("原件已寄送承办部门")
    assert_accessible(page)
    shoot(page, "staff-in-transit")
    sign_out(page)

    # Changshan's officer signs for the parcel, then completes the task.
    sign_in(page, live_server, officer)
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="认领任务").click()
    page.get_by_role("button", name="原件已收到").click()
    expect(page.locator(".notice-success")).to_contain_text("已确认签收原件")
    expect(page.locator(".paper-file")).to_contain_text("常山县公安局已于")
    assert_accessible(page)
    shoot(page, "officer-received")
    page.get_by_label("办理意见").fill("经查询，未发现犯罪记录")
    page.get_by_role("button", name="办结任务").click()
    expect(page.locator(".notice-success")).to_contain_text("任务已办结")
    sign_out(page)

    # The window posts the result with an SF waybill.
    sign_in(page, live_server, clerk)
    page.goto(live_server + f"/cases/{number}")
    page.get_by_label("出件方式").select_option("post")
    page.get_by_label("邮寄地址").fill("江西省上饶市玉山县冰溪街道博士大道8号")
    page.locator("#carrier").select_option(label="顺丰速运")
    page.get_by_label("运单号").fill("SF1234567890123")
    page.get_by_role("button", name="确认出件").click()
    expect(page.locator(".status")).to_have_text("已出件送达")
    sign_out(page)

    # The applicant sees where the originals went and the result's waybill.
    sign_in(page, live_server, mobile)
    page.goto(live_server + f"/cases/{number}")
    expect(page.locator(".paper-file")).to_contain_text("已签收")
    expect(page.locator("#postal-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("SF1234567890123")
    assert_accessible(page)
    shoot(page, "applicant")
    with app.app_context():
        texts = [text_for(db.session, m.payload) for m in db.session.scalars(select(OutboxMessage))]
    assert any("顺丰速运运单号SF1234567890123" in (t or "") for t in texts)
