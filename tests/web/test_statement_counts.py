"""Lists load what they show in a bounded number of statements, whatever
the number of rows."""

from portal.db import db
from portal.models import County, User
from tests.factories import create_case


def add_cases(app, n, applicant_id=None):
    with app.app_context():
        applicant = db.session.get(User, applicant_id) if applicant_id else None
        for i in range(n):
            create_case(
                db.session, ["psb-no-record", "amr-biz-register", "gov-dispute"][i % 3],
                status="submitted", applicant=applicant,
            )
        db.session.commit()


def test_the_clerks_desk_needs_the_same_statements_for_3_or_20_cases(app, client, login_as, count_statements):
    login_as("clerk", window_county=County.changshan)
    add_cases(app, 3)
    with count_statements() as few:
        client.page("/counter/")
    add_cases(app, 17)
    with count_statements() as many:
        page = client.page("/counter/")
    assert len(page.select("tbody tr")) == 20
    assert many[0] == few[0]


def test_my_applications_needs_the_same_statements_for_2_or_12_cases(app, client, login_as, count_statements):
    user_id = login_as("resident")
    add_cases(app, 2, user_id)
    with count_statements() as few:
        client.page("/resident/")
    add_cases(app, 10, user_id)
    with count_statements() as many:
        page = client.page("/resident/")
    assert len(page.select("tbody tr")) == 12
    assert many[0] == few[0]


def test_the_dashboard_needs_the_same_statements_for_few_or_many_cases(app, client, login_as, count_statements):
    from datetime import timedelta

    from portal.domain.clock import WorkCalendar
    from portal.domain.intake import accept_case
    from tests.factories import create_user, now

    def accepted_cases(n):
        with app.app_context():
            clerk = create_user(db.session, "clerk")
            for i in range(n):
                case = create_case(
                    db.session, ["psb-no-record", "amr-biz-register", "gov-dispute"][i % 3], status="submitted",
                    submitted_at=now() - timedelta(hours=1), business_county="changshan",
                )
                accept_case(db.session, case, clerk, now(), WorkCalendar.load(db.session))
            db.session.commit()

    login_as("supervisor")
    accepted_cases(2)
    with count_statements() as few:
        client.page("/supervisor/dashboard")
    accepted_cases(12)
    with count_statements() as many:
        client.page("/supervisor/dashboard")
    assert many[0] == few[0]


def test_a_case_page_for_staff_needs_the_same_statements_for_a_short_or_long_history(app, client, login_as, count_statements):
    from sqlalchemy import select

    from portal.domain.events import record_event
    from portal.models import Case, CaseFile
    from tests.factories import create_user, now
    from tests.partners import routed_case

    login_as("clerk", window_county=County.yushan)
    with app.app_context():
        number = routed_case(db.session, applicant=create_user(db.session, "resident")).number
        db.session.commit()

    def add_history(first, n):
        with app.app_context():
            case = db.session.scalar(select(Case).where(Case.number == number))
            for i in range(first, first + n):
                officer = create_user(db.session, "officer", agency_code="ys-hrss")
                record_event(db.session, action="note", now=now(), actor=officer, case=case, note=f"第{i}条")
                db.session.add(CaseFile(case=case, material_code="id-card", filename=f"扫描{i}.pdf", stored_name=f"{i:032d}",
                                        content_type="application/pdf", size=77, sha256="a" * 64, uploaded_at=now()))
            db.session.commit()

    add_history(0, 2)
    client.page(f"/cases/{number}")  # the process reads the calendar once; later pages reuse it
    with count_statements() as few:
        client.page(f"/cases/{number}")
    add_history(2, 10)
    client.page(f"/cases/{number}")  # the header's badge is counted again once after a change, then kept
    with count_statements() as many:
        page = client.page(f"/cases/{number}")
    assert "第11条" in page.get_text()
    assert many[0] == few[0]


def test_the_case_search_needs_the_same_statements_for_3_or_20_cases_found(app, client, login_as, count_statements):
    from datetime import timedelta

    from portal.domain.clock import WorkCalendar
    from portal.domain.intake import accept_case
    from tests.factories import create_user, now

    def cases_of(n):
        with app.app_context():
            clerk = create_user(db.session, "clerk")
            for i in range(n):
                case = create_case(
                    db.session, ["psb-no-record", "amr-biz-register", "gov-dispute"][i % 3], status="submitted",
                    submitted_at=now() - timedelta(hours=1), business_county="changshan", applicant_name="王小明",
                )
                if i % 2:  # accepted: a time limit and a level to show
                    accept_case(db.session, case, clerk, now(), WorkCalendar.load(db.session))
            db.session.commit()

    login_as("clerk", window_county=County.changshan)
    cases_of(3)
    client.page("/search?q=王小明")  # the process reads the calendar once; later pages reuse it
    with count_statements() as few:
        client.page("/search?q=王小明")
    cases_of(17)
    client.page("/search?q=王小明")  # the header's badge is counted again once after a change, then kept
    with count_statements() as many:
        page = client.page("/search?q=王小明")
    assert len(page.select(".search-results tbody tr")) == 20
    assert many[0] == few[0] <= 8


def test_an_officers_case_search_needs_the_same_statements_for_2_or_20_cases_found(app, client, login_as, count_statements):
    from tests.factories import create_task

    def cases_with_tasks(n):
        with app.app_context():
            for _ in range(n):
                case = create_case(db.session, status="in_progress", applicant_name="钱二")
                create_task(db.session, case, "cs-psb")
                create_task(db.session, case, "cs-hrss")
            db.session.commit()

    login_as("officer", agency_code="cs-psb")
    cases_with_tasks(2)
    client.page("/search?q=钱二")
    with count_statements() as few:
        client.page("/search?q=钱二")
    cases_with_tasks(18)
    client.page("/search?q=钱二")  # the header's badge is counted again once after a change, then kept
    with count_statements() as many:
        page = client.page("/search?q=钱二")
    assert len(page.select(".search-results tbody tr a[href^='/agency/tasks/']")) == 20
    assert many[0] == few[0]
