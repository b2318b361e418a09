"""Callbacks from partner systems: an agency's own system reports what it
did with a task (accepted, suspended, resumed, completed, refused), signed
with the agency's secret. Each is applied once, through the same workflow
functions as our own queue, so the case's events, the applicant's messages
and the clock are exactly as if an officer had acted here.

The actor is the agency's system (``None`` to the lifecycle), which may do
to an agency's tasks what its officers may while the agency is in http
mode; no stand-in user account is created for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.access import find_partner_task
from portal.domain.clock import WorkCalendar
from portal.domain.limits import PAPER_NOTE_MAX, RESULT_NUMBER_MAX, SUSPENSION_WORKDAYS_MAX, SUSPENSION_WORKDAYS_MIN, TASK_NOTE_MAX
from portal.domain.signing import SignatureError, verify
from portal.domain.task_messages import CALLBACK_ACTIONS, case_summary, iso, task_block
from portal.domain.text import hidden_character
from portal.domain.workflow import TaskRequest, act_on_task
from portal.models import Agency, PartnerEvent, Task
from portal.models.enums import DeliveryMode

APPLIED, DUPLICATE = "applied", "duplicate"
TASK_ID_MAX = 2**31 - 1  # the column's range: larger ids cannot exist
# The opinion stored when a partner completes a task without a note.
DEFAULT_OPINION = "部门业务系统办结"
# What each reported action is in the portal's own words.
TASK_ACTIONS = {"accepted": "claim", "suspended": "suspend", "resumed": "resume", "completed": "complete", "refused": "refuse"}


class CallbackRefused(Exception):
    """Why a callback is not applied: ``kind`` is the problem type (its last
    path segment), ``field`` the member of the body at fault. ``detail`` is
    English, or a rule's translatable message to be rendered in English."""

    def __init__(self, kind: str, detail: str, field: str | None = None):
        super().__init__(detail)
        self.kind, self.detail, self.field = kind, detail, field


@dataclass(frozen=True)
class PartnerReport:
    event_id: str
    task_id: int
    action: str
    note: str
    expected_workdays: int | None
    result_number: str
    occurred_at: datetime | None
    originals_reason: str = ""  # 收受分离: why completed before the paper originals arrived


def _invalid(field: str, detail: str) -> CallbackRefused:
    return CallbackRefused("invalid-event", detail, field)


def authenticate(session: Session, body: Any, raw: bytes, header: str | None, now: datetime) -> Agency:
    """The agency named in the body, if the signature is its system's."""
    code = body.get("agency") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code.strip() or "\x00" in code:
        raise _invalid("agency", "agency must be the code of the agency whose system sends the event.")
    agency = session.scalar(select(Agency).where(Agency.code == code.strip()))
    if agency is None or agency.delivery_mode is not DeliveryMode.http or not agency.signing_secret:
        raise CallbackRefused("bad-signature", "The agency is unknown or does not work through its own system.")
    try:
        verify(agency.signing_secret, raw, header, now)
    except SignatureError as error:
        raise CallbackRefused("bad-signature", f"The signature is refused: {error}.") from None
    return agency


def _text(body: dict, name: str, limit: int, required: bool) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(name, f"{name} must be a string.")
    if "\x00" in value:
        raise _invalid(name, f"{name} must not contain a NUL character.")
    if hidden_character(value, multiline=True) is not None:
        raise _invalid(name, f"{name} must not contain format or control characters (Unicode Cf, Cc).")
    value = value.strip()
    if required and not value:
        raise _invalid(name, f"{name} is required for this action.")
    if len(value) > limit:
        raise _invalid(name, f"{name} must have at most {limit} characters.")
    return value


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_report(body: Any) -> PartnerReport:
    """Check the body against the callback contract; the first fault names its field."""
    if not isinstance(body, dict):
        raise _invalid("body", "The body must be a JSON object.")
    event_id = _text(body, "event_id", 100, True)
    if not _integer(body.get("task_id")) or not 1 <= body["task_id"] <= TASK_ID_MAX:
        raise _invalid("task_id", "task_id must be the positive integer id of the task.")
    action = body.get("action")
    if action not in CALLBACK_ACTIONS:
        raise _invalid("action", f"action must be one of {', '.join(CALLBACK_ACTIONS)}.")
    note = _text(body, "note", TASK_NOTE_MAX, action in ("suspended", "refused"))
    expected = body.get("expected_workdays")
    if action == "suspended" and not (_integer(expected) and SUSPENSION_WORKDAYS_MIN <= expected <= SUSPENSION_WORKDAYS_MAX):
        raise _invalid(
            "expected_workdays",
            "expected_workdays must be a whole number of working days "
            f"from {SUSPENSION_WORKDAYS_MIN} to {SUSPENSION_WORKDAYS_MAX}.",
        )
    result = body.get("result") or {}
    number = result.get("number", "") if isinstance(result, dict) else None
    if not isinstance(number, str) or len(number) > RESULT_NUMBER_MAX or "\x00" in number:
        raise _invalid(
            "result", f"result must be an object whose number is a string of at most {RESULT_NUMBER_MAX} characters, without NUL."
        )
    occurred_at = None
    if body.get("occurred_at") is not None:
        try:
            occurred_at = datetime.fromisoformat(str(body["occurred_at"]))
        except ValueError:
            occurred_at = None
        if occurred_at is None or occurred_at.tzinfo is None:
            raise _invalid("occurred_at", "occurred_at must be an ISO 8601 time with its offset.")
    return PartnerReport(
        event_id, body["task_id"], action, note, expected if action == "suspended" else None,
        result.get("number", "").strip(), occurred_at,
        _text(body, "originals_reason", PAPER_NOTE_MAX, False) if action == "completed" else "",
    )


def receive(session: Session, agency: Agency, report: PartnerReport, now: datetime, calendar: WorkCalendar) -> str:
    """Apply a report once: APPLIED, or DUPLICATE when this agency's event id
    was applied before. A report refused earlier (its task not found, or
    not in a state for it) is looked at again. Flushes; raises
    CallbackRefused; the caller commits, or rolls back and calls
    :func:`remember_refusal`."""
    seen = session.scalar(
        select(PartnerEvent).where(PartnerEvent.agency_id == agency.id, PartnerEvent.event_id == report.event_id)
    )
    if seen is not None and seen.outcome == APPLIED:
        return DUPLICATE
    task = find_partner_task(session, agency.id, report.task_id)
    if task is None:
        raise CallbackRefused("task-not-found", f"The agency has no task {report.task_id}.")
    if seen is None:
        # Written first: a simultaneous repeat fails on the unique key and is answered as a duplicate.
        seen = PartnerEvent(agency_id=agency.id, event_id=report.event_id, action=report.action, received_at=now)
        session.add(seen)
    seen.task_id, seen.action, seen.outcome, seen.received_at = task.id, report.action, APPLIED, now
    session.flush()
    request = TaskRequest(
        note=report.note or (DEFAULT_OPINION if report.action == "completed" else ""),
        expected_workdays=report.expected_workdays,
        result_number=report.result_number,
        originals_reason=report.originals_reason,
    )
    try:
        # The actor is the agency's own system (None to the lifecycle).
        act_on_task(session, task, TASK_ACTIONS[report.action], None, now, calendar, request)
    except DomainError as error:
        if error.field in (None, "status", "actor", "routing"):
            raise CallbackRefused("not-allowed-now", not_allowed_now(task, report.action)) from None
        # The rule's own message, rendered in English where it is answered.
        raise CallbackRefused("invalid-event", error.message, {"result_number": "result"}.get(error.field, error.field)) from None
    session.flush()
    return APPLIED


def not_allowed_now(task: Task, action: str) -> str:
    """Why the task does not take the report now, for the partner: where the
    task stands, in English, never which officer holds it (the lifecycle's
    messages are for the portal's pages and may name them)."""
    if task.assignee_id is not None:
        return (
            "An officer of the agency has claimed this task in the portal; the agency's system "
            "may report on it once they release it (then send accepted first)."
        )
    return f"The task is {task.status.value}; it does not take {action} now."


def remember_refusal(session: Session, agency: Agency, body: Any, refused: CallbackRefused, now: datetime) -> None:
    """Keep a refused report of a known agency, with why, for the audit."""
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id.strip()) > 100 or "\x00" in event_id:
        return
    task_id = body.get("task_id") if _integer(body.get("task_id")) and 1 <= body["task_id"] <= TASK_ID_MAX else None
    task = find_partner_task(session, agency.id, task_id) if task_id else None
    seen = session.scalar(
        select(PartnerEvent).where(PartnerEvent.agency_id == agency.id, PartnerEvent.event_id == event_id.strip())
    )
    if seen is None:
        seen = PartnerEvent(agency_id=agency.id, event_id=event_id.strip(), received_at=now)
        session.add(seen)
    seen.task_id = task.id if task is not None else None
    seen.action = str(body.get("action", "")).replace("\x00", "")[:30]
    seen.outcome = f"{refused.kind}: {refused.detail}"[:200]
    seen.received_at = now
    session.flush()


def task_json(task: Task) -> dict[str, Any]:
    """The task as the partner sees it after the callback."""
    return {**task_block(task), "agency": task.agency.code, "case": case_summary(task.case),
            "closed_at": iso(task.closed_at), "result": {"number": (task.result or {}).get("number")}}
