"""The supervisor's dashboard in a real browser: both charts drawn by the
vendored ECharts, no console errors, the tables beside them, a filter and
the CSV download; the public performance page. axe-core on each page."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import assert_accessible, make_user, sign_in
from tests.tracking_data import build_october

pytestmark = pytest.mark.browser


def test_a_supervisor_reads_the_dashboard_charts_and_downloads_the_table(app, page, live_server):
    from portal.db import db

    with app.app_context():
        build_october(db.session)
    supervisor, _ = make_user(app, "supervisor")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, supervisor)
    page.get_by_role("link", name="效能看板", exact=True).click()
    page.get_by_label("收件起始日").fill("2026-10-01")
    page.get_by_label("收件截止日").fill("2026-10-31")
    page.get_by_role("button", name="显示").click()
    expect(page.locator("h1")).to_have_text("办件效能看板")
    for name in ("weekly", "agencies"):
        chart = page.locator(f"[data-chart={name}]")
        expect(chart).to_have_attribute("data-chart-ready", "true")
        expect(chart.locator("svg")).to_have_count(1)
    # The agency chart names the agencies it draws; the table beside it has the same numbers.
    expect(page.locator("[data-chart=agencies] svg")).to_contain_text("常山县公安局")
    expect(page.get_by_role("table", name="各单位数据")).to_contain_text("常山县公安局")
    expect(page.locator(".stat-value").first).to_have_text("75.0%")
    assert_accessible(page)

    page.get_by_label("渠道").select_option("counter")
    page.get_by_role("button", name="显示").click()
    expect(page.locator(".count-grid dd").first).to_have_text("3")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本表（CSV）").first.click()
    body = download.value.path().read_bytes()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["agency_zh"]: r["received"] for r in rows} == {"常山县公安局": "1", "常山县人力资源和社会保障局": "1"}
    assert errors == []


def test_anyone_reads_the_performance_page(app, page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("link", name="办件成效").click()
    expect(page.locator("h1")).to_have_text("办件成效公开")
    expect(page.get_by_role("table")).to_contain_text("无犯罪记录证明")
    assert_accessible(page)
