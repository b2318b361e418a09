"""Who may see which cases, as query helpers every view uses.

A resident sees their own cases; a clerk the cases their window received
or in which their county's agencies act; an officer the cases with a task
for their agency; supervisors and admins all.
Anything else is reported as not found, never as forbidden."""

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
