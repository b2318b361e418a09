"""Every page a resident uses fits a 390 px phone and a 1280 px screen:
no sideways scrolling of the page, and no table cell outside the viewport
(a wide table is stacked into labelled rows on a phone instead of hidden
behind a scroll bar). The staff's everyday pages are held to the same."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.journeys import make_user, sign_in, sign_out, texted_code
from tests.factories import valid_id_number
from tests.uploads import PDF

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
# One service of each kind the catalog has: collected at the window and
# decided on the spot or promised, online, and joint between the counties.
SERVICE_KINDS = ("psb-rp-apply", "psb-rp-replace", "psb-hukou-cert", "psb-hukou-move", "hrss-employment")

# What sticks out: the page's own width, and every table cell, figure or
# form control whose right edge is past the viewport (also those a
# scrolling box would hide), but for a stacked table's header row, which
# is there for screen readers only.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const shown = e => e.getClientRects().length && !(e.closest("thead") && e.closest("thead").clientWidth <= 1);
  const out = [...document.querySelectorAll("main td, main th, main .stat, main .input, main .button, main dd")]
    .filter(e => shown(e) && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + ": " + e.textContent.trim().slice(0, 30));
  return {page: document.documentElement.scrollWidth, width: width, out: out.slice(0, 5)};
}"""


def assert_fits(page, width, name):
    page.wait_for_load_state()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"width-{width}-{name}.png"), full_page=True)
    found = page.evaluate(OVERFLOW)
    assert found["width"] == width
    assert found["page"] <= width, f"{name} ({page.url}) is {found['page']} px wide at {width} px"
    assert found["out"] == [], f"{name} ({page.url}) at {width} px: {found['out']}"


def assert_in_view(locator, width):
    """Each of ``locator``'s elements lies within the viewport's width."""
    assert locator.count() > 0
    for box in (locator.nth(i).bounding_box() for i in range(locator.count())):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def resident_with_cases(app):
    """A resident with cases waiting, asked for a correction, refused,
    in progress with the agencies, and completed with a residence permit;
    the login, and the numbers and query code by state."""
    from sqlalchemy import select

    from portal.db import db
    from portal.domain.clock import WorkCalendar, local_date
    from portal.domain.intake import accept_case, refuse_intake, request_correction
    from portal.models import User
    from tests.factories import at, create_case, create_user, wall_clock
    from tests.permit_data import issued_permit

    mobile, _ = make_user(app, "resident", real_name="欧阳晓明")
    with app.app_context():
        session = db.session
        resident = session.scalar(select(User).where(User.mobile == mobile))
        today = local_date(wall_clock()).isoformat()
        clerk = create_user(session, "clerk")
        calendar = WorkCalendar.load(session)
        waiting = create_case(session, "psb-no-record", status="submitted", applicant=resident, submitted_at=at(today, 8))
        correction = create_case(session, "psb-hukou-cert", status="submitted", applicant=resident, submitted_at=at(today, 8))
        spec = correction.service.fields[0]
        request_correction(session, correction, clerk, at(today, 9), {f"field:{spec['name']}": "请按户口簿填写完整"})
        refused = create_case(session, "amr-biz-register", status="submitted", applicant=resident, submitted_at=at(today, 8))
        refuse_intake(session, refused, clerk, at(today, 9), "不属于本窗口受理范围")
        joint = create_case(
            session, "hrss-pension-move", status="submitted", applicant=resident, submitted_at=at(today, 8),
            hukou_county="yushan", residence_county="changshan",
        )
        accept_case(session, joint, clerk, at(today, 9), calendar)
        permit = issued_permit(session, resident, day=today)
        session.commit()
        return mobile, {
            "waiting": waiting.number, "correction": correction.number, "refused": refused.number,
            "joint": joint.number, "completed": permit.case.number, "permit": permit.number,
            "query_code": joint.query_code,
        }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_a_resident_uses_fits_the_screen(app, page, live_server, tmp_path, width):
    from portal.db import db
    from portal.web.cases.views import tracking_url

    page.set_viewport_size({"width": width, "height": 844})
    login, cases = resident_with_cases(app)

    for path, name in [
        ("/", "home"), ("/services", "catalog"), ("/services?q=居住证", "catalog-search"),
        *((f"/services/{code}", f"service-{code}") for code in SERVICE_KINDS),
        ("/performance", "performance"), ("/track", "track"), ("/login", "login"), ("/forgot", "forgot"),
        ("/register", "register"), ("/no-such-page", "not-found"),
    ]:
        page.goto(live_server + path)
        assert_fits(page, width, name)
    # Every figure of the performance table, the Yushan window's included.
    page.goto(live_server + "/performance")
    assert_in_view(page.locator("main table tbody td"), width)

    # The tracking result, by number and query code, and by the receipt's link.
    page.goto(live_server + "/track")
    page.get_by_label("办件编号").fill(cases["joint"])
    page.get_by_label("查询码").fill(cases["query_code"])
    page.get_by_role("button", name="办件查询").click()
    expect(page.locator("main h2").first).to_contain_text(cases["joint"])
    assert_fits(page, width, "track-result")
    with app.app_context():
        from sqlalchemy import select

        from portal.models import Case

        case = db.session.scalar(select(Case).where(Case.number == cases["completed"]))
        with app.test_request_context():
            link = tracking_url(case).removeprefix("http://localhost")
    page.goto(live_server + link)
    assert_fits(page, width, "track-link")

    # Registration's code step.
    page.goto(live_server + "/register")
    page.get_by_label("真实姓名").fill("司马一")
    page.get_by_label("居民身份证号码").fill(valid_id_number(region="361123", birth="19881204", serial=41))
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("密码", exact=True).fill("a-good-password")
    page.get_by_label("再次输入密码").fill("a-good-password")
    page.get_by_role("button", name="注册账号").click()
    expect(page.locator("h1")).to_have_text("验证手机号码")
    assert texted_code(app, "13912345678")
    assert_fits(page, width, "register-code")
    page.goto(live_server + "/forgot")
    page.get_by_label("手机号码").fill(login)
    page.get_by_role("button", name=re.compile("发送|验证码")).click()
    assert_fits(page, width, "forgot-code")

    sign_in(page, live_server, login)
    expect(page.locator("h1")).to_have_text("我的办件")
    assert_fits(page, width, "my-applications")
    assert_in_view(page.locator("main table .status"), width)
    assert_in_view(page.locator("main table td:last-child"), width)
    for path, name in [
        ("/resident/messages", "messages"),
        ("/profile", "profile"),
        *((f"/cases/{cases[state]}", f"case-{state}") for state in ("waiting", "correction", "refused", "joint", "completed")),
        (f"/cases/{cases['completed']}/receipt", "receipt"),
        (f"/cases/{cases['correction']}/correction", "correction"),
        (f"/cases/{cases['completed']}/rating", "rating"),
        (f"/permits/{cases['permit']}", "permit"),
    ]:
        page.goto(live_server + path)
        assert_fits(page, width, name)
    page.goto(f"{live_server}/cases/{cases['joint']}")
    assert_in_view(page.locator("main table td"), width)
    # Every notice: correction, refusal, acceptance, decision.
    notices = set()
    for state in ("correction", "refused", "joint", "completed"):
        page.goto(f"{live_server}/cases/{cases[state]}")
        links = page.locator("main a[href*='/notices/']")
        notices |= {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert len(notices) >= 4
    for href in sorted(notices):
        page.goto(live_server + href)
        assert_fits(page, width, "notice-" + href.rsplit("/", 1)[-1])

    # Applying: the form and the review step.
    page.goto(live_server + "/apply/psb-no-record")
    assert_fits(page, width, "apply-form")
    page.get_by_label("受理窗口").select_option("changshan")
    page.get_by_role("button", name="下一步：核对信息").click()
    assert_fits(page, width, "apply-form-errors")
    pdf = tmp_path / "身份证.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("户籍所在地", exact=True).select_option("yushan")
    page.get_by_label("居住或工作地", exact=True).select_option("changshan")
    page.get_by_label("用途", exact=True).select_option(label="就业")
    page.get_by_label("居民身份证", exact=True).set_input_files(str(pdf))
    page.get_by_label("居民户口簿").set_input_files(str(pdf))
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.locator("h1")).to_have_text("核对申请信息")
    assert_fits(page, width, "apply-review")
    sign_out(page)


def test_the_staff_pages_fit_a_phone(app, page, live_server):
    from sqlalchemy import select

    from portal.db import db
    from portal.models import Case

    page.set_viewport_size({"width": 390, "height": 844})
    _, cases = resident_with_cases(app)
    with app.app_context():
        joint = db.session.scalar(select(Case).where(Case.number == cases["joint"]))
        task = joint.tasks[0]
        task_id, agency = task.id, task.agency.code
    clerk, _ = make_user(app, "clerk")
    officer, _ = make_user(app, "officer", agency_code=agency)
    supervisor, _ = make_user(app, "supervisor")

    sign_in(page, live_server, clerk)
    for path, name in [
        ("/counter/", "desk"), (f"/cases/{cases['waiting']}", "desk-case"), (f"/cases/{cases['joint']}", "desk-joint"),
        (f"/counter/cases/{cases['waiting']}/decide", "desk-decide"), ("/permits/verify", "verify"), ("/alerts", "alerts"),
    ]:
        page.goto(live_server + path)
        assert_fits(page, 390, name)
    sign_out(page)
    sign_in(page, live_server, officer)
    for path, name in [("/agency/", "officer-queue"), (f"/agency/tasks/{task_id}", "task")]:
        page.goto(live_server + path)
        assert_fits(page, 390, name)
    sign_out(page)
    sign_in(page, live_server, supervisor)
    for path, name in [("/supervisor/", "supervision"), ("/supervisor/dashboard", "dashboard"), ("/supervisor/follow-ups", "follow-ups")]:
        page.goto(live_server + path)
        assert_fits(page, 390, name)
