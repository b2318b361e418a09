"""The two journeys of the [Submit once] issue in a real browser, with
axe-core on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.db import db
from portal.domain.tracking import FAILURES_ALLOWED
from portal.web.cases.views import tracking_url
from tests.browser.journeys import assert_accessible, make_user, sign_in, sign_out
from tests.factories import create_case
from tests.uploads import PDF, PNG

pytestmark = pytest.mark.browser


def files(tmp_path):
    pdf = tmp_path / "身份证.pdf"
    pdf.write_bytes(PDF)
    png = tmp_path / "户口簿.png"
    png.write_bytes(PNG)
    fake = tmp_path / "伪装.pdf"
    fake.write_bytes(b"MZ this is not a pdf")
    return pdf, png, fake


def test_resident_applies_online_gets_a_receipt_and_tracks_with_the_query_code(app, page, live_server, tmp_path):
    pdf, png, fake = files(tmp_path)
    mobile, _ = make_user(app, "resident", real_name="张晓")
    sign_in(page, live_server, mobile)
    page.goto(live_server + "/services/psb-no-record")
    page.get_by_role("link", name="在线申请").click()
    expect(page.locator("h1")).to_contain_text("无犯罪记录证明")
    assert_accessible(page)

    page.get_by_label("受理窗口").select_option("yushan")
    page.get_by_label("户籍所在地", exact=True).select_option("elsewhere")
    page.get_by_label("居住或工作地", exact=True).select_option("changshan")
    page.get_by_label("用途", exact=True).select_option(label="就业")
    page.get_by_label("居民身份证", exact=True).set_input_files(str(fake))
    page.get_by_label("居民户口簿").set_input_files(str(png))
    page.get_by_role("button", name="下一步：核对信息").click()

    # Two problems at once: the province for "elsewhere" and the fake PDF.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator("#material_id_card-error")).to_contain_text("不是真正的")
    expect(page.locator(".uploaded")).to_contain_text("户口簿.png")
    expect(page.get_by_label("用途", exact=True)).to_have_value(re.compile(".+"))
    assert_accessible(page)

    page.locator("#hukou_province").select_option("安徽省")
    page.get_by_label("居民身份证", exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.locator("h1")).to_have_text("核对申请信息")
    expect(page.locator("main")).to_contain_text("安徽省")
    expect(page.locator("main")).to_contain_text("身份证.pdf")
    assert_accessible(page)

    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请回执")
    number = page.locator(".big").nth(0).inner_text().strip()
    code = page.locator(".big").nth(1).inner_text().strip()
    assert re.fullmatch(r"KSYS\d{12}", number) and re.fullmatch(r"\d{6}", code)
    expect(page.locator("figure.qr svg")).to_be_visible()
    assert_accessible(page)

    # A browser retry of the final submit lands on the same receipt.
    page.go_back()
    page.reload()
    expect(page.locator("h1")).to_have_text("申请回执")
    expect(page.locator(".big").nth(0)).to_have_text(number)

    page.get_by_role("link", name="返回办件").click()
    expect(page.locator(".timeline li")).to_have_count(1)
    assert_accessible(page)
    sign_out(page)

    page.get_by_role("link", name="办件查询").first.click()
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("查询码").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="办件查询").click()
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.get_by_label("查询码")).to_have_value("")  # the code typed is not sent back
    assert_accessible(page)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="办件查询").click()
    expect(page.locator("main")).to_contain_text("已接件，待窗口审查")
    expect(page.locator("main")).to_contain_text("张*")
    expect(page.locator("main")).not_to_contain_text("张晓")
    assert page.url == live_server + "/track"  # the lookup posted: no code in the address or the history
    assert_accessible(page)

    # A link of an old receipt with the code in it only fills in the number.
    page.goto(f"{live_server}/track?number={number}&code={code}")
    expect(page.get_by_label("办件编号")).to_have_value(number)
    expect(page.get_by_label("查询码")).to_have_value("")
    expect(page.locator("main")).not_to_contain_text("张*")
    assert_accessible(page)


def test_counter_intake_correction_by_the_resident_then_acceptance(app, page, live_server, tmp_path):
    pdf, png, _ = files(tmp_path)
    mobile, id_number = make_user(app, "resident", real_name="李雷")
    clerk, _ = make_user(app, "clerk")

    sign_in(page, live_server, clerk)
    page.get_by_role("link", name="代收新申请").click()
    assert_accessible(page)
    page.get_by_role("link", name="无犯罪记录证明").click()
    page.get_by_label("申请人居民身份证号码").fill(id_number)
    # The ID number was first registered in Changshan (330822): the household registration follows it.
    expect(page.get_by_label("户籍所在地", exact=True)).to_have_value("changshan")
    page.get_by_label("申请人姓名").fill("李雷")
    page.get_by_label("申请人手机号码").fill("13655556666")
    page.get_by_label("户籍所在地", exact=True).select_option("changshan")
    page.get_by_label("居住或工作地", exact=True).select_option("yushan")
    page.get_by_label("用途", exact=True).select_option(label="升学")
    page.get_by_label("居民身份证", exact=True).set_input_files(str(png))
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.locator("#identity_checked-error")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("已当面核验申请人身份证件").check()
    page.get_by_label("居民身份证", exact=True).set_input_files(str(png))
    page.get_by_role("button", name="下一步：核对信息").click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请回执")
    number = page.locator(".big").nth(0).inner_text().strip()
    assert number.startswith("KSCS")

    page.goto(live_server + "/counter/")
    expect(page.locator("table")).to_contain_text(number)
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    page.get_by_role("link", name="审查办理").click()
    assert_accessible(page)
    page.get_by_role("group", name="补正项目").get_by_label("居民身份证", exact=True).check()
    page.get_by_role("textbox", name=re.compile(r"理由\s*：\s*居民身份证")).fill("身份证背面未扫描")
    page.get_by_role("button", name="出具补正告知书").click()
    expect(page.locator("h1")).to_have_text("补正告知书")
    expect(page.locator("main")).to_contain_text("身份证背面未扫描")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server, mobile)
    expect(page.locator("table")).to_contain_text(number)
    page.get_by_role("link", name=number).click()
    expect(page.locator(".notice-warning")).to_be_visible()
    page.get_by_role("link", name="补正申请").click()
    assert_accessible(page)
    page.get_by_label("居民身份证").set_input_files(str(pdf))
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator(".status")).to_have_text("已接件，待窗口审查")
    sign_out(page)

    sign_in(page, live_server, clerk)
    page.goto(live_server + f"/counter/cases/{number}/decide")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("h1")).to_have_text("受理通知书")
    expect(page.locator("main")).to_contain_text(number)
    assert_accessible(page)
    page.get_by_role("link", name="返回办件").click()
    # Submitted, correction requested, resubmitted, accepted, handling started, sent to the agency.
    expect(page.locator(".timeline li")).to_have_count(6)
    expect(page.locator(".timeline li").last).to_contain_text("已分送承办部门")
    expect(page.locator(".status")).to_have_text("办理中")
    page.screenshot(path="test-artifacts/counter-case.png", full_page=True)


def test_officer_claims_and_completes_then_the_clerk_hands_over(app, page, live_server):
    from portal.db import db
    from portal.domain.clock import WorkCalendar
    from portal.domain.intake import accept_case
    from portal.models import County
    from tests.factories import create_case, wall_clock

    officer, _ = make_user(app, "officer", agency_code="cs-amr", real_name="孙丽")
    with app.app_context():
        case = create_case(db.session, "amr-biz-change", status="submitted", business_county="changshan", receiving_county="yushan")
        from tests.factories import create_user as make

        window = make(db.session, "clerk", window_county=County.yushan)
        # Accepted just now by the real clock: the live server claims and completes at its own time.
        accept_case(db.session, case, window, wall_clock(), WorkCalendar.load(db.session))
        db.session.commit()
        number = case.number

    sign_in(page, live_server, officer)
    expect(page.get_by_role("table", name="任务队列")).to_contain_text(number)
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    expect(page.locator("h1")).to_contain_text(number)
    assert_accessible(page)
    page.get_by_role("button", name="认领任务").click()
    expect(page.locator(".notice-success")).to_contain_text("已认领")
    page.get_by_role("button", name="办结任务").click()
    expect(page.locator("#opinion-error")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("办理意见").fill("材料齐全，准予变更登记")
    page.get_by_label("证照或决定书编号（如有）").fill("(玉)登字〔2026〕第0001号")
    page.get_by_role("button", name="办结任务").click()
    expect(page.locator(".notice-success")).to_contain_text("任务已办结")
    sign_out(page)

    with app.app_context():
        from sqlalchemy import select

        from portal.models import User

        username = db.session.scalar(select(User.username).where(User.window_county == County.yushan))
    sign_in(page, live_server, username)
    page.goto(live_server + f"/cases/{number}")
    expect(page.locator(".status")).to_have_text("已办结")
    assert_accessible(page)
    page.get_by_label("出件方式").select_option("window")
    page.get_by_role("button", name="确认出件").click()
    expect(page.locator(".notice-success")).to_contain_text("出件")
    expect(page.locator(".status")).to_have_text("已出件送达")
    assert_accessible(page)


def test_guessing_a_query_code_locks_the_case_while_the_receipts_link_still_opens_it(app, page, live_server):
    with app.app_context():
        case = create_case(db.session, status="submitted", applicant_name="张晓", query_code="482915")
        db.session.commit()
        number = case.number
        with app.test_request_context():
            link = tracking_url(case).removeprefix("http://localhost")
    page.goto(live_server + "/track")
    page.get_by_label("办件编号").fill(number)
    for _ in range(FAILURES_ALLOWED):
        page.get_by_label("查询码").fill("739164")
        page.get_by_role("button", name="办件查询").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("查询码错误次数过多")
    assert_accessible(page)
    page.get_by_label("查询码").fill("482915")  # the right code, refused while locked
    page.get_by_role("button", name="办件查询").click()
    expect(summary).to_contain_text("查询码错误次数过多")
    expect(page.locator("main")).not_to_contain_text("张*")

    page.goto(live_server + link)
    expect(page.locator("main")).to_contain_text(number)
    expect(page.locator("main")).to_contain_text("张*")
    assert_accessible(page)
    page.goto(live_server + link[:-2] + ("AA" if link[-2:] != "AA" else "BB"))
    expect(page.locator("[data-error-summary]")).to_contain_text("查询链接无效")
