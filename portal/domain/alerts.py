"""The SLA sweep: work that entered "due within 1 working day" or
"overdue" is announced once to whoever must act.

A task alert goes to its assignee (or, unclaimed, to every officer of its
agency) and to the supervisors; a case alert to the clerks of the window
that received it and to the supervisors. Each alert is one row with a
unique key (subject, id, level, due date); the sweep inserts with "on
conflict do nothing" and writes the event only for the rows it inserted,
so two sweeps at once, or one every few minutes, announce each alert once.
A due date that moves (a suspension, a calendar correction) can raise a
fresh alert for the new date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from portal.domain.clock import Level, WorkCalendar
from portal.domain.deadlines import case_level, case_level_clause, task_level, task_level_clause
from portal.domain.events import record_event
from portal.models import Case, PaperFile, Role, SlaAlert, Task, User
from portal.models.enums import AlertLevel, PaperFileState

# The levels announced. Which work has a level at all is the rule of
# deadlines.task_level and case_level: a suspended task or case waits on the
# applicant or a procedure, a returned task sits at the window already.
ALERTED = (Level.due_soon, Level.overdue)


@dataclass
class SweepResult:
    task_alerts: int = 0
    case_alerts: int = 0
    paper_alerts: int = 0

    @property
    def total(self) -> int:
        return self.task_alerts + self.case_alerts + self.paper_alerts


def alert_key(subject: str, id_: int, level: AlertLevel, due_at: datetime) -> str:
    return f"{subject}:{id_}:{level.value}:{due_at.strftime('%Y%m%dT%H%M')}"


def _insert_once(session: Session, values: dict) -> bool:
    """Insert the alert unless its key exists; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(SlaAlert).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return session.execute(statement.returning(SlaAlert.id)).scalar() is not None


def sweep(session: Session, calendar: WorkCalendar, now: datetime) -> SweepResult:
    """Raise the alerts due now. Flushes; the caller commits."""
    result = SweepResult()
    tasks = session.scalars(
        select(Task)
        .where(or_(*(task_level_clause(level, calendar, now) for level in ALERTED)))
        .options(selectinload(Task.case))
        .order_by(Task.due_at, Task.id)
    )
    for task in tasks:
        level = AlertLevel(task_level(calendar, task, now).value)
        inserted = _insert_once(
            session,
            dict(
                key=alert_key("task", task.id, level, task.due_at), level=level, case_id=task.case_id,
                task_id=task.id, agency_id=task.agency_id, assignee_id=task.assignee_id,
                due_at=task.due_at, created_at=now,
            ),
        )
        if inserted:
            result.task_alerts += 1
            record_event(
                session, case=task.case, task=task, subject="sla", action=f"sla_{level.value}", now=now,
                data={"due": task.due_at.isoformat(), "agency_id": task.agency_id},
            )
    cases = session.scalars(
        select(Case).where(or_(*(case_level_clause(level, calendar, now) for level in ALERTED)))
        .order_by(Case.due_at, Case.id)
    )
    for case in cases:
        level = AlertLevel(case_level(calendar, case, now).value)
        inserted = _insert_once(
            session,
            dict(
                key=alert_key("case", case.id, level, case.due_at), level=level, case_id=case.id,
                window_county=case.receiving_county, due_at=case.due_at, created_at=now,
            ),
        )
        if inserted:
            result.case_alerts += 1
            record_event(
                session, case=case, subject="sla", action=f"sla_{level.value}", now=now,
                data={"due": case.due_at.isoformat(), "window": case.receiving_county.value},
            )
    result.paper_alerts = _sweep_paper_files(session, now)
    session.flush()
    return result


def _sweep_paper_files(session: Session, now: datetime) -> int:
    """收受分离: originals in transit past their limit (see
    paper_files.send_originals) alert the sending window and the competent
    agency, once per dispatch."""
    raised = 0
    late = session.scalars(
        select(PaperFile)
        .where(PaperFile.state == PaperFileState.in_transit, PaperFile.transit_due_at < now)
        .options(selectinload(PaperFile.case))
        .order_by(PaperFile.transit_due_at, PaperFile.id)
    )
    for paper in late:
        inserted = _insert_once(
            session,
            dict(
                key=alert_key("paper", paper.id, AlertLevel.overdue, paper.transit_due_at), level=AlertLevel.overdue,
                case_id=paper.case_id, paper_file_id=paper.id, agency_id=paper.agency_id, window_county=paper.from_county,
                due_at=paper.transit_due_at, created_at=now,
            ),
        )
        if inserted:
            raised += 1
            record_event(
                session, case=paper.case, subject="sla", action="sla_paper_overdue", now=now,
                data={"due": paper.transit_due_at.isoformat(), "carrier": paper.carrier, "waybill": paper.waybill},
            )
    return raised


def visible_alerts(user: User) -> Select:
    """The alerts addressed to ``user``: an officer's agency's task alerts
    (claimed ones only to their assignee), a clerk's window's case alerts,
    every alert for supervisors and admins."""
    query = select(SlaAlert)
    if user.role is Role.officer:
        return query.where(
            SlaAlert.agency_id == user.agency_id,
            or_(SlaAlert.assignee_id.is_(None), SlaAlert.assignee_id == user.id),
        )
    if user.role is Role.clerk:
        return query.where(SlaAlert.window_county == user.window_county, SlaAlert.task_id.is_(None))
    if user.role in (Role.supervisor, Role.admin):
        return query
    return query.where(SlaAlert.id.is_(None))


def alerts_for(session: Session, user: User, limit: int = 100) -> list[SlaAlert]:
    return list(
        session.scalars(
            visible_alerts(user)
            .options(
                selectinload(SlaAlert.case).selectinload(Case.service),
                selectinload(SlaAlert.task).selectinload(Task.agency),
            )
            .order_by(SlaAlert.created_at.desc(), SlaAlert.id.desc())
            .limit(limit)
        )
    )


def unseen_alert_count(session: Session, user: User) -> int:
    query = visible_alerts(user).with_only_columns(func.count(SlaAlert.id))
    if user.alerts_seen_at is not None:
        query = query.where(SlaAlert.created_at > user.alerts_seen_at)
    return session.scalar(query) or 0


def mark_alerts_seen(user: User, now: datetime) -> None:
    user.alerts_seen_at = now
