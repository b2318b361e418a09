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
