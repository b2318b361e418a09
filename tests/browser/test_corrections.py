"""A correction that runs out, and a return answered by the applicant, in a
real browser with axe-core on each page; screenshots at a phone's and a
desktop's width go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db
from portal.domain.clock import current_calendar
from portal.domain.corrections import sweep_corrections
from portal.domain.deadlines import refresh_due
from portal.domain.workflow import return_task
from portal.models import Case, User
from portal.models.enums import Channel
from tests.browser.conftest import ARTIFACTS
from tests.browser.journeys import assert_accessible, make_user, sign_in, sign_out
from tests.factories import at, create_case, create_task, now
from tests.uploads import PDF

pytestmark = pytest.mark.browser


def shoot(page, name: str) -> None:
    """The page at 390 px (the fixture's phone) and at 1280 px wide."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.fixture
def monday(monkeypatch):
    monkeypatch.setattr("portal.web.clock.wall_clock", now)  # Mon 2026-11-02 10:00 Shanghai


def submitted_case(app, mobile: str) -> str:
    with app.app_context():
        resident = db.session.scalar(select(User).where(User.mobile == mobile))
        number = create_case(db.session, "psb-no-record", status="submitted", applicant=resident, channel=Channel.online).number
        db.session.commit()
    return number


def test_a_correction_not_made_in_time_closes_the_case_and_the_applicant_sees_why(app, page, live_server, monday):
    mobile, _ = make_user(app, "resident", real_name="周敏")
    clerk, _ = make_user(app, "clerk", window_county="changshan")
    number = submitted_case(app, mobile)

    sign_in(page, live_server, clerk)
    page.goto(live_server + f"/counter/cases/{number}/decide")
    expect(page.locator("main")).to_contain_text("申请人须在5个工作日内补正")
    page.get_by_role("group", name="补正项目").get_by_label("居民身份证", exact=True).check()
    page.get_by_role("textbox", name=re.compile(r"理由\s*：\s*居民身份证")).fill("身份证背面未扫描")
    page.get_by_role("button", name="出具补正告知书").click()
    expect(page.locator("h1")).to_have_text("补正告知书")
    expect(page.locator(".doc-deadline")).to_contain_text("补正时限：2026-11-09前（含当日，共5个工作日）")
    expect(page.locator(".doc-deadline")).to_contain_text("视为撤回申请")
    assert_accessible(page)
    shoot(page, "correction-notice")
    sign_out(page)

    # A week passes without a correction; the worker's sweep runs the next morning.
    with app.app_context():
        assert sweep_corrections(db.session, current_calendar(db.session), at("2026-11-10", 9)).lapsed == 1
        db.session.commit()

    sign_in(page, live_server, mobile)
    page.goto(live_server + f"/cases/{number}")
    expect(page.locator("h1 + p .status")).to_have_text("已撤回")
    expect(page.locator("#correction-lapsed")).to_contain_text("未在2026-11-09前补正：该申请视为撤回，办件已终结")
    expect(page.locator(".timeline")).to_contain_text("逾期未补正，视为撤回申请")
    expect(page.get_by_role("link", name="补正申请")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "case-closed-not-corrected")
    page.locator("#correction-lapsed a").click()
    expect(page.locator("h1")).to_have_text("逾期未补正视为撤回申请告知书")
    assert_accessible(page)


def test_a_return_the_applicant_answers_goes_back_to_the_officer(app, page, live_server, monday, tmp_path):
    mobile, _ = make_user(app, "resident", real_name="吴刚")
    clerk, _ = make_user(app, "clerk", window_county="changshan")
    officer_login, _ = make_user(app, "officer", agency_code="cs-psb", real_name="王磊")
    with app.app_context():
        resident = db.session.scalar(select(User).where(User.mobile == mobile))
        officer = db.session.scalar(select(User).where(User.username == officer_login))
        case = create_case(db.session, "psb-no-record", status="in_progress", accepted_at=now(), applicant=resident)
        refresh_due(db.session, case, current_calendar(db.session), now())
        task = create_task(db.session, case, "cs-psb", status="claimed", due_at=case.due_at)
        task.assignee = officer
        return_task(db.session, task, officer, now(), "户口簿首页缺少户主签章，请核实")
        number, tid = case.number, task.id
        db.session.commit()
    scan = tmp_path / "户口簿首页.pdf"
    scan.write_bytes(PDF)
    fake = tmp_path / "说明.pdf"
    fake.write_bytes(b"MZ this is a program")

    sign_in(page, live_server, clerk)
    page.goto(live_server + f"/cases/{number}")
    page.get_by_role("link", name="回复退回").click()
    expect(page.locator("h1")).to_have_text("回复退回")
    assert_accessible(page)
    page.get_by_label("其他材料（如有）").set_input_files(str(fake))
    page.get_by_label("窗口处理情况").fill("已联系申请人")
    page.get_by_role("button", name="退回经办人").click()
    expect(page.locator("#added-error")).to_contain_text("不是真正的")
    assert_accessible(page)
    shoot(page, "return-reply-form")
    page.get_by_label("需申请人补充的内容").fill("请上传盖有户主签章的户口簿首页")
    page.get_by_role("button", name="发送补充材料通知").click()
    expect(page.locator("#supplement-request")).to_contain_text("请上传盖有户主签章的户口簿首页")
    expect(page.locator("h1 + p .status")).to_have_text("特别程序（暂停计时）")
    sign_out(page)

    sign_in(page, live_server, mobile)
    page.goto(live_server + f"/cases/{number}")
    expect(page.locator("#supplement-request")).to_contain_text("2026-11-09")
    page.get_by_role("link", name="答复补充材料通知").click()
    expect(page.locator("main")).to_contain_text("请上传盖有户主签章的户口簿首页")
    assert_accessible(page)
    shoot(page, "applicant-request")
    page.get_by_label("居民户口簿（重新提交的版本，如有）").set_input_files(str(scan))
    page.get_by_label("您的答复").fill("已上传签章后的首页")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("h1 + p .status")).to_have_text("办理中")
    sign_out(page)

    sign_in(page, live_server, officer_login)
    page.goto(live_server + f"/agency/tasks/{tid}")
    expect(page.locator("main")).to_contain_text("户口簿首页.pdf")
    expect(page.locator(".tag-new")).to_contain_text("新：申请人退回后补充")
    expect(page.get_by_role("button", name="办结任务")).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(select(Case.status).where(Case.number == number)).value == "in_progress"
