"""`flask --app portal demo generate`: realistic past cases through the real workflow."""

from datetime import time

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.demo_cases import generate_cases
from portal.domain.clock import SHANGHAI
from portal.domain.identity import MOBILE_PATTERN, normalise_id_number
from portal.models import Case, CaseNotice, CaseStatus, Event, Message, Service, Task, User
from portal.models.intake import CaseFile
from tests import factories

OFFICE = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


@pytest.fixture
def generated(app):
    """60 cases over the last 60 days, seed 7; yields (session, report, now)."""
    with app.app_context():
        now = factories.now()
        report = generate_cases(db.session, now, cases=60, days=60, seed=7)
        yield db.session, report, now


def test_the_cases_look_like_a_working_window(generated):
    session, report, _now = generated
    cases = session.scalars(select(Case)).all()
    assert len(cases) == report.created == 60
    assert {c.receiving_county.value for c in cases} == {"changshan", "yushan"}
    assert {c.channel.value for c in cases} == {"online", "counter"}
    statuses = {c.status for c in cases}
    assert {CaseStatus.delivered, CaseStatus.refused_intake, CaseStatus.withdrawn, CaseStatus.in_progress} <= statuses
    assert any(c.suspensions for c in cases)
    assert any(c.status is CaseStatus.delivered and c.closed_at > c.due_at for c in cases), "none completed late"
    assert any(n.kind.value == "correction" for c in cases for n in c.notices)
    assert {c.service.code for c in cases} == set(session.scalars(select(Service.code)))
    # Agencies on both sides of the border got work.
    assert {t.agency.county.value for t in session.scalars(select(Task))} == {"changshan", "yushan"}


def test_every_case_has_its_history_and_nothing_is_dated_after_now(generated):
    session, _report, now = generated
    for case in session.scalars(select(Case)):
        events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.created_at, Event.id)).all()
        assert events and events[0].action == "submit", case.number
        assert case.status.value in {e.to_status for e in events}, case.number
        assert all(moment is None or moment <= now for moment in (case.submitted_at, case.accepted_at, case.closed_at, case.delivered_at))
    for model, column in ((Event, Event.created_at), (Task, Task.created_at), (Task, Task.closed_at),
                          (CaseNotice, CaseNotice.issued_at), (Message, Message.created_at), (CaseFile, CaseFile.uploaded_at)):
        assert session.scalar(select(func.max(column))) <= now, model.__name__


def test_staff_act_in_office_hours_on_working_days(generated, calendar):
    session, _report, _now = generated
    staff_events = session.scalars(select(Event).where(Event.actor_role.in_(("clerk", "officer")))).all()
    assert staff_events
    for event in staff_events:
        local = event.created_at.astimezone(SHANGHAI)
        assert calendar.is_workday(local.date()), (event.action, local)
        assert any(start <= local.time() <= end for start, end in OFFICE), (event.action, local)
    actors = {e.actor.username for e in staff_events}
    assert {"clerk.cs", "clerk.ys"} <= actors and all(a.startswith(("clerk.", "officer.")) for a in actors)


def test_applicants_are_real_looking_people(generated):
    session, _report, now = generated
    for case in session.scalars(select(Case)):
        assert normalise_id_number(case.applicant_id_number, now.date()) == case.applicant_id_number
        assert MOBILE_PATTERN.match(case.applicant_mobile)
        if case.channel.value == "online":
            assert case.applicant_user.id_number == case.applicant_id_number
    assert session.scalar(select(func.count(User.id)).where(User.role == "resident")) > 2


def test_the_same_seed_gives_the_same_cases(app):
    with app.app_context():
        now = factories.now()
        first = generate_cases(db.session, now, cases=30, days=40, seed=11)
        second = generate_cases(db.session, now, cases=30, days=40, seed=11)
        assert first.by_status == second.by_status and sum(first.by_status.values()) == 30
        assert (first.corrected, first.suspended, first.late) == (second.corrected, second.suspended, second.late)
        rows = db.session.execute(
            select(Service.code, Case.status, Case.channel, Case.submitted_at, Case.applicant_id_number)
            .join(Service).order_by(Case.id)
        ).all()
        assert sorted(rows[:30], key=repr) == sorted(rows[30:], key=repr)


def test_the_command_prints_the_summary(app, runner):
    result = runner.invoke(args=["demo", "generate", "--cases", "25", "--days", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Generated 25 demo cases over the last 30 days (seed 3)." in result.output
    assert "By status:" in result.output and "delivered" in result.output
    assert "Asked to correct before acceptance:" in result.output and "Completed late" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 25


def test_the_command_refuses_in_production(app, runner):
    app.config["PORTAL_ENV"] = "production"
    result = runner.invoke(args=["demo", "generate", "--cases", "5"])
    assert result.exit_code == 1
    assert "production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0


def test_demo_remove_takes_the_generated_cases_with_the_accounts(app, runner):
    from sqlalchemy import func, select

    from portal.db import db
    from portal.models import Case, CaseTally, User

    assert runner.invoke(args=["demo", "generate", "--cases", "12", "--days", "10", "--seed", "3"]).exit_code == 0
    result = runner.invoke(args=["demo", "remove"])
    assert result.exit_code == 0, result.output
    assert "demo cases removed: 12" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0
        assert db.session.scalar(select(func.count(CaseTally.day))) == 0
        assert db.session.scalar(select(func.count(User.id)).where(User.is_demo.is_(True))) == 0
