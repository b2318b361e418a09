"""`flask --app portal demo generate`: realistic past cases through the real workflow."""

from datetime import time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from portal.catalog import load_catalog
from portal.db import db
from portal.demo_cases import generate_cases
from portal.domain.clock import SHANGHAI
from portal.domain.identity import MOBILE_PATTERN, normalise_id_number
from portal.extensions import password_hasher, upload_store
from portal.models import (
    Case,
    CaseNotice,
    CaseStatus,
    Event,
    Message,
    PermitEndorsement,
    ResidencePermit,
    Service,
    Task,
    User,
)
from portal.models.enums import NoticeKind, PermitStatus
from portal.models.intake import CaseFile
from tests import factories

OFFICE = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
PERMIT_SERVICES = ("psb-rp-apply", "psb-rp-endorse", "psb-rp-replace")


def app_given() -> dict:
    """What the command gives generate_cases from the app's configuration."""
    return {"uploads": upload_store(), "passwords": password_hasher()}


def in_period(session, now, days):
    """The cases that came in over the period asked for, in creation order
    (not the earlier first issues of the permits endorsed or replaced)."""
    return session.scalars(
        select(Case).where(Case.submitted_at >= now - timedelta(days=days)).order_by(Case.id)
    ).all()


def names_the_regulations(reason: str) -> bool:
    """Chinese when the translations are compiled; in English the rules of
    art. 2 and 10 name the regulations and those of art. 13 and 15 only
    their article."""
    return ("《居住证暂行条例》" in reason or "Interim Regulations on Residence Permits" in reason
            or reason.startswith(("Art. 13", "Art. 15")))


@pytest.fixture
def generated(app):
    """60 cases over the last 60 days, seed 7; yields (session, report, now)."""
    with app.app_context():
        now = factories.now()
        report = generate_cases(db.session, now, cases=60, days=60, seed=7, **app_given())
        yield db.session, report, now


def test_the_cases_look_like_a_working_window(generated):
    session, report, now = generated
    cases = in_period(session, now, 60)
    assert len(cases) == report.created == 60
    # Besides them, only the first issues of the permits endorsed or replaced, dated before.
    assert session.scalar(select(func.count(Case.id))) == 60 + report.earlier
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


def summary(report):
    return (report.by_status, report.by_channel, report.by_window, report.corrected, report.suspended,
            report.late, report.permit_counts, report.earlier)


def case_rows(session, now, days, with_applicant=True):
    rows = session.execute(
        select(Service.code, Case.status, Case.channel, Case.submitted_at, Case.applicant_id_number)
        .join(Service).where(Case.submitted_at >= now - timedelta(days=days)).order_by(Case.id)
    ).all()
    return [tuple(row) if with_applicant else tuple(row[:4]) for row in rows]


def empty_database(session):
    """As a new installation: every table emptied but the calendar, the catalog loaded."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("calendar_day", "calendar_year", "data_stamp"):
            session.execute(table.delete())
    load_catalog(session)
    session.commit()


def test_the_same_seed_gives_the_same_cases_on_a_new_database(app):
    with app.app_context():
        now = factories.now()
        first = generate_cases(db.session, now, cases=30, days=40, seed=11, **app_given())
        first_rows = case_rows(db.session, now, 40)
        empty_database(db.session)
        second = generate_cases(db.session, now, cases=30, days=40, seed=11, **app_given())
        assert summary(first) == summary(second) and sum(first.by_status.values()) == 30
        # The very same people, services, channels, times and outcomes.
        assert case_rows(db.session, now, 40) == first_rows


def test_the_same_seed_run_again_on_the_same_database_decides_alike(app):
    """The permits issued in the first run do not change the second: its
    permit cases go to other people, alike in all that decides them."""
    with app.app_context():
        now = factories.now()
        first = generate_cases(db.session, now, cases=30, days=40, seed=11, **app_given())
        second = generate_cases(db.session, now, cases=30, days=40, seed=11, **app_given())
        assert summary(first) == summary(second) and sum(first.by_status.values()) == 30
        rows = case_rows(db.session, now, 40, with_applicant=False)
        assert rows[:30] == rows[30:]
        applicants = case_rows(db.session, now, 40)
        for one, two in zip(applicants[:30], applicants[30:], strict=False):
            if one[0] in PERMIT_SERVICES:
                assert one[4] != two[4], "a permit case went to someone with a permit (or an application) already"
            else:
                assert one[4] == two[4]


def test_the_command_prints_the_summary(app, runner):
    result = runner.invoke(args=["demo", "generate", "--cases", "25", "--days", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Generated 25 demo cases over the last 30 days (seed 3)." in result.output
    assert "By status:" in result.output and "delivered" in result.output
    assert "Asked to correct before acceptance:" in result.output and "Completed late" in result.output
    assert "Residence permits:" in result.output
    with app.app_context():
        # The command generates over the 30 days up to the real time.
        assert len(in_period(db.session, factories.wall_clock(), 30)) == 25


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
    with app.app_context():
        generated = db.session.scalar(select(func.count(Case.id)))  # with any earlier first issues of permits
    result = runner.invoke(args=["demo", "remove"])
    assert result.exit_code == 0, result.output
    assert f"demo cases removed: {generated}" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0
        assert db.session.scalar(select(func.count(CaseTally.day))) == 0
        assert db.session.scalar(select(func.count(User.id)).where(User.is_demo.is_(True))) == 0


def test_permit_cases_follow_the_interim_regulations(generated):
    session, report, now = generated
    cases = in_period(session, now, 60)
    permit_of = {p.case_id: p for p in session.scalars(select(ResidencePermit))}
    completed_ids = set(session.scalars(select(Event.case_id).where(Event.subject == "case", Event.to_status == "completed")))
    completed = lambda case: case.id in completed_ids  # noqa: E731

    # First issues that completed issued a permit to their applicant, for a year until endorsement.
    issues = [c for c in cases if c.service.code == "psb-rp-apply" and completed(c)]
    assert issues and all(c.id in permit_of for c in issues)
    for case in issues:
        permit = permit_of[case.id]
        assert permit.holder_id_number == case.applicant_id_number
        assert permit.endorsed_until == permit.issued_on + relativedelta(years=1)
        assert case.hukou_county != case.residence_county
    assert report.permit_counts["issued"] == len(issues)

    # Endorsements: of a permit the applicant held, issued by an earlier first issue; one late at least.
    endorsements = session.scalars(select(PermitEndorsement)).all()
    assert endorsements and any(e.late for e in endorsements)
    assert report.permit_counts["endorsed"] == len(endorsements)
    for endorsement in endorsements:
        case = session.get(Case, endorsement.case_id)
        permit = session.get(ResidencePermit, endorsement.permit_id)
        assert case.service.code == "psb-rp-endorse" and completed(case)
        assert permit.holder_id_number == case.applicant_id_number and permit.number == case.form_data["permit_number"]
        assert permit.case.submitted_at < case.submitted_at and permit.case.service.code == "psb-rp-apply"
        assert permit.endorsed_until == endorsement.endorsed_until > endorsement.endorsed_on

    # Replacements revoke the permit named in the form and issue a new one.
    for case in cases:
        if case.service.code == "psb-rp-replace" and completed(case):
            new = permit_of[case.id]
            old = session.scalar(select(ResidencePermit).where(ResidencePermit.replaced_by_id == new.id))
            assert old.status is PermitStatus.revoked and old.number == case.form_data["permit_number"]
            assert old.holder_id_number == new.holder_id_number == case.applicant_id_number

    # Nobody holds two valid permits, or asked for a first issue while holding one.
    active = session.scalars(select(ResidencePermit.holder_id_number).where(ResidencePermit.status == PermitStatus.active)).all()
    assert len(active) == len(set(active))

    # Permit cases are refused by the rule they fail, named in the decision.
    refusals = [n for c in cases if c.service.code in PERMIT_SERVICES for n in c.notices
                if n.kind is NoticeKind.decision_refusal]
    assert refusals and report.permit_counts["refused"] == len(refusals)
    for notice in refusals:
        assert names_the_regulations(notice.reason), notice.reason
        assert "第十条" not in notice.reason and "Art. 10" not in notice.reason, notice.reason

    # The earlier first issues are all completed, each the permit of a later case.
    earlier = session.scalars(
        select(Case).where(Case.submitted_at < now - timedelta(days=60)).order_by(Case.id)
    ).all()
    assert len(earlier) == report.earlier > 0
    assert all(c.service.code == "psb-rp-apply" and c.id in permit_of for c in earlier)


def test_setup_generates_demo_cases_once_for_make_run(app, runner):
    from sqlalchemy import func, select

    from portal.db import db
    from portal.models import Case

    first = runner.invoke(args=["setup", "--demo-cases", "6"])
    assert first.exit_code == 0, first.output
    assert "Generating 6 demo cases" in first.output
    with app.app_context():
        count = db.session.scalar(select(func.count(Case.id)))
    assert count >= 6
    again = runner.invoke(args=["setup", "--demo-cases", "6"])
    assert "Generating" not in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == count


def test_generated_cases_leave_no_backlog_of_texts_for_the_relay(app, runner):
    from sqlalchemy import func, select

    from portal.db import db
    from portal.models import OutboxMessage

    assert runner.invoke(args=["demo", "generate", "--cases", "10", "--days", "20", "--seed", "4"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
