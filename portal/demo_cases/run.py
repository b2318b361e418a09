"""A run of `flask --app portal demo generate`: check the database is
ready, plan every case, then carry them in batches, each case in its own
savepoint, committing batch by batch."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.demo_cases.journeys import carry_case
from portal.demo_cases.people import resident_pool
from portal.demo_cases.permits import PermitPeople, settle_permits
from portal.demo_cases.plans import (
    CasePlan,
    assign_outcomes,
    assign_services,
    keep_instant_out_of_progress,
    plan_arrival,
    plan_case,
)
from portal.demo_cases.report import Report
from portal.demo_cases.setting import Demo, DemoCasesError, NotYet, demo_actors
from portal.demo_cases.times import local_datetime
from portal.domain import DomainError
from portal.domain.clock import WorkCalendar, local_date
from portal.domain.passwords import Passwords
from portal.domain.uploads import UploadStore
from portal.models import OutboxMessage, Service
from portal.models.enums import OutboxChannel, ServiceKind

BATCH_SIZE = 50


def prepare(session: Session, now: datetime, days: int, uploads: UploadStore, passwords: Passwords) -> Demo:
    """The setting of a run over the ``days`` before ``now``; refused
    (DemoCasesError) without a catalog, without a calendar covering the
    period, or without a working day in it."""
    services = {
        s.code: s for s in session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.code))
    }
    if not services:
        raise DemoCasesError("The catalog is empty: run `flask --app portal setup` (or `catalog load`) first.")
    try:
        calendar = WorkCalendar.load(session)
    except ValueError:
        raise DemoCasesError("The working-day calendar is empty: run `flask --app portal calendar seed` first.") from None
    today = local_date(now)
    if today - timedelta(days=days) < calendar.first_day:
        raise DemoCasesError(f"The calendar starts on {calendar.first_day}; ask for fewer days.")
    workdays = [d for d in (today - timedelta(days=k) for k in range(days - 1, -1, -1)) if calendar.is_workday(d)]
    if not workdays:
        raise DemoCasesError(f"There is no working day in the period asked for (--days {days}); ask for more days.")
    registered_at = local_datetime(workdays[0], time(8, 0)).astimezone(UTC) - timedelta(days=1)
    clerks, officers = demo_actors(session, registered_at, passwords)
    residents = resident_pool(session, registered_at, passwords)
    return Demo(session, calendar, now, services, clerks, officers, residents, workdays, uploads, passwords)


def plan_cases(demo: Demo, count: int, seed: int) -> list[CasePlan]:
    """Every case's outcome, service, applicant and arrival, oldest first
    (so numbers follow arrival order). Each case has its own random stream."""
    master = random.Random(f"{seed}")
    outcomes, twists = assign_outcomes(count, master)
    services = assign_services(count, list(demo.services.values()), master)
    instant = {code for code, service in demo.services.items() if service.kind is ServiceKind.instant}
    keep_instant_out_of_progress(outcomes, services, instant)
    people = PermitPeople(demo, seed)
    plans = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}:plan")
        plan = plan_case(demo, index, outcomes[index], twists[index], services[index], rng, people)
        plan.arrival = plan_arrival(demo, plan, rng)
        plans.append(plan)
    plans += settle_permits(demo, plans, seed)
    plans.sort(key=lambda p: (p.arrival, p.earlier is False, p.index))
    return plans


def generate_cases(
    session: Session,
    now: datetime,
    *,
    cases: int,
    days: int,
    seed: int,
    uploads: UploadStore,
    passwords: Passwords,
    batch_size: int = BATCH_SIZE,
) -> Report:
    """Create ``cases`` demo cases that came in over the ``days`` before
    ``now``, committing every ``batch_size`` cases; their files go to
    ``uploads``, new accounts' passwords are hashed with ``passwords``."""
    demo = prepare(session, now, days, uploads, passwords)
    plans = plan_cases(demo, cases, seed)
    session.commit()
    report = Report(requested=cases, days=days, seed=seed)
    for first in range(0, len(plans), batch_size):
        with uploads.writes() as writes:
            demo.writes = writes
            for plan in plans[first : first + batch_size]:
                carry_planned(demo, plan, seed, report)
            session.commit()
            writes.committed = True
    return report


def carry_planned(demo: Demo, plan: CasePlan, seed: int, report: Report) -> None:
    """One case in its own savepoint: a rule refusing it (an agency taken
    out of routing, say) skips that case, not the run."""
    rng = random.Random(f"{seed}:{plan.key}:life")
    stored = len(demo.writes.paths)
    try:
        with demo.session.begin_nested():
            case = carry_case(demo, plan, rng)
            # Its texts belong to the past, when a real centre would have sent
            # them; no backlog is left for the relay to send today.
            demo.session.execute(delete(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.sms, OutboxMessage.case_id == case.id))
            if plan.earlier:
                report.earlier += 1
            else:
                report.count(demo, case)
    except NotYet:
        report.skipped["it would have come in after now"] += 1
    except DomainError as error:
        with force_locale("en"):
            report.skipped[str(error.message)] += 1
        for path in demo.writes.paths[stored:]:
            path.unlink(missing_ok=True)
        del demo.writes.paths[stored:]
