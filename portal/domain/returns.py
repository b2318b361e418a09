"""A task returned to the receiving window, and its way back to the
officer who returned it: the window's reply with any re-scanned or new
documents, or, when only the applicant can supply what is missing, a
request to the applicant (the clock stops) that they answer online or at
the window (the clock runs again). Either way the task is again the
returning officer's, still claimed by them."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.case_files import attach_file
from portal.domain.clock import WorkCalendar, local_date
from portal.domain.deadlines import answer_by, start_suspension
from portal.domain.events import record_event
from portal.domain.lifecycle import NOT_WAITING, transition
from portal.domain.limits import CORRECTION_WORKDAYS_MAX, TASK_NOTE_MAX
from portal.domain.messages import notify_applicant
from portal.domain.text import free_text, required_text
from portal.domain.uploads import CheckedFile, FileWrites
from portal.domain.workflow import TaskRequest, act_on_task, reopen_task, restart_clock, waiting_for_applicant
from portal.models import Case, CaseFile, CaseNotice, CaseStatus, Event, Task, User
from portal.models.enums import NoticeKind, TaskStatus

ADDED_PREFIX = "added-"  # a document the window or the applicant added, beyond the service's materials
ADDED_FILE_TYPES = ["pdf", "jpeg", "png"]


def added_code(task: Task, case: Case) -> str:
    """The material code of the next document added in answer to ``task``."""
    prefix = f"{ADDED_PREFIX}{task.id}-"
    taken = sum(1 for f in case.files if f.material_code.startswith(prefix))
    return f"{prefix}{taken + 1}"


def _attach(
    session: Session,
    writes: FileWrites,
    task: Task,
    actor: User,
    now: datetime,
    uploads: dict[str, CheckedFile],
    added: list[CheckedFile],
) -> list[int]:
    """Store each upload: a new version of a material, or an added document."""
    case = task.case
    known = {m["code"] for m in case.service.materials}
    if set(uploads) - known:
        raise DomainError(_l("Choose materials of this service."), "items")
    records: list[CaseFile] = [
        attach_file(session, writes, checked, code, actor, now, case=case) for code, checked in sorted(uploads.items())
    ]
    for checked in added:
        records.append(attach_file(session, writes, checked, added_code(task, case), actor, now, case=case))
    return [record.id for record in records]


def request_for(task: Task) -> CaseNotice | None:
    """The unanswered request to the applicant made for ``task``."""
    return next((n for n in waiting_for_applicant(task.case) if _task_id(n) == task.id), None)


def open_request(case: Case) -> CaseNotice | None:
    """The oldest request to the applicant not yet answered."""
    waiting = sorted(waiting_for_applicant(case), key=lambda n: n.id)
    return waiting[0] if waiting else None


def _task_id(notice: CaseNotice) -> int | None:
    return next((int(i["key"]) for i in notice.items if i.get("kind") == "task"), None)


def reply_to_return(
    session: Session,
    task: Task,
    clerk: User,
    now: datetime,
    writes: FileWrites,
    note: str,
    uploads: dict[str, CheckedFile],
    added: list[CheckedFile],
) -> list[int]:
    """The window's reply: what it did, and any re-scanned material (a new
    version) or added document, attached to the case's materials. The task
    goes back to the officer who returned it. Returns the files' ids."""
    if task.status is not TaskStatus.returned:
        raise DomainError(NOT_WAITING, "status")
    if request_for(task) is not None:
        raise DomainError(
            _l("The applicant has been asked for this; record their answer on the request page."), "status"
        )
    note = required_text(note, "note", TASK_NOTE_MAX)
    ids = _attach(session, writes, task, clerk, now, uploads, added)
    reopen_task(session, task, clerk, now, note, data={"files": ids} if ids else None)
    return ids


def ask_applicant(
    session: Session,
    task: Task,
    actor: User,
    now: datetime,
    calendar: WorkCalendar,
    needed: str,
    by: date | None = None,
) -> CaseNotice:
    """A returned task needs what only the applicant can supply: a request
    says what and by when (the service's correction time by default), the
    case clock stops (a suspension, as the law allows for the applicant's
    time) and the applicant is texted."""
    case = task.case
    if task.status is not TaskStatus.returned:
        raise DomainError(NOT_WAITING, "status")
    if request_for(task) is not None:
        raise DomainError(_l("The applicant has already been asked for this."), "status")
    needed = required_text(needed, "needed", TASK_NOTE_MAX)
    today = local_date(now)
    by = by or default_request_by(calendar, case, now)
    latest = answer_by(calendar, now, CORRECTION_WORKDAYS_MAX)
    if by <= today or by > latest:
        raise DomainError(
            _l("Give a date after today and no later than %(date)s.", date=latest.isoformat()), "by"
        )
    notice = CaseNotice(
        case=case, kind=NoticeKind.supplement_request, reason=needed, follow_up_by=by, issued_by=actor, issued_at=now,
        items=[{"kind": "task", "key": str(task.id), "name_zh": task.agency.name_zh, "name_en": task.agency.name_en}],
    )
    session.add(notice)
    session.flush()
    data = {"task": task.id, "by": by.isoformat()}
    if case.status is CaseStatus.in_progress:
        start_suspension(session, case, needed, now)
        transition(session, case, "await_applicant", actor, now, note=needed, data=data)
    else:
        # Already stopped (another agency's special procedure): the request
        # keeps it stopped; the applicant is told all the same.
        event = record_event(session, case=case, actor=actor, action="await_applicant", note=needed, data=data, now=now)
        notify_applicant(session, case, event, now)
    session.flush()
    return notice


def return_to_applicant(
    session: Session, task: Task, officer: User, now: datetime, calendar: WorkCalendar, reason: str
) -> CaseNotice:
    """The officer returns the task saying only the applicant can supply
    what is missing: returned, and the request goes to the applicant at once."""
    act_on_task(session, task, "return", officer, now, calendar, TaskRequest(note=reason))
    return ask_applicant(session, task, officer, now, calendar, reason)


def answer_request(
    session: Session,
    case: Case,
    actor: User,
    now: datetime,
    calendar: WorkCalendar,
    writes: FileWrites,
    note: str,
    uploads: dict[str, CheckedFile],
    added: list[CheckedFile],
) -> CaseNotice:
    """The applicant answers the request online, or the window records the
    answer they brought: files attached, the task back with the officer who
    returned it, still claimed by them, and the clock running again."""
    notice = open_request(case)
    if notice is None:
        raise DomainError(_l("This case has no open request to the applicant."), "status")
    task = next((t for t in case.tasks if t.id == _task_id(notice)), None)
    note = free_text(note, "note", TASK_NOTE_MAX)
    if not note and not uploads and not added:
        raise DomainError(_l("Write an answer or upload at least one file."), "note")
    ids = _attach(session, writes, task, actor, now, uploads, added) if task is not None else []
    notice.answered_at = now
    data = {"files": ids, "request": notice.id}
    if task is not None and task.status is TaskStatus.returned:
        reopen_task(session, task, actor, now, note, data=data)
    restart_clock(session, case, calendar, now, "applicant_answered", actor, note)
    session.flush()
    return notice


def return_events(session: Session, case: Case) -> list[Event]:
    """The window's replies and the applicant's answers on the case, oldest first."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.case_id == case.id, Event.action.in_(("task_reply", "task_reopen", "task_answer", "task_answer_to_queue")))
            .order_by(Event.id)
        )
    )


def files_from_returns(events: list[Event]) -> dict[int, str]:
    """File id → who brought it ("task_reply": the window, "task_answer":
    the applicant), for the files replies and answers attached."""
    return {file_id: event.action for event in events for file_id in (event.data or {}).get("files", [])}


def latest_return(session: Session, task: Task) -> Event | None:
    """The event of the task's latest return to the window: why, and whether
    the officer said only the applicant can supply it."""
    return session.scalar(
        select(Event).where(Event.task_id == task.id, Event.action == "task_return").order_by(Event.id.desc()).limit(1)
    )


def default_request_by(calendar: WorkCalendar, case: Case, now: datetime) -> date:
    """The date a request to the applicant gives when the window names none."""
    return answer_by(calendar, now, case.service.correction_workdays)
