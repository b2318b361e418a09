"""Paper files across the border (收受分离, 国办发〔2020〕35号).

A walk-in case of a collect-mode service (异地代收代办) is received at one
county's window for an agency across the border. The window checks the
form and the applicant's identity, holds the originals the catalog marks
``original: true``, and posts them; the competent agency confirms they
arrived or reports what is missing, which sends the file back to the
window to resolve. Each step is an event on the case timeline (a paper
file's step is not a status change of the case). Until the originals are
confirmed, the agency's task is completed only with a reason on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import Collector, DomainError
from portal.domain.access import may_receive_originals, may_send_originals
from portal.domain.clock import WorkCalendar, local_date
from portal.domain.deadlines import transit_due
from portal.domain.events import record_event
from portal.domain.limits import PAPER_NOTE_MAX, PAPER_TRANSIT_WORKDAYS_DEFAULT
from portal.domain.routing import resolve_plan
from portal.domain.text import required_text
from portal.domain.waybills import carrier_for, checked_waybill
from portal.models import Agency, Case, PaperFile, Task, User
from portal.models.enums import Channel, PaperFileState, ServiceMode

P = PaperFileState
SUBJECT = "paper"
MAY_NOT = _l("Your account may not do this to this case's originals.")


def original_materials(case: Case) -> list[dict]:
    """The materials of the case's service whose paper original the competent agency needs."""
    return [m for m in case.service.materials if m.get("original")]


def _across(case: Case) -> list:
    return [step for step in resolve_plan(case) if step.county != case.receiving_county]


def needs_originals(case: Case) -> bool:
    """A walk-in case of a collect-mode service, with a step across the
    border and originals marked in the catalog: the window must post them.
    (An online application carries electronic materials only.)"""
    return (
        case.channel is Channel.counter
        and case.service.mode is ServiceMode.collect
        and bool(original_materials(case))
        and bool(_across(case))
    )


def paper_file_of(case: Case) -> PaperFile | None:
    return case.paper_files[0] if case.paper_files else None


def competent_agency(session: Session, case: Case) -> Agency | None:
    """The agency across the border that needs the originals: the first step of the plan there."""
    for step in _across(case):
        agency = session.scalar(select(Agency).where(Agency.county == step.county, Agency.department == step.department))
        if agency is not None:
            return agency
    return None


def _event(session: Session, case: Case, actor: User, action: str, now: datetime, note: str = "", task: Task | None = None, **data):
    return record_event(session, case=case, task=task, subject=SUBJECT, actor=actor, action=action, note=note, data=data, now=now)


def _may_send(case: Case, clerk: User) -> None:
    if not may_send_originals(clerk, case):
        raise DomainError(MAY_NOT, "actor")
    if not needs_originals(case):
        raise DomainError(_l("This case has no originals to send across the border."), "status")
    if not case.status.clock_running:
        raise DomainError(_l("Originals are held and sent once the case is accepted and while it is being handled."), "status")


def hold_originals(session: Session, case: Case, clerk: User, now: datetime, items: list[str]) -> PaperFile:
    """The receiving window records which originals it holds for the case
    (again, to correct the list, until they are sent)."""
    _may_send(case, clerk)
    known = {m["code"] for m in original_materials(case)}
    chosen = sorted(set(items or []))
    if not chosen:
        raise DomainError(_l("Tick the originals the window holds."), "items")
    if not set(chosen) <= known:
        raise DomainError(_l("Choose originals this service needs."), "items")
    paper = paper_file_of(case)
    if paper is not None and paper.state in (P.in_transit, P.received):
        raise DomainError(_l("The originals have already been sent; the list cannot change now."), "items")
    if paper is None:
        agency = competent_agency(session, case)
        if agency is None:
            raise DomainError(_l("No agency is set up for this step; tell the administrator."), "routing")
        paper = PaperFile(case=case, from_county=case.receiving_county, agency=agency, state=P.held, since=now, items=chosen)
        session.add(paper)
    else:
        paper.items = chosen
        if paper.state is P.held:
            paper.since = now
    _event(session, case, clerk, "paper_held", now, items=chosen)
    session.flush()
    return paper


@dataclass(frozen=True)
class Dispatch:
    """How the window sent the originals, as typed."""

    carrier: str
    waybill: str
    sent_on: date | None


def send_originals(
    session: Session,
    case: Case,
    clerk: User,
    now: datetime,
    calendar: WorkCalendar,
    dispatch: Dispatch,
    transit_workdays: int = PAPER_TRANSIT_WORKDAYS_DEFAULT,
) -> PaperFile:
    """The window posts the originals it holds (or, after a report of
    missing items, sends them again): carrier, a waybill number of that
    carrier's form, and the day sent, which is not in the future. A file
    in transit longer than ``transit_workdays`` working days raises an
    alert (see :mod:`portal.domain.alerts`)."""
    _may_send(case, clerk)
    paper = paper_file_of(case)
    if paper is None or not paper.items:
        raise DomainError(_l("Record which originals the window holds before sending them."), "items")
    if paper.state is P.in_transit:
        raise DomainError(_l("The originals are already on their way."), "items")
    if paper.state is P.received:
        raise DomainError(_l("The competent agency has already confirmed receiving the originals."), "items")
    checks = Collector()
    carrier = checks.check(carrier_for, dispatch.carrier)
    waybill = checks.check(checked_waybill, carrier, dispatch.waybill) if carrier else None
    checks.check(_sent_on, case, dispatch.sent_on, now)
    checks.raise_any()
    paper.state, paper.since = P.in_transit, now
    paper.carrier, paper.waybill, paper.sent_on = carrier.code, waybill, dispatch.sent_on
    paper.transit_due_at = transit_due(calendar, dispatch.sent_on, transit_workdays)
    paper.missing_items, paper.missing_note = [], ""
    _event(
        session, case, clerk, "paper_sent", now,
        items=list(paper.items), carrier=carrier.code, waybill=waybill, sent_on=dispatch.sent_on.isoformat(),
        agency=paper.agency.code, agency_name_zh=paper.agency.name_zh, agency_name_en=paper.agency.name_en,
    )
    session.flush()
    return paper


def _sent_on(case: Case, sent_on: date | None, now: datetime) -> None:
    if not isinstance(sent_on, date):
        raise DomainError(_l("Enter the date the originals were sent, as YYYY-MM-DD."), "sent_on")
    if sent_on > local_date(now):
        raise DomainError(_l("The date sent cannot be in the future."), "sent_on")
    if case.accepted_at is not None and sent_on < local_date(case.accepted_at):
        raise DomainError(_l("The date sent cannot be before the case was accepted."), "sent_on")


def _may_receive(paper: PaperFile | None, officer: User) -> PaperFile:
    if paper is None:
        raise DomainError(_l("The window has not sent any originals for this case."), "receipt")
    if not may_receive_originals(officer, paper.agency_id):
        raise DomainError(MAY_NOT, "actor")
    return paper


def confirm_receipt(session: Session, case: Case, officer: User, now: datetime) -> PaperFile:
    """The competent agency has the originals in hand."""
    paper = _may_receive(paper_file_of(case), officer)
    if paper.state is P.received:
        raise DomainError(_l("Receipt of the originals was already confirmed."), "receipt")
    if paper.state is not P.in_transit:
        raise DomainError(_l("The window has not sent any originals for this case."), "receipt")
    paper.state, paper.since, paper.received_at, paper.received_by = P.received, now, now, officer
    _event(
        session, case, officer, "paper_received", now,
        agency=paper.agency.code, agency_name_zh=paper.agency.name_zh, agency_name_en=paper.agency.name_en,
    )
    session.flush()
    return paper


def report_missing(session: Session, case: Case, officer: User, now: datetime, items: list[str], note: str) -> PaperFile:
    """The parcel arrived without some originals (or never arrived): the
    file goes back to the sending window as a problem to resolve."""
    paper = _may_receive(paper_file_of(case), officer)
    if paper.state not in (P.in_transit, P.received):
        raise DomainError(_l("The window has not sent any originals for this case."), "receipt")
    checks = Collector()
    chosen = sorted(set(items or []))
    if not chosen:
        checks.errors.append(DomainError(_l("Tick the originals that are missing."), "missing_items"))
    elif not set(chosen) <= set(paper.items):
        checks.errors.append(DomainError(_l("Choose originals the window sent."), "missing_items"))
    note = checks.check(required_text, note, "missing_note", PAPER_NOTE_MAX)
    checks.raise_any()
    paper.state, paper.since = P.missing, now
    paper.missing_items, paper.missing_note = chosen, note
    paper.received_at = paper.received_by = None
    _event(session, case, officer, "paper_missing", now, note=note, items=chosen, agency=paper.agency.code)
    session.flush()
    return paper


def completion_check(session: Session, task: Task, officer: User | None, now: datetime, reason: str) -> None:
    """The agency the originals go to completes its task once they are
    confirmed, or with the officer's reason for going ahead without them,
    which is kept on the timeline. Other agencies (which cannot confirm
    receipt) do not wait for them."""
    case = task.case
    if task.agency.county == case.receiving_county or not needs_originals(case):
        return
    paper = paper_file_of(case)
    receiver = paper.agency if paper is not None else competent_agency(session, case)
    if receiver is None or task.agency_id != receiver.id:
        return
    if paper is not None and paper.state is P.received:
        return
    if not (reason or "").strip():
        raise DomainError(
            _l(
                "The originals of this case have not been confirmed as received. Confirm receipt first, "
                "or say why the task is completed without them."
            ),
            "originals_reason",
        )
    reason = required_text(reason, "originals_reason", PAPER_NOTE_MAX)
    task.result = {**task.result, "originals_reason": reason}
    _event(session, case, officer, "paper_waived", now, note=reason, task=task, agency=task.agency.code)


@dataclass(frozen=True)
class Whereabouts:
    """Where the paper file is, for a panel on a case page."""

    state: PaperFileState | None  # None: nothing recorded yet
    since: datetime | None
    paper: PaperFile | None
    originals: list[dict]  # the service's materials marked original
    held: list[dict]  # the materials the window holds (or sent)
    missing: list[dict]


def whereabouts(case: Case) -> Whereabouts | None:
    """The paper file's panel, or None when the case sends no originals."""
    if not needs_originals(case):
        return None
    originals = original_materials(case)
    paper = paper_file_of(case)
    if paper is None:
        return Whereabouts(None, None, None, originals, [], [])
    by_code = {m["code"]: m for m in originals}
    return Whereabouts(
        paper.state, paper.since, paper, originals,
        [by_code[c] for c in paper.items if c in by_code], [by_code[c] for c in paper.missing_items if c in by_code],
    )


def originals_to_resolve(session: Session, clerk: User, limit: int = 20) -> list[str]:
    """Case numbers of this window whose originals an agency reported
    missing: problems the window must resolve, oldest report first."""
    return list(
        session.scalars(
            select(Case.number)
            .join(PaperFile, PaperFile.case_id == Case.id)
            .where(PaperFile.state == P.missing, PaperFile.from_county == clerk.window_county)
            .order_by(PaperFile.since, PaperFile.id)
            .limit(limit)
        )
    )
