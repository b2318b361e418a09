"""Who may see which cases and tasks, as query helpers every view uses.

A resident sees their own cases; a clerk the cases their window received
or in which their county's agencies act; an officer the cases with a task
for their agency; supervisors and admins all.
Anything else is reported as not found, never as forbidden.

The work each role does: an officer's queue holds their agency's tasks, a
clerk's desk the cases their window received.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session

from portal.models import Case, CaseInvolvement, Role, Task, User


def visible_cases(user: User) -> Select:
    query = select(Case)
    if user.role is Role.resident:
        return query.where(Case.applicant_user_id == user.id)
    if user.role is Role.clerk:
        return query.where(
            exists().where(CaseInvolvement.case_id == Case.id, CaseInvolvement.county == user.window_county)
        )
    if user.role is Role.officer:
        return query.where(exists().where(Task.case_id == Case.id, Task.agency_id == user.agency_id))
    if user.role in (Role.supervisor, Role.admin):
        return query
    return query.where(false())


def find_visible_case(session: Session, user: User, number: str) -> Case | None:
    return session.scalar(visible_cases(user).where(Case.number == number))


def may_decide(user: User, case: Case) -> bool:
    """Intake decisions are for clerks of the window that received the case."""
    return user.role is Role.clerk and user.window_county == case.receiving_county


def agency_tasks(officer: User) -> Select:
    """The tasks of the officer's agency, whatever their case."""
    return select(Task).where(Task.agency_id == officer.agency_id)


def find_agency_task(session: Session, officer: User, task_id: int) -> Task | None:
    """Another agency's task is not found, never forbidden."""
    return session.scalar(agency_tasks(officer).where(Task.id == task_id))


def window_cases(clerk: User) -> Select:
    """The cases the clerk's window received: its desk, whoever acts on them."""
    return select(Case).where(Case.receiving_county == clerk.window_county)
