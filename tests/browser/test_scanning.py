"""What a barcode scanner does at the desk, in a real browser: it types
what it read and then Enter. The desk's case search opens the case it
names; the permit check takes one card after another, the box empty and
focused after each. axe-core on the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, make_user, sign_in

pytestmark = pytest.mark.browser


def test_a_clerk_types_a_case_number_into_the_desk_search_and_presses_enter(app, page, live_server):
    from portal.db import db
    from tests.factories import create_case

    clerk, _ = make_user(app, "clerk")
    with app.app_context():
        case = create_case(db.session, applicant_name="欧阳娜娜")
        create_case(db.session, applicant_name="欧阳春")
        db.session.commit()
        number = case.number

    sign_in(page, live_server, clerk)
    expect(page.locator("h1")).to_have_text("常山窗口")
    # The desk's search box waits for the scanner. Autofocus lands at the
    # page's first rendering, which may come a moment after the load event.
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type(number.lower())
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/cases/{number}")

    page.goto(live_server + "/counter/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("欧阳")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("查找办件")
    expect(page.locator(".search-results tbody tr")).to_have_count(2)
    expect(page.locator(".search-results")).to_contain_text("欧***")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing sticks out at 390 px
    assert_accessible(page)

    page.goto(live_server + "/language/en?next=/counter/")
    page.keyboard.type("KSCS2")
    page.keyboard.press("Enter")
    expect(page.locator("#q-error")).to_contain_text("at least its first 12 characters")
    assert_accessible(page)


def test_a_clerk_scans_two_permits_in_a_row(app, page, live_server):
    from sqlalchemy import select

    from portal.db import db
    from portal.domain.clock import local_date
    from portal.domain.permits import qr_payload
    from portal.models import User
    from tests.factories import wall_clock
    from tests.permit_data import issued_permit

    payloads = []
    for name in ("李春花", "王秋月"):
        mobile, _ = make_user(app, "resident", real_name=name)
        with app.app_context():
            holder = db.session.scalar(select(User).where(User.mobile == mobile))
            # Issued today by the real clock: the live server tells validity by its own.
            permit = issued_permit(db.session, holder, day=local_date(wall_clock()).isoformat())
            payloads.append(qr_payload(permit, app.config["SECRET_KEY"]))
            db.session.commit()
    clerk, _ = make_user(app, "clerk")

    sign_in(page, live_server, clerk)
    page.goto(live_server + "/permits/verify")
    box = page.get_by_label("扫码数据")
    expect(box).to_be_focused()
    for payload, holder in zip(payloads, ("李*花", "王*月"), strict=True):
        page.keyboard.type(payload)  # the scanner types, then Enter
        page.keyboard.press("Enter")
        expect(page.locator(".verification h2")).to_have_text("有效")
        expect(page.locator(".verification")).to_contain_text(holder)
        expect(box).to_have_value("")
        expect(box).to_be_focused()
    assert_accessible(page)
