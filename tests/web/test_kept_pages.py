"""Staff pages and tracking results kept by the process (web/fragments
.work_fragment): a repeat request renders nothing afresh, yet whatever
changes what they show — a case, a task, the clock, the language — shows
at the next request."""

from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy.orm import Session

from portal.db import db
from portal.domain.lifecycle import transition
from portal.domain.tallies import mark_tally
from portal.models import Case, User
from portal.models.enums import Channel
from tests import factories
from tests.pages import parse, text_of
from tests.web.test_tracking import a_case, csrf_of, look_up

OCTOBER = "start=2026-10-01&end=2026-10-31"


@pytest.fixture
def one_second():
    """The pages' clock stands still, so repeated requests fall within
    one second of it, as requests under load do."""
    with mock.patch("portal.web.clock.wall_clock", return_value=factories.wall_clock()):
        yield


def overdue_at(client, when) -> list[str]:
    """The case numbers in the dashboard's overdue list with the clock at ``when``."""
    with mock.patch("portal.web.clock.wall_clock", return_value=when):
        page = client.page("/supervisor/dashboard")
    return [a.get_text() for a in page.select("section[aria-labelledby=overdue-title] tbody a")]


def open_task_due(app, due_at) -> str:
    """A case being handled with one open task due at ``due_at``; its number."""
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=due_at - timedelta(days=3))
        factories.create_task(db.session, case, status="open", due_at=due_at)
        db.session.commit()
        return case.number


def received_count(page) -> str:
    return text_of(page.select(".count-grid > div")[0], "dd")


def test_a_kept_tracking_result_shows_a_status_change_at_the_next_lookup(app, client):
    number, code, _ = a_case(app)
    csrf = csrf_of(client)
    before = parse(look_up(client, number, code, csrf=csrf).get_data(as_text=True))
    assert text_of(before, "main .status") == "已接件，待窗口审查"
    with app.app_context():
        with Session(bind=db.engine) as elsewhere:  # a clerk on another worker accepts it
            case = elsewhere.query(Case).filter_by(number=number).one()
            clerk = factories.create_user(elsewhere, "clerk")
            transition(elsewhere, case, "accept", clerk, factories.wall_clock())
            elsewhere.commit()
    after = parse(look_up(client, number, code, csrf=csrf).get_data(as_text=True))
    assert text_of(after, "main .status") == "已受理"
    assert "窗口受理" in text_of(after, "main")  # the timeline's new step


def test_a_kept_tracking_result_follows_the_language(app, client):
    number, code, _ = a_case(app)
    chinese = parse(look_up(client, number, code).get_data(as_text=True))
    client.get("/language/en")
    english = parse(look_up(client, number, code).get_data(as_text=True))
    assert text_of(chinese, "main .status") == "已接件，待窗口审查"
    assert text_of(english, "main .status") == "Received, awaiting the window's check"


def test_the_dashboard_shows_a_new_case_at_the_next_load(app, client, login_as, count_statements, one_second):
    login_as("supervisor")
    first = client.page(f"/supervisor/dashboard?{OCTOBER}")
    with count_statements() as counted:
        again = client.page(f"/supervisor/dashboard?{OCTOBER}")
    assert counted[0] <= 4  # kept: the user, the stamps, the alert badge
    assert received_count(again) == received_count(first) == "0"
    with app.app_context():
        case = factories.create_case(db.session, status="submitted", submitted_at=factories.at("2026-10-12"))
        mark_tally(db.session, case)
        db.session.commit()
    assert received_count(client.page(f"/supervisor/dashboard?{OCTOBER}")) == "1"


def test_the_dashboard_lists_work_that_became_overdue_with_no_change_but_the_clock(app, client, login_as):
    login_as("supervisor")
    moment = factories.wall_clock().replace(microsecond=0)
    number = open_task_due(app, moment + timedelta(seconds=30))

    assert overdue_at(client, moment) == []
    assert overdue_at(client, moment) == []  # kept: nothing falls due before then
    assert overdue_at(client, moment + timedelta(minutes=1)) == [number]


def test_each_supervisor_gets_their_own_header_on_a_kept_dashboard(app, client, login_as):
    login_as("supervisor", real_name="甲主管", username="sup.a")
    first = client.page("/supervisor/dashboard")
    client.post("/logout", data={"csrf_token": first.select_one("form[action='/logout'] input[name=csrf_token]")["value"]})
    login_as("supervisor", real_name="乙主管", username="sup.b")
    second = client.page("/supervisor/dashboard")
    assert "乙主管" in text_of(second, "header") and "甲主管" not in text_of(second, "header")
    with app.app_context():
        assert db.session.query(User).filter_by(username="sup.b").one()


def test_a_task_a_colleague_claims_shows_as_theirs_on_the_next_queue(app, client, login_as, count_statements, one_second):
    from tests.web.test_agency import act, officer_client, task_id

    with app.app_context():
        case = factories.create_case(db.session, status="in_progress")
        factories.create_task(db.session, case, agency_code="ys-psb", status="open")
        db.session.commit()
        number = case.number
    first, colleague = officer_client(app, name="陈静"), officer_client(app, name="李明")

    def row():
        page = first.page("/agency/")
        return next(r.get_text(" ", strip=True) for r in page.select("tbody tr") if number in r.get_text())

    assert "李明" not in row()
    with count_statements() as counted:
        assert "李明" not in row()
    assert counted[0] <= 5  # kept: the user, the stamps, the agency, the alert badge
    act(colleague, task_id(app, number), "claim")
    assert "李明" in row()


def test_the_desk_is_each_clerks_own_and_follows_a_new_case(app, client, one_second):
    from tests.journeys import sign_in_as_clerk

    sign_in_as_clerk(app, client)
    empty = client.page("/counter/")
    assert not empty.select("tbody tr")
    with app.app_context():
        number = factories.create_case(db.session, status="submitted", channel=Channel.counter).number
        db.session.commit()
    assert number in client.page("/counter/").get_text()


def test_the_header_counts_a_new_alert_at_the_next_page_and_forgets_it_once_seen(app, client, login_as, one_second):
    from portal.domain.alerts import sweep
    from portal.domain.clock import WorkCalendar
    from tests.tracking_data import build_october

    login_as("officer", agency_code="cs-psb")
    assert "新提醒" not in text_of(client.page("/agency/"), ".main-nav")
    assert "新提醒" not in text_of(client.page("/agency/"), ".main-nav")  # the count is kept
    with app.app_context():
        build_october(db.session)
        sweep(db.session, WorkCalendar.load(db.session), factories.at("2026-10-30"))
        db.session.commit()
    assert "1 条新提醒" in text_of(client.page("/agency/"), ".main-nav")
    client.page("/alerts")
    assert "新提醒" not in text_of(client.page("/agency/"), ".main-nav")


def test_a_tracking_page_kept_for_anonymous_visitors_never_reaches_a_signed_in_one(app, client, login_as):
    number, code, _ = a_case(app)
    anonymous = app.test_client()
    page = parse(look_up(anonymous, number, code).get_data(as_text=True))
    assert "退出" not in text_of(page, "header")
    login_as("resident", real_name="周芳")
    mine = parse(look_up(client, number, code).get_data(as_text=True))
    assert "周芳" in text_of(mine, "header")
    assert text_of(mine, "main") == text_of(page, "main")
    again = parse(look_up(anonymous, number, code).get_data(as_text=True))
    assert "周芳" not in again.get_text()


def test_what_a_request_renders_before_its_own_change_commits_is_never_kept(app):
    from portal.web.fragments import work_fragment

    moment = factories.wall_clock()
    with app.test_request_context("/agency/"):
        case = factories.create_case(db.session, status="submitted")
        db.session.commit()
        case.applicant_name = "钱七"
        db.session.flush()  # written, not committed
        assert work_fragment("probe", lambda: "钱七", moment, case.id) == "钱七"
        db.session.rollback()  # the change never happened
        assert work_fragment("probe", lambda: db.session.get(Case, case.id).applicant_name, moment, case.id) == "测试申请人"


def test_the_dashboard_is_kept_across_seconds_until_an_open_task_falls_due(app, client, login_as, count_statements):
    login_as("supervisor")
    moment = factories.wall_clock().replace(microsecond=0)
    number = open_task_due(app, moment + timedelta(minutes=10))

    assert overdue_at(client, moment) == []
    with count_statements() as counted:
        assert overdue_at(client, moment + timedelta(minutes=9)) == []
    assert counted[0] <= 5  # kept: the user, the stamps, the next clock change, the alert badge
    assert overdue_at(client, moment + timedelta(minutes=10)) == []  # due now, not yet past
    assert overdue_at(client, moment + timedelta(minutes=10, seconds=1)) == [number]
