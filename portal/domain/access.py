"""Who may see which cases and tasks, as query helpers every view uses.

A resident sees their own cases; a clerk the cases their window received
or in which their county's agencies act; an officer the cases with a task
for their agency; supervisors and admins all.
Anything else is reported as not found, never as forbidden.

The work each role does: an officer's queue holds their agency's tasks, a
clerk's desk the cases their window received; the staff's case search
finds what each works on. Who may make each change
the lifecycle's tables allow (the lifecycle asks here). What each API
principal sees of the applicant. And what anyone, signed in or not, may
see of a case: Open311 and the tracking page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from portal.domain.identity import mask_id_number, mask_mobile, mask_name
from portal.domain.tokens import Principal
from portal.models import Agency, Case, CaseInvolvement, Event, Role, Service, Task, User
from portal.models.enums import CaseStatus, Channel, County, DeliveryMode, TaskStatus


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


def may_send_originals(user: User, case: Case) -> bool:
    """收受分离: the receiving window holds a case's originals and posts them."""
    return may_decide(user, case)


def may_receive_originals(user: User, agency_id: int) -> bool:
    """An officer of the competent agency confirms the originals arrived, or reports what is missing."""
    return user.role is Role.officer and user.agency_id == agency_id


def agency_tasks(officer: User) -> Select:
    """The tasks of the officer's agency, whatever their case."""
    return select(Task).where(Task.agency_id == officer.agency_id)


def find_partner_task(session: Session, agency_id: int, task_id: int) -> Task | None:
    """One of the agency's tasks, for its officers or its own system;
    another agency's task is not found, never forbidden."""
    return session.scalar(select(Task).where(Task.agency_id == agency_id, Task.id == task_id))


def find_agency_task(session: Session, officer: User, task_id: int) -> Task | None:
    return find_partner_task(session, officer.agency_id, task_id)


def window_cases(clerk: User) -> Select:
    """The cases the clerk's window received: its desk, whoever acts on them."""
    return select(Case).where(Case.receiving_county == clerk.window_county)


def searchable_cases(user: User) -> Select:
    """The cases a member of staff finds with the case search: for a clerk,
    those their window received (the desk's, which the window answers
    for); for an officer, those with a task of their agency; for
    supervisors and admins, all. Residents find none: they have their list."""
    if user.role is Role.clerk:
        return window_cases(user)
    if user.role in (Role.officer, Role.supervisor, Role.admin):
        return visible_cases(user)
    return select(Case).where(false())


def agency_task_of(officer: User, case: Case) -> Task | None:
    """The task of the officer's agency that the officer opens for the
    case: one still in hand (open, claimed, suspended or returned), else
    the latest; None when the agency has none. Reads ``case.tasks``."""
    ours = sorted((t for t in case.tasks if t.agency_id == officer.agency_id), key=lambda t: t.id)
    active = [t for t in ours if t.status in (TaskStatus.open, TaskStatus.claimed, TaskStatus.suspended, TaskStatus.returned)]
    return (active or ours or [None])[-1]


# -- who may act ----------------------------------------------------------
# The lifecycle's tables name who may make each change: a staff role's
# value, or one of these kinds.
APPLICANT = "applicant"  # the resident who owns the case
SYSTEM = "system"  # no one signed in: the portal, or an agency's own system
ASSIGNEE = "assignee"  # the officer who claimed the task
WINDOW = "window"  # a clerk of the window that received the case
OVERSIGHT = "oversight"  # a supervisor or an admin
OFFICER = Role.officer.value


def actor_kind(case: Case, actor: User | None) -> str:
    """What ``actor`` is to ``case``: the system, its applicant, another
    resident, or their staff role."""
    if actor is None:
        return SYSTEM
    if actor.role is Role.resident:
        return APPLICANT if case.applicant_user_id == actor.id else "other"
    return actor.role.value


def may_transition_case(actor: User | None, case: Case, action: str, actors: frozenset[str]) -> bool:
    """Whether ``actor`` (None: the system) may make a change of ``case``
    open to ``actors``: their kind must be among them, and a clerk must be
    of the receiving window (``may_decide``), withdrawing only a walk-in case."""
    kind = actor_kind(case, actor)
    if kind not in actors:
        return False
    if kind == Role.clerk.value:
        # A clerk withdraws only a walk-in case, at the applicant's request there.
        if action == "withdraw" and case.channel is not Channel.counter:
            return False
        return may_decide(actor, case)
    return True


def may_act_on_task(actor: User | None, task: Task, who: str) -> bool:
    """Whether ``actor`` (None: the system) is ``who`` for ``task``: an
    officer of its agency, its assignee, a clerk of its case's window,
    oversight, or the system. An agency's own system is the assignee
    only of a task it claimed itself, never of one a named officer holds."""
    if who == SYSTEM:
        return actor is None
    if actor is None:
        # An agency that works in its own system (delivery mode http) acts
        # through it: the system may do what the agency's officers may, but
        # a task one of them claimed stays theirs until they release it.
        if task.agency.delivery_mode is not DeliveryMode.http:
            return False
        return who == OFFICER or (who == ASSIGNEE and task.assignee_id is None)
    if who == WINDOW:
        return may_decide(actor, task.case)
    if who == OVERSIGHT:
        return actor.role in (Role.supervisor, Role.admin)
    if who == APPLICANT:
        return actor.role is Role.resident and task.case.applicant_user_id == actor.id
    if actor.role is not Role.officer or actor.agency_id != task.agency_id:
        return False
    # A task the agency's system claimed has no assignee: any officer of the
    # agency answers for it (after a switch back to the portal, for one).
    return who == OFFICER or task.assignee_id in (actor.id, None)


# -- what each API principal sees of the applicant ------------------------


@dataclass(frozen=True)
class ApplicantDetails:
    """The applicant's name, ID number and mobile, each in full or masked."""

    name: str
    id_number: str
    mobile: str


def _works_on(case: Case, agency_id: int | None) -> bool:
    """The agency has a task on the case that was not cancelled (open, in
    hand or done): it handles the case, or did."""
    return any(t.agency_id == agency_id and t.status is not TaskStatus.cancelled for t in case.tasks)


def applicant_seen_by(principal: Principal, case: Case) -> ApplicantDetails:
    """What ``principal`` sees of the applicant of a case it may see: masked,
    unless it handles the case and needs the data.

    - An agency's own system, while the agency works in it (delivery mode
      http) and has a task on the case that was not cancelled: name, ID
      number and mobile in full, as the task's message carried them.
    - An officer whose agency has such a task, or a clerk of the window
      that received the case (their own tokens): the name in full, the
      numbers masked, as on their pages.
    - Everyone else (window systems, other agencies' and windows' staff,
      supervisors, admins, an agency's system while the agency works in
      the portal's queue): all three masked.
    """
    full = ApplicantDetails(case.applicant_name, case.applicant_id_number, case.applicant_mobile)
    masked = ApplicantDetails(
        mask_name(case.applicant_name), mask_id_number(case.applicant_id_number), mask_mobile(case.applicant_mobile)
    )
    if principal.kind == "agency":
        in_own_system = any(
            t.agency_id == principal.agency_id and t.agency.delivery_mode is DeliveryMode.http for t in case.tasks
        )
        return full if in_own_system and _works_on(case, principal.agency_id) else masked
    user = principal.user
    if user is None:  # a window system
        return masked
    handles = (user.role is Role.officer and _works_on(case, user.agency_id)) or may_decide(user, case)
    return ApplicantDetails(case.applicant_name, masked.id_number, masked.mobile) if handles else masked


# -- what the public may see ----------------------------------------------
# Every case is public as a service request (Open311) and, with its query
# code or its receipt's signed link, on the tracking page (domain.tracking);
# but only as a PublicCase and its public steps.

# Events the public never sees: an agency's own steps, SLA alerts, ratings.
PRIVATE_EVENT_SUBJECTS = ("sla", "rating")


@dataclass(frozen=True)
class PublicCase:
    """What anyone may see of a case: its number, service, status, window,
    dates and the agencies acting on it, and the applicant's masked name.
    Nothing else personal: no ID or mobile number, facts, form or files,
    and no staff names or notes."""

    number: str
    service: Service
    status: CaseStatus
    window: County  # the window that received it
    submitted_at: datetime
    due_at: datetime | None
    agencies: tuple[Agency, ...]  # acting on it, each once, in the order their tasks began; none before routing
    applicant: str  # masked: 张*
    has_notice: bool  # the window issued a written notice (its text is the applicant's)


def public_cases() -> Select:
    """The cases the public may look up (all of them), to be shown only
    through ``public_view``; what it reads is loaded with them."""
    return select(Case).options(
        joinedload(Case.service), selectinload(Case.tasks).joinedload(Task.agency), selectinload(Case.notices)
    )


def public_lookup() -> Select:
    """The cases the public may look up, loading only what finding one
    checks (its number and query code); what it shows is read with
    ``public_case`` when it is rendered."""
    return select(Case).options(load_only(Case.number, Case.query_code))


def public_case(session: Session, case: Case) -> Case:
    """``case`` (found with ``public_lookup``) with what ``public_view`` reads."""
    return session.scalar(public_cases().where(Case.id == case.id).execution_options(populate_existing=True))


def public_view(case: Case) -> PublicCase:
    return PublicCase(
        number=case.number,
        service=case.service,
        status=case.status,
        window=case.receiving_county,
        submitted_at=case.submitted_at,
        due_at=case.due_at,
        agencies=tuple(
            dict.fromkeys(t.agency for t in sorted(case.tasks, key=lambda t: t.id) if t.status is not TaskStatus.cancelled)
        ),
        applicant=mask_name(case.applicant_name),
        has_notice=bool(case.notices),
    )


def public_events(session: Session, case: Case) -> list[Event]:
    """The steps of a case anyone tracking it may see, oldest first: the
    case's own changes, not an agency's steps, SLA alerts or ratings."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.case_id == case.id,
                Event.task_id.is_(None),
                Event.subject.not_in(PRIVATE_EVENT_SUBJECTS),
            )
            .order_by(Event.created_at, Event.id)
        )
    )
