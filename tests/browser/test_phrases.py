"""常用语 in the browser: a phrase chosen beside a correction item goes into
its box and ticks the item; the clerk edits it and the notice says the
edited text."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.db import db
from portal.demo_cases.phrases import load_demo_phrases
from tests.browser.journeys import assert_accessible, make_user, sign_in
from tests.factories import create_case

ID_SCAN = "身份证复印件不清晰，请重新提交清晰的正反面扫描件。"


def test_a_clerk_picks_a_phrase_edits_it_and_issues_the_correction(app, page, live_server):
    clerk, _ = make_user(app, "clerk")
    with app.app_context():
        load_demo_phrases(db.session)
        case = create_case(db.session, "psb-rp-apply", status="submitted")
        db.session.commit()
        number = case.number
        material = case.service.materials[0]
    sign_in(page, live_server, clerk)
    page.goto(f"{live_server}/counter/cases/{number}/decide")
    assert_accessible(page)
    code = material["code"]
    picker = page.locator(f"#reason-material-{code}-phrase")
    # The service's own phrases come first, then those for every service.
    groups = picker.locator("optgroup").evaluate_all("groups => groups.map(g => g.label)")
    assert groups == ["本事项", "所有事项通用"]
    picker.select_option(ID_SCAN)
    box = page.locator(f"#reason-material-{code}")
    expect(box).to_have_value(ID_SCAN)
    expect(page.locator(f"#item-material-{code}")).to_be_checked()
    expect(picker).to_have_value("")
    box.fill(ID_SCAN.replace("正反面", "人像面和国徽面"))
    page.get_by_role("button", name="出具补正告知书").click()
    expect(page.locator("h1")).to_contain_text("补正")
    expect(page.locator("main")).to_contain_text("请重新提交清晰的人像面和国徽面扫描件")
