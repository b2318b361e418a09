import io
from datetime import date

from sqlalchemy import select

from portal.db import db
from portal.models import CalendarDay, Event
from tests.pages import parse, text_of


def test_the_admin_pages_warn_that_2027_is_provisional(client, login_as):
    login_as("admin")
    for url in ("/admin/", "/admin/calendar?year=2026"):
        warning = text_of(client.page(url), ".notice-warning")
        assert "2027" in warning
    page = client.page("/admin/calendar?year=2027")
    assert "暂定" in text_of(page, ".facts")
    holidays = page.select("#holidays-title ~ table tbody tr")
    assert len(holidays) == 13
    assert page.select_one("#makeup-title ~ p.empty") is not None


def test_the_admin_page_lists_a_library_years_holidays_and_make_up_days(client, login_as):
    login_as("admin")
    client.get("/language/en")
    page = client.page("/admin/calendar?year=2025")
    makeup = [row.get_text(" ", strip=True) for row in page.select("#makeup-title ~ table tbody tr")]
    assert makeup[-1].startswith("2025-10-11") and "National Day" in makeup[-1]
    assert "Official" in text_of(page, ".facts")


def test_correcting_a_day_records_the_reason(app, client, login_as):
    login_as("admin")
    response = client.submit(
        "/admin/calendar?year=2026",
        {"day": "2026-12-31", "workday": "0", "name": "", "reason": "县政府通知"},
        form_action="/admin/calendar/day",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(CalendarDay, date(2026, 12, 31)).workday is False
        event = db.session.scalar(select(Event).where(Event.action == "calendar_day_corrected"))
        assert event.note == "县政府通知"


def test_a_correction_without_a_reason_is_explained_next_to_the_field(app, client, login_as):
    login_as("admin")
    response = client.submit(
        "/admin/calendar", {"day": "2026-12-31", "workday": "0", "reason": ""}, form_action="/admin/calendar/day"
    )
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.select_one(".error-summary a[href='#reason']") is not None
    assert page.select_one("#reason-error") is not None
    with app.app_context():
        assert db.session.get(CalendarDay, date(2026, 12, 31)).workday is True


def test_uploading_the_official_schedule_makes_the_year_official(client, login_as):
    login_as("admin")
    soup = client.page("/admin/calendar?year=2027")
    token = soup.select_one("form[action='/admin/calendar/import'] input[name=csrf_token]")["value"]
    data = {
        "csrf_token": token,
        "schedule": (io.BytesIO("date,workday,name\n2027-01-04,false,元旦\n".encode()), "2027.csv"),
    }
    response = client.post("/admin/calendar/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.page("/admin/calendar?year=2027")
    assert page.select_one(".notice-warning") is None
    assert "2027" in text_of(page, ".notice-success")


def test_a_bad_schedule_upload_is_explained_and_changes_nothing(client, login_as):
    login_as("admin")
    soup = client.page("/admin/calendar?year=2027")
    token = soup.select_one("form[action='/admin/calendar/import'] input[name=csrf_token]")["value"]
    data = {"csrf_token": token, "schedule": (io.BytesIO(b"\xff\xfe\x00bad"), "2027.csv")}
    response = client.post("/admin/calendar/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).select_one("#schedule-error") is not None
    assert client.page("/admin/calendar").select_one(".notice-warning") is not None


def test_only_admins_open_the_calendar(client, login_as):
    login_as("supervisor")
    assert client.get("/admin/calendar").status_code == 403
