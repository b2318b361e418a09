"""Carrying an accepted case through its agencies: tasks for each stage of
the routing plan, the next stage when one is done, the case closed when
all are; task actions and their effect on the case and its clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import DomainError, paper_files, permits
from portal.domain.case_files import attach_file
from portal.domain.clock import WorkCalendar
from portal.domain.deadlines import (
    case_workdays_used,
    close_suspensions,
    end_suspension,
    stage_due,
    start_suspension,
    task_workdays,
)
from portal.domain.lifecycle import NOT_WAITING, create_task, task_transition, transition
from portal.domain.limits import RESULT_NUMBER_MAX, SUSPENSION_WORKDAYS_MAX, SUSPENSION_WORKDAYS_MIN, TASK_NOTE_MAX
from portal.domain.outbox import announce_tasks
from portal.domain.postal import Postage, record_postal_delivery
from portal.domain.routing import resolve_plan, stage_count
from portal.domain.text import free_text, required_text
from portal.i18n import localized
from portal.models import Agency, Case, CaseNotice, CaseStatus, Role, Task, User
from portal.models.enums import DeliveryMethod, NoticeKind, ServiceMode, TaskStatus

PERMIT_SERVICES = (permits.ISSUE, permits.ENDORSE, permits.REPLACE)


def route_stage(session: Session, case: Case, stage: int, calendar: WorkCalendar, now: datetime) -> list[Task]:
    """Create the tasks of ``stage`` for concrete agencies, in the caller's transaction."""
    offices = {(a.county, a.department.value): a for a in session.scalars(select(Agency))}
    plan = case.service.routing[stage - 1]
    tasks = []
    for step in [s for s in resolve_plan(case) if s.stage == stage]:
        agency = offices.get((step.county, step.department))
        if agency is None:
            raise DomainError(_l("No agency is set up for this step; tell the administrator."), "routing")
        if not agency.active:
            raise DomainError(
                _l(
                    "%(agency)s is not taking cases at the moment; the case cannot be routed. Tell the administrator.",
                    agency=localized(agency, "name"),
                ),
                "routing",
            )
        task = create_task(
            session, case, agency, now,
            stage=stage, stage_name_zh=plan["name_zh"], stage_name_en=plan["name_en"],
            action_zh=step.step["action_zh"], action_en=step.step["action_en"],
            fallback=step.fallback, due_at=stage_due(calendar, case, stage, now),
        )
        tasks.append(task)
    announce_tasks(session, tasks, now)
    return tasks


def start_routing(session: Session, case: Case, calendar: WorkCalendar, now: datetime) -> list[Task]:
    """After acceptance: the case is in progress and stage 1 is routed."""
    transition(session, case, "start", None, now)
    return route_stage(session, case, 1, calendar, now)


def current_stage(case: Case) -> int:
    return max((t.stage for t in case.tasks), default=0)


def _advance(session: Session, case: Case, calendar: WorkCalendar, now: datetime) -> None:
    """When every task of the current stage is done, route the next stage
    or, after the last, complete the case and store its turnaround."""
    stage = current_stage(case)
    if any(t.stage == stage and t.status.is_active for t in case.tasks):
        return
    if stage < stage_count(case):
        route_stage(session, case, stage + 1, calendar, now)
        return
    case.turnaround_workdays = case_workdays_used(calendar, case, now)
    if case.service.code in PERMIT_SERVICES:
        reason = permits.refusal_reason(session, case, now)
        if reason:
            # The rule the application fails decides it: refused, with the rule named.
            transition(session, case, "refuse", None, now, note=reason)
            session.add(CaseNotice(case=case, kind=NoticeKind.decision_refusal, reason=reason, issued_at=now, items=[]))
            session.flush()
            deliver_online_result(session, case, now)
            return
    transition(session, case, "complete", None, now)
    if case.service.code in PERMIT_SERVICES:
        permits.on_completion(session, case, now)
    deliver_online_result(session, case, now)


def deliver_online_result(session: Session, case: Case, now: datetime) -> None:
    """全程网办: a fully online service's decision is its result, delivered
    electronically on the case page the moment it is made; nobody has to
    hand anything over at a window."""
    if case.service.mode is ServiceMode.online and case.status in (CaseStatus.completed, CaseStatus.refused):
        case.delivery_method = DeliveryMethod.electronic.value
        transition(session, case, "deliver", None, now, data={"method": DeliveryMethod.electronic.value})


def _note(text: str) -> str:
    return required_text(text, "note", TASK_NOTE_MAX)


def claim_task(session: Session, task: Task, officer: User, now: datetime) -> None:
    task_transition(session, task, "claim", officer, now)


def release_task(session: Session, task: Task, officer: User, now: datetime) -> None:
    task_transition(session, task, "release", officer, now)


def complete_task(
    session: Session, task: Task, officer: User, now: datetime, calendar: WorkCalendar, opinion: str, result_number: str = "",
    originals_reason: str = "",
) -> None:
    """Done: the opinion and any certificate or decision number are kept;
    the case moves on. Across the border, the case's paper originals must
    have arrived, or the officer says why the task is completed without them."""
    if task.case.status is CaseStatus.suspended:
        raise DomainError(_l("The case is in a special procedure; resume it before completing."), "status")
    task.opinion = _note(opinion)
    number = free_text(result_number, "result_number", RESULT_NUMBER_MAX, multiline=False)
    if number:
        task.result = {**task.result, "number": number}
    paper_files.completion_check(session, task, officer, now, originals_reason)
    task_transition(session, task, "complete", officer, now, note=task.opinion)
    task.workdays = task_workdays(calendar, task, now)
    _advance(session, task.case, calendar, now)


def refuse_task(session: Session, task: Task, officer: User, now: datetime, calendar: WorkCalendar, reason: str) -> None:
    """A decisive refusal: the case is refused with this reason and the
    other agencies' open tasks are cancelled."""
    reason = _note(reason)
    task.opinion = reason
    task_transition(session, task, "refuse", officer, now, note=reason)
    task.workdays = task_workdays(calendar, task, now)
    cancel_open_tasks(session, task.case, now, except_task=task)
    close_suspensions(task.case, now)
    task.case.turnaround_workdays = case_workdays_used(calendar, task.case, now)
    transition(session, task.case, "refuse", None, now, note=reason, data={"agency": task.agency.code})
    session.add(
        CaseNotice(
            case=task.case, kind=NoticeKind.decision_refusal, reason=reason, issued_by=officer, issued_at=now,
            items=[{"kind": "agency", "key": task.agency.code, "name_zh": task.agency.name_zh, "name_en": task.agency.name_en}],
        )
    )
    session.flush()
    deliver_online_result(session, task.case, now)


def suspend_task(
    session: Session, task: Task, officer: User, now: datetime, reason: str, expected_workdays: int | None
) -> None:
    """特别程序: the case clock stops until every suspended task resumes;
    the officer says why and how many working days it should last."""
    reason = _note(reason)
    if (
        not isinstance(expected_workdays, int)
        or isinstance(expected_workdays, bool)
        or not SUSPENSION_WORKDAYS_MIN <= expected_workdays <= SUSPENSION_WORKDAYS_MAX
    ):
        raise DomainError(
            _l(
                "Give the expected length in working days, from %(min)d to %(max)d.",
                min=SUSPENSION_WORKDAYS_MIN, max=SUSPENSION_WORKDAYS_MAX,
            ),
            "expected_workdays",
        )
    task_transition(session, task, "suspend", officer, now, note=reason, data={"expected_workdays": expected_workdays})
    case = task.case
    if case.status is CaseStatus.in_progress:
        start_suspension(session, case, reason, now)
        transition(session, case, "suspend", None, now, note=reason, data={"expected_workdays": expected_workdays})


def resume_task(session: Session, task: Task, officer: User, now: datetime, calendar: WorkCalendar) -> None:
    task_transition(session, task, "resume", officer, now)
    restart_clock(session, task.case, calendar, now, "resume", None)


def restart_clock(
    session: Session, case: Case, calendar: WorkCalendar, now: datetime, action: str, actor: User | None, note: str = ""
) -> None:
    """The clock runs again once nothing holds it: no task in a special
    procedure and no request to the applicant unanswered. The due dates
    move by the working days it stood still."""
    if (
        case.status is CaseStatus.suspended
        and not any(t.status is TaskStatus.suspended for t in case.tasks)
        and not waiting_for_applicant(case)
    ):
        end_suspension(session, case, calendar, now)
        transition(session, case, action, actor, now, note=note)
        for other in case.tasks:
            if other.status.is_active:
                other.due_at = stage_due(calendar, case, other.stage, now)
        session.flush()


def waiting_for_applicant(case: Case) -> list[CaseNotice]:
    """The requests to the applicant not yet answered: the clock stays stopped
    for them. A case that has ended (withdrawn, refused) waits for nothing."""
    if not case.status.is_open:
        return []
    return [n for n in case.notices if n.kind is NoticeKind.supplement_request and n.answered_at is None]


def cancel_open_tasks(session: Session, case: Case, now: datetime, except_task: Task | None = None) -> None:
    for task in case.tasks:
        if task is not except_task and task.status.is_active:
            task_transition(session, task, "cancel", None, now)


def deliver_case(
    session: Session, case: Case, clerk: User, now: datetime, method: str, postage: Postage | None = None
) -> None:
    """出件: the receiving window hands over the result; by post (邮寄送达)
    with the address, carrier and waybill number, which the applicant is texted."""
    try:
        chosen = DeliveryMethod(method)
    except ValueError:
        raise DomainError(_l("Choose how the result is handed over."), "method") from None
    if chosen is DeliveryMethod.electronic and not any(f.material_code.startswith("result-") for f in case.files):
        raise DomainError(_l("There is no result document to download; hand the result over at the window or by post."), "method")
    data = {"method": chosen.value}
    if chosen is DeliveryMethod.post:
        if case.status not in (CaseStatus.completed, CaseStatus.refused):
            raise DomainError(NOT_WAITING, "status")
        posted = record_postal_delivery(session, case, clerk, now, postage or Postage())
        data.update(carrier=posted.carrier, waybill=posted.waybill)
    case.delivery_method = chosen.value
    transition(session, case, "deliver", clerk, now, data=data)


def return_task(session: Session, task: Task, officer: User, now: datetime, reason: str) -> None:
    """Back to the receiving window: the task cannot proceed without the
    clerk (wrong routing, an original missing)."""
    task_transition(session, task, "return", officer, now, note=_note(reason))


def reopen_task(
    session: Session, task: Task, actor: User, now: datetime, note: str, data: dict | None = None
) -> None:
    """What the agency asked for has come — from the window, or from the
    applicant answering a request: the task goes back to the officer who
    returned it, still claimed by them; to the agency's queue only when that
    officer can no longer hold it (left the agency, or disabled)."""
    holder = task.assignee
    kept = holder is None or (holder.active and holder.agency_id == task.agency_id)
    if actor.role is Role.resident:
        action = "answer" if kept else "answer_to_queue"
    else:
        action = "reply" if kept else "reopen"
    task_transition(session, task, action, actor, now, note=_note(note), data=data)


def transfer_task(
    session: Session, task: Task, actor: User, now: datetime, agency_code: str, reason: str
) -> Task:
    """Supervisors and admins move a wrongly routed task to another agency;
    the new task keeps its stage and due date."""
    reason = required_text(reason, "reason", TASK_NOTE_MAX)
    target = session.scalar(select(Agency).where(Agency.code == agency_code))
    if target is None:
        raise DomainError(_l("Choose an agency."), "agency")
    if target.id == task.agency_id:
        raise DomainError(_l("The task is already with this agency; choose another."), "agency")
    if any(t.agency_id == target.id and t.stage == task.stage and t.status is not TaskStatus.cancelled for t in task.case.tasks):
        raise DomainError(
            _l("That agency already has a task in this stage; a joint step needs both counties."), "agency"
        )
    task_transition(
        session, task, "transfer", actor, now, note=reason,
        data={"to": target.code, "to_name_zh": target.name_zh, "to_name_en": target.name_en},
    )
    moved = create_task(
        session, task.case, target, now, actor=actor,
        stage=task.stage, stage_name_zh=task.stage_name_zh, stage_name_en=task.stage_name_en,
        action_zh=task.action_zh, action_en=task.action_en, fallback=False, due_at=task.due_at,
    )
    announce_tasks(session, [moved], now)
    return moved


def attach_result(session: Session, writes, task: Task, checked, officer: User, now: datetime):
    """An uploaded result document (decision, certificate) for the applicant."""
    record = attach_file(session, writes, checked, f"result-{task.id}", officer, now, case=task.case)
    task.result = {**task.result, "file_id": record.id}
    return record


# -- one entry point for task actions ---------------------------------------


@dataclass(frozen=True)
class TaskRequest:
    """What an officer, an API token or a partner system asks of a task."""

    note: str = ""
    expected_workdays: int | None = None
    result_number: str = ""
    originals_reason: str = ""  # completing across the border before the originals are confirmed


Runner = Callable[[Session, Task, User | None, datetime, WorkCalendar, TaskRequest], object]

# The actions staff and partner systems take on a task, by name; transfer
# (oversight) and reopen (the window) have pages of their own.
TASK_ACTIONS: dict[str, Runner] = {
    "claim": lambda s, t, a, now, cal, r: claim_task(s, t, a, now),
    "release": lambda s, t, a, now, cal, r: release_task(s, t, a, now),
    "resume": lambda s, t, a, now, cal, r: resume_task(s, t, a, now, cal),
    "complete": lambda s, t, a, now, cal, r: complete_task(s, t, a, now, cal, r.note, r.result_number, r.originals_reason),
    "refuse": lambda s, t, a, now, cal, r: refuse_task(s, t, a, now, cal, r.note),
    "suspend": lambda s, t, a, now, cal, r: suspend_task(s, t, a, now, r.note, r.expected_workdays),
    "return": lambda s, t, a, now, cal, r: return_task(s, t, a, now, r.note),
}


def act_on_task(
    session: Session,
    task: Task,
    action: str,
    actor: User | None,
    now: datetime,
    calendar: WorkCalendar,
    request: TaskRequest | None = None,
) -> Task:
    """Every action on a task goes through here: the officer's buttons, the
    JSON API and partner systems' callbacks (``actor`` None: the agency's
    own system). The lifecycle decides whether the action is allowed now
    and for this actor; the named workflow function checks the note, the
    expected length of a special procedure and the result number against
    :mod:`portal.domain.limits`. Flushes; the caller commits."""
    run = TASK_ACTIONS.get(action)
    if run is None:
        raise DomainError(NOT_WAITING, "status")
    run(session, task, actor, now, calendar, request or TaskRequest())
    return task
