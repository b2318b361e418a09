"""The case and task lifecycles: which status changes exist, who may make
each, and the event each leaves. Nothing else assigns ``Case.status`` or
``Task.status``, and tasks come into being only through :func:`create_task`.

    submitted ──► correction_requested ──► submitted        (补正, clock not started)
    submitted ──► accepted ──► in_progress ⇄ suspended     (受理 starts the clock)
    submitted ──► refused_intake                            (不予受理)
    in_progress ──► completed | refused ──► delivered      (出件; 全程网办 delivered by the system)
    suspended ──► refused                                   (a decisive refusal ends the special procedure)
    in_progress ⇄ suspended by await_applicant / applicant_answered   (a request only the applicant can answer)
    correction_requested ──► withdrawn by lapse_correction   (补正 not made in time: treated as withdrawn)
    any open status before completion ──► withdrawn
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.access import APPLICANT, ASSIGNEE, OVERSIGHT, SYSTEM, WINDOW, may_act_on_task, may_transition_case
from portal.domain.clock import local_date
from portal.domain.events import record_event
from portal.domain.messages import notify_applicant
from portal.domain.outbox import announce_transition
from portal.domain.tallies import mark_tally
from portal.models import Agency, Case, CaseStatus, Role, Task, User
from portal.models.enums import TaskStatus

S = CaseStatus


@dataclass(frozen=True)
class Transition:
    action: str
    source: S
    target: S
    actors: frozenset[str]  # role values, APPLICANT or SYSTEM


def _t(action: str, source: S, target: S, *actors: str) -> Transition:
    return Transition(action, source, target, frozenset(actors))


CLERK, OFFICER = Role.clerk.value, Role.officer.value

TRANSITIONS = (
    _t("request_correction", S.submitted, S.correction_requested, CLERK),
    _t("resubmit", S.correction_requested, S.submitted, APPLICANT, CLERK),
    _t("accept", S.submitted, S.accepted, CLERK),
    _t("refuse_intake", S.submitted, S.refused_intake, CLERK),
    _t("start", S.accepted, S.in_progress, SYSTEM, OFFICER),
    _t("suspend", S.in_progress, S.suspended, OFFICER, SYSTEM),
    _t("resume", S.suspended, S.in_progress, OFFICER, SYSTEM),
    _t("complete", S.in_progress, S.completed, OFFICER, SYSTEM),
    _t("refuse", S.in_progress, S.refused, OFFICER, SYSTEM),
    _t("refuse", S.suspended, S.refused, OFFICER, SYSTEM),
    # A task returned for what only the applicant can supply: the clock
    # stops while they are asked, and runs again when they answer.
    _t("await_applicant", S.in_progress, S.suspended, CLERK, OFFICER),
    _t("applicant_answered", S.suspended, S.in_progress, APPLICANT, CLERK),
    # 逾期未补正: the deadline of the correction notice passed; the
    # application is treated as withdrawn.
    _t("lapse_correction", S.correction_requested, S.withdrawn, SYSTEM),
    # The system delivers the result of a fully online service (全程网办) electronically.
    _t("deliver", S.completed, S.delivered, CLERK, SYSTEM),
    _t("deliver", S.refused, S.delivered, CLERK, SYSTEM),
    *(
        _t("withdraw", source, S.withdrawn, APPLICANT, CLERK)
        for source in (S.submitted, S.correction_requested, S.accepted, S.in_progress, S.suspended)
    ),
)
_BY_KEY = {(t.action, t.source): t for t in TRANSITIONS}

NOT_WAITING = _l("This case is no longer in a state that allows this. Reload the page to see where it stands.")


def allowed_actions(case: Case) -> set[str]:
    return {t.action for t in TRANSITIONS if t.source is case.status}


def transition(
    session: Session,
    case: Case,
    action: str,
    actor: User | None,
    now: datetime,
    *,
    note: str = "",
    data: dict | None = None,
) -> Case:
    """Apply ``action`` to ``case`` for ``actor`` (None: the system), set the
    timestamps the new status implies, and record the event. Raises
    DomainError when the case is not in a status that allows the action or
    the actor may not take it."""
    step = _BY_KEY.get((action, case.status))
    if step is None:
        raise DomainError(NOT_WAITING, "status")
    if not may_transition_case(actor, case, step.action, step.actors):
        raise DomainError(_l("Your account may not do this to this case."), "actor")
    previous = case.status
    case.status = step.target
    if step.target is S.accepted:
        case.accepted_at = now
        case.intake_minutes = max(0, int((now - case.submitted_at).total_seconds() // 60))
    if step.target is S.correction_requested:
        case.corrected = True
    if step.target in (S.refused_intake, S.completed, S.refused, S.withdrawn):
        case.closed_at = now
    if step.target in (S.completed, S.refused):
        case.outcome = step.target.value
        case.on_time = case.due_at is None or now <= case.due_at
        case.same_day = local_date(now) == case.received_on
    if step.target is S.delivered:
        case.delivered_at = now
    event = record_event(
        session,
        case=case,
        actor=actor,
        action=action,
        from_status=previous.value,
        to_status=step.target.value,
        note=note,
        data=data,
        now=now,
    )
    notify_applicant(session, case, event, now)
    mark_tally(session, case)
    session.flush()
    return case


def open_case(
    session: Session, case: Case, actor: User | None, now: datetime, note: str = "", data: dict | None = None
) -> Case:
    """Give a new case its first status, submitted (已接件), and its first event."""
    case.status = S.submitted
    case.submitted_at = now
    case.received_on = local_date(now)
    session.add(case)
    session.flush()
    record_event(
        session, case=case, actor=actor, action="submit", to_status=S.submitted.value, note=note, now=now,
        data={**(data or {}), "channel": case.channel.value, "window": case.receiving_county.value},
    )
    mark_tally(session, case)
    return case


# -- tasks ----------------------------------------------------------------

T = TaskStatus

TASK_TRANSITIONS = {
    ("claim", T.open): (T.claimed, OFFICER),
    ("release", T.claimed): (T.open, ASSIGNEE),
    ("complete", T.claimed): (T.completed, ASSIGNEE),
    ("refuse", T.claimed): (T.refused, ASSIGNEE),
    ("suspend", T.claimed): (T.suspended, ASSIGNEE),
    ("resume", T.suspended): (T.claimed, ASSIGNEE),
    ("return", T.claimed): (T.returned, ASSIGNEE),
    ("reopen", T.returned): (T.open, WINDOW),
    # The window's reply, or the applicant's answer to a request: back to
    # the officer who returned the task, still claimed by them.
    ("reply", T.returned): (T.claimed, WINDOW),
    ("answer", T.returned): (T.claimed, APPLICANT),
    # … or to the agency's queue when that officer can no longer hold it.
    ("answer_to_queue", T.returned): (T.open, APPLICANT),
    ("transfer", T.open): (T.cancelled, OVERSIGHT),
    ("transfer", T.claimed): (T.cancelled, OVERSIGHT),
    ("transfer", T.returned): (T.cancelled, OVERSIGHT),
    ("cancel", T.open): (T.cancelled, SYSTEM),
    ("cancel", T.claimed): (T.cancelled, SYSTEM),
    ("cancel", T.suspended): (T.cancelled, SYSTEM),
    ("cancel", T.returned): (T.cancelled, SYSTEM),
}


HELD_BY_AN_OFFICER = _l(
    "An officer of the agency has claimed this task in the portal; the agency's system may act on it once they release it."
)


def task_actions(task: Task, actor: User | None) -> set[str]:
    """What ``actor`` may do to ``task`` now."""
    return {
        action
        for (action, source), _target in TASK_TRANSITIONS.items()
        if source is task.status and _may_act_on_task(task, actor, action)
    }


def _may_act_on_task(task: Task, actor: User | None, action: str) -> bool:
    step = TASK_TRANSITIONS.get((action, task.status))
    return step is not None and may_act_on_task(actor, task, step[1])


def task_transition(
    session: Session,
    task: Task,
    action: str,
    actor: User | None,
    now: datetime,
    *,
    note: str = "",
    data: dict | None = None,
) -> Task:
    """Apply ``action`` to a task, for an officer of its agency (claiming)
    or its assignee (everything else), and record the event on its case."""
    step = TASK_TRANSITIONS.get((action, task.status))
    if step is None:
        if action == "claim" and task.status is T.claimed and task.assignee_id == getattr(actor, "id", None):
            raise DomainError(_l("You have already claimed this task."), "status")
        if action == "claim" and task.status is T.claimed and task.assignee is not None:
            raise DomainError(
                _l("%(name)s has already claimed this task.", name=task.assignee.real_name), "status"
            )
        raise DomainError(NOT_WAITING, "status")
    if not _may_act_on_task(task, actor, action):
        if actor is None and task.assignee_id is not None and may_act_on_task(None, task, OFFICER):
            # The agency works in its own system, but one of its officers holds
            # the task: a state the system may wait out, not a lack of rights.
            raise DomainError(HELD_BY_AN_OFFICER, "status")
        raise DomainError(_l("Your account may not do this to this task."), "actor")
    if not task.agency.active and action not in ("transfer", "cancel", "return"):
        raise DomainError(
            _l("This agency is not taking cases at the moment; a supervisor can transfer the task."), "status"
        )
    previous = task.status
    task.status = step[0]
    if action == "claim":
        task.assignee_id = actor.id if actor is not None else None
    elif action in ("release", "reopen", "answer_to_queue"):
        task.assignee_id = None
    if task.status in (T.completed, T.refused, T.cancelled):
        task.closed_at = now
    record_event(
        session,
        case=task.case,
        task=task,
        subject="task",
        actor=actor,
        action=f"task_{action}",
        from_status=previous.value,
        to_status=task.status.value,
        note=note,
        data={"agency": task.agency.code, **(data or {})},
        now=now,
    )
    announce_transition(session, task, action, actor, previous, now, note)
    mark_tally(session, task.case)
    session.flush()
    return task


def create_task(
    session: Session,
    case: Case,
    agency: Agency,
    now: datetime,
    *,
    stage: int,
    stage_name_zh: str,
    stage_name_en: str,
    action_zh: str,
    action_en: str,
    due_at: datetime,
    fallback: bool = False,
    actor: User | None = None,
) -> Task:
    """A task for ``agency`` in ``stage`` of the case, open in its queue,
    and the event that says it was sent there (the case timeline shows it
    with the agency and the stage)."""
    task = Task(
        case=case,
        agency=agency,
        stage=stage,
        stage_name_zh=stage_name_zh,
        stage_name_en=stage_name_en,
        action_zh=action_zh,
        action_en=action_en,
        fallback=fallback,
        status=T.open,
        due_at=due_at,
        created_at=now,
    )
    session.add(task)
    session.flush()
    record_event(
        session,
        case=case,
        task=task,
        subject="task",
        actor=actor,
        action="task_created",
        to_status=T.open.value,
        now=now,
        data={
            "agency": agency.code,
            "stage": stage,
            "stage_name_zh": stage_name_zh,
            "stage_name_en": stage_name_en,
            "fallback": fallback,
        },
    )
    mark_tally(session, case)
    return task
