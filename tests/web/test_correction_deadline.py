"""补正时限 over HTTP: the notice states the last day and what happens
after it, both case pages show it, and once the sweep closes the case the
applicant sees it closed as not corrected in time."""

import pytest
from sqlalchemy import select

from portal.db import db
from portal.domain.clock import current_calendar
from portal.domain.corrections import sweep_corrections
from portal.models import Case
from tests.factories import at, now
from tests.journeys import apply_online, decide, sign_in_as_clerk
from tests.pages import text_of


@pytest.fixture
def monday(monkeypatch):
    monkeypatch.setattr("portal.web.clock.wall_clock", now)  # Mon 2026-11-02 10:00 Shanghai


def correction_requested(app, client, login_as):
    number = apply_online(app, client, login_as)
    clerk = app.test_client()
    sign_in_as_clerk(app, clerk)
    with app.app_context():
        material = db.session.scalar(select(Case).where(Case.number == number)).service.materials[0]["code"]
    decision = clerk.page(f"/counter/cases/{number}/decide")
    assert "申请人须在5个工作日内补正，逾期未补正的，视为撤回申请。" in decision.get_text()
    response = decide(clerk, number, "correction", {"item": f"material:{material}", f"reason-material:{material}": "扫描件不清晰"})
    assert response.status_code == 302
    return number, clerk, response.headers["Location"]


def test_the_correction_notice_states_the_last_day_and_both_case_pages_show_it(app, client, login_as, monday):
    number, clerk, notice_url = correction_requested(app, client, login_as)
    notice = clerk.page(notice_url)
    assert "补正时限：2026-11-09前（含当日，共5个工作日）" in text_of(notice, ".doc-deadline")
    assert "视为撤回申请" in text_of(notice, ".doc-deadline")
    assert "补正期限 2026-11-09" in text_of(clerk.page(f"/cases/{number}"), "dl.facts")
    applicant_page = client.page(f"/cases/{number}")
    assert "请于2026-11-09前补正" in applicant_page.get_text()
    assert "补正期限 2026-11-09" in text_of(applicant_page, "dl.facts")


def test_the_applicant_sees_the_case_closed_as_not_corrected_in_time(app, client, login_as, monday):
    number, _, _ = correction_requested(app, client, login_as)
    with app.app_context():
        result = sweep_corrections(db.session, current_calendar(db.session), at("2026-11-10", 9))
        db.session.commit()
    assert result.lapsed == 1
    page = client.page(f"/cases/{number}")
    assert text_of(page, "#correction-lapsed").startswith("未在2026-11-09前补正：该申请视为撤回")
    assert text_of(page, "h1 + p .status") == "已撤回"
    assert "逾期未补正，视为撤回申请" in text_of(page, ".timeline")
    assert page.select_one(f"a[href='/cases/{number}/correction']") is None
    closing = client.page(page.select_one("#correction-lapsed a")["href"])
    assert text_of(closing, "h1") == "逾期未补正视为撤回申请告知书"
    assert "2026-11-09" in closing.get_text()
