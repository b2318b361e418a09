"""Sizes and durations as people read them, in their own language."""

import re

import pytest
from flask_babel import force_locale

from portal.i18n import duration, file_size


@pytest.mark.parametrize(
    "size, chinese, english",
    [(588, "588 字节", "588 bytes"), (12_595, "12.3 KB", "12.3 KB"), (1_572_864, "1.5 MB", "1.5 MB"), (None, "", "")],
)
def test_file_sizes_are_written_in_the_readers_language(app, size, chinese, english):
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert file_size(size) == chinese
        with force_locale("en"):
            assert file_size(size) == english


@pytest.mark.parametrize(
    "minutes, chinese, english",
    [(45, "45 分钟", "45 min"), (119, "119 分钟", "119 min"), (120, "2 小时", "2 h"), (4590, "76.5 小时", "76.5 h"), (None, "—", "—")],
)
def test_durations_over_two_hours_are_written_in_hours(app, minutes, chinese, english):
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert duration(minutes) == chinese
        with force_locale("en"):
            assert duration(minutes) == english


# --- Every page people read, with fixed data, in both languages ---------

US_DATE = re.compile(r"\b\d{1,4}/\d{1,2}/\d{1,4}\b")
TWELVE_HOUR = re.compile(r"\b(AM|PM|am|pm)\b|上午|下午")
MINUTES = re.compile(r"(\d[\d,]*)\s*(分钟|min\b)")


def read(client, url: str) -> str:
    """The page's text as a reader sees it, after checking its formats:
    ISO dates, 24-hour times, minutes only below two hours, and no English
    unit in the Chinese interface."""
    text = " ".join(client.page(url).get_text(" ").split())
    assert not US_DATE.search(text), (url, US_DATE.search(text).group())
    assert not TWELVE_HOUR.search(text), (url, TWELVE_HOUR.search(text).group())
    assert all(int(n.replace(",", "")) < 120 for n, _unit in MINUTES.findall(text)), (url, MINUTES.findall(text))
    if "办件" in text:  # the Chinese interface
        assert "bytes" not in text.lower(), url
    return text


@pytest.fixture
def people_and_pages(app, client, login_as, monkeypatch):
    """A resident holding a permit checked by a Yushan clerk; an admin who
    made an API token; October's cases on the dashboard; the request clock
    at the suite's fixed Monday. Yields the client, signed in as the
    resident, and the admin's and the resident's URLs."""
    from sqlalchemy import select

    from portal.db import db
    from portal.models import User
    from tests import factories
    from tests.permit_data import issued_permit
    from tests.tracking_data import build_october

    monkeypatch.setattr("portal.web.clock.wall_clock", factories.now)
    with app.app_context():
        numbers = [case.number for case in build_october(db.session).values()]
        clerk = factories.create_user(db.session, "clerk", window_county="yushan")
        db.session.commit()
        clerk_login = clerk.username
    login_as("admin")
    client.submit(
        "/admin/tokens", {"name": "玉山市场监管业务系统", "kind": "agency", "agency": "ys-amr", "county": "", "user": ""},
        form_action="/admin/tokens",
    )
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        staff_account = f"/admin/staff/{admin.id}"
    admin_pages = [
        "/admin/", "/admin/calendar", "/admin/calendar?year=2027", "/admin/tokens", "/admin/outbox",
        "/admin/outbox?status=sent", "/admin/staff", staff_account, "/admin/agencies",
        "/supervisor/", "/supervisor/dashboard?start=2026-10-01&end=2026-10-31", "/supervisor/follow-ups", "/alerts",
        *(f"/cases/{number}" for number in numbers),
    ]
    client.submit("/admin/", {}, form_action="/logout")

    resident_id = login_as("resident", real_name="王明")
    with app.app_context():
        resident = db.session.get(User, resident_id)
        permit = issued_permit(db.session, resident, day="2026-11-02")
        db.session.commit()
        number, case_number = permit.number, permit.case.number
        payload = permit_payload(permit)
    from tests.journeys import staff_sign_in

    checker = app.test_client()
    staff_sign_in(app, checker, clerk_login)
    assert checker.submit("/permits/verify", {"scan": payload, "number": "", "code": ""}).status_code == 200
    resident_pages = ["/resident/", "/resident/messages", f"/permits/{number}", f"/cases/{case_number}", "/performance"]
    case_page = client.page(f"/cases/{case_number}")
    resident_pages += [a["href"] for a in case_page.select("a[href*='/notices/']")]
    yield client, resident_pages, admin_pages


def permit_payload(permit) -> str:
    from portal.domain.permits import qr_payload
    from portal.extensions import permit_key

    return qr_payload(permit, permit_key())


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_writes_dates_times_sizes_and_durations_one_way(app, people_and_pages, language, login_as):
    client, resident_pages, admin_pages = people_and_pages
    client.get(f"/language/{language}")
    seen = [read(client, url) for url in resident_pages]
    assert any("2026-11-02" in text for text in seen)
    assert any(("100 字节" if language == "zh_CN" else "100 bytes") in text for text in seen)
    client.submit("/resident/", {}, form_action="/logout")
    login_as("admin")
    client.get(f"/language/{language}")
    seen = [read(client, url) for url in admin_pages]
    assert any(re.search(r"2026-\d\d-\d\d \d\d:\d\d", text) for text in seen)


# --- Wording that says what the figure is -------------------------------


def headings(soup) -> list[str]:
    return [th.get_text(strip=True) for th in soup.select("thead th")]


@pytest.mark.parametrize("language, level, start, end", [
    ("zh_CN", "时限状态", "收件起始日", "收件截止日"),
    ("en", "Time limit", "Received from", "Received until"),
])
def test_the_level_column_and_the_dashboards_dates_say_what_they_are(
    app, client, login_as, monkeypatch, language, level, start, end
):
    from datetime import timedelta

    from portal.db import db
    from tests.factories import create_case, create_task, now

    monkeypatch.setattr("portal.web.clock.wall_clock", now)
    with app.app_context():
        create_case(db.session, status="submitted", submitted_at=now() - timedelta(minutes=250))
        create_task(db.session, create_case(db.session, status="in_progress"), "cs-psb")
        db.session.commit()
    login_as("clerk")
    client.get(f"/language/{language}")
    desk = client.page("/counter/")
    assert level in headings(desk) and "办件类型" not in headings(desk) and "Time" not in headings(desk)
    # Waiting over two hours is read in hours, as on the dashboard.
    waited = [td.get_text(strip=True) for td in desk.select("td[data-label]") if td["data-label"] in ("等待时长", "Waiting")]
    assert ("4.2 小时" if language == "zh_CN" else "4.2 h") in waited
    read(client, "/counter/")
    client.submit("/counter/", {}, form_action="/logout")
    login_as("officer", agency_code="cs-psb")
    client.get(f"/language/{language}")
    assert level in headings(client.page("/agency/"))
    client.submit("/agency/", {}, form_action="/logout")
    login_as("supervisor")
    client.get(f"/language/{language}")
    dashboard = client.page("/supervisor/dashboard")
    assert dashboard.select_one("label[for=start]").get_text(strip=True) == start
    assert dashboard.select_one("label[for=end]").get_text(strip=True) == end


def test_a_same_day_case_is_done_by_its_date_at_the_latest_in_every_language(app, client, login_as, monkeypatch):
    from sqlalchemy import select

    from portal.db import db
    from portal.domain.clock import WorkCalendar
    from portal.domain.intake import accept_case
    from portal.domain.sms import text_for
    from portal.models import OutboxMessage, User
    from tests import factories

    monkeypatch.setattr("portal.web.clock.wall_clock", factories.now)
    resident_id = login_as("resident")
    with app.app_context():
        resident = db.session.get(User, resident_id)
        case = factories.create_case(db.session, "hrss-employment", status="submitted", applicant=resident)
        clerk = factories.create_user(db.session, "clerk")
        notice = accept_case(db.session, case, clerk, factories.now(), WorkCalendar.load(db.session))
        db.session.commit()
        paths = [f"/cases/{case.number}/notices/{notice.id}", "/resident/messages"]
        texts = [text_for(db.session, p) for p in db.session.scalars(select(OutboxMessage.payload))]
    assert any("最迟于2026-11-02办结" in t for t in texts) and not any("前办结" in t for t in texts)
    for path in paths:
        chinese = read(client, path)
        assert "最迟于2026-11-02办结" in chinese and "前办结" not in chinese and "将于" not in chinese
    client.get("/language/en")
    for path in paths:
        assert "by 2026-11-02 at the latest" in read(client, path)
