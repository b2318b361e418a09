"""双向互认 in a real browser: the holder opens and prints the permit a
Changshan case issued; a Yushan clerk verifies it by scanning its QR code
(the scanner types the payload into the box); the holder then sees the
check. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, make_user, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_a_resident_prints_the_permit_and_a_yushan_clerk_verifies_it(app, page, live_server):
    from portal.db import db
    from portal.domain.clock import local_date
    from portal.models import User
    from portal.models.enums import County
    from tests.factories import wall_clock
    from tests.permit_data import issued_permit

    mobile, id_number = make_user(app, "resident", real_name="李春花")
    clerk, _ = make_user(app, "clerk", window_county=County.yushan)
    with app.app_context():
        from sqlalchemy import select

        resident = db.session.scalar(select(User).where(User.mobile == mobile))
        # Issued today by the real clock: the live server tells validity by its own.
        number = issued_permit(db.session, resident, day=local_date(wall_clock()).isoformat()).number

    sign_in(page, live_server, mobile)
    page.get_by_role("link", name=f"居住证 {number}").click()
    expect(page.locator("h1")).to_have_text("电子居住证")
    expect(page.locator(".permit-state")).to_have_text("有效")
    expect(page.locator("figure.qr svg")).to_be_visible()
    code = page.locator("figure.qr .code").inner_text().strip()
    assert len(code) == 10
    # (The trailing `true`: Playwright would call a function the expression evaluates to.)
    page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }; true")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") == 1
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server, clerk)
    page.get_by_role("link", name="核验居住证").click()
    expect(page.locator("h1")).to_have_text("核验居住证")
    assert_accessible(page)
    # A tampered code first: the card is not recognised, and no name is shown.
    page.get_by_label("扫码数据").fill(f"KSRP1|{number}|{'A' * 10}")
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator(".verification h2")).to_contain_text("无法核验")
    expect(page.locator(".verification")).not_to_contain_text("李")
    page.get_by_label("扫码数据").fill(f"KSRP1|{number}|{code}")
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator(".verification h2")).to_have_text("有效")
    expect(page.locator(".verification")).to_contain_text("浙江省常山县")
    expect(page.locator(".verification")).to_contain_text("李*花")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server, mobile)
    page.goto(live_server + f"/permits/{number}")
    checks = page.get_by_role("table", name="核验记录")
    expect(checks).to_contain_text("玉山窗口")
    expect(checks.locator("tbody tr")).to_have_count(1)
