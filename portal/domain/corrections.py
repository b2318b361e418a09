"""补正时限: the applicant's time to answer a correction notice. The sweep
texts a reminder once, the working day before the last day, and closes a
case not corrected by then as withdrawn (逾期未补正，视为撤回申请), with a
notice, an event on the timeline and a text. A request to the applicant
while a case is handled (补充材料) gets the same reminder; when its date
passes the case stays paused, waiting for them, as the law allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from portal.domain.clock import WorkCalendar
from portal.domain.deadlines import answer_time_passed, reminder_due
from portal.domain.events import record_event
from portal.domain.lifecycle import transition
from portal.domain.messages import notify_applicant
from portal.models import Case, CaseNotice, CaseStatus
from portal.models.enums import NoticeKind


@dataclass
class CorrectionSweep:
    reminded: int = 0
    lapsed: int = 0
    requests_reminded: int = 0


def _open_notices(session: Session, kind: NoticeKind = NoticeKind.correction) -> list[CaseNotice]:
    """Unanswered correction notices of cases waiting for them, or (``kind``
    supplement_request) unanswered requests of cases still being handled."""
    waiting = (CaseStatus.correction_requested,) if kind is NoticeKind.correction else (CaseStatus.suspended, CaseStatus.in_progress)
    return list(
        session.scalars(
            select(CaseNotice)
            .join(CaseNotice.case)
            .where(
                CaseNotice.kind == kind,
                CaseNotice.answered_at.is_(None),
                CaseNotice.follow_up_by.is_not(None),
                Case.status.in_(waiting),
            )
            .options(selectinload(CaseNotice.case).selectinload(Case.service))
            .order_by(CaseNotice.follow_up_by, CaseNotice.id)
        )
    )


def remind(session: Session, notice: CaseNotice, now: datetime, action: str = "correction_reminder") -> bool:
    """Text the reminder unless it was sent: the conditional update lets
    one sweep only claim it, however many run at once."""
    claimed = session.execute(
        update(CaseNotice)
        .where(CaseNotice.id == notice.id, CaseNotice.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    session.refresh(notice, ["reminded_at"])
    event = record_event(
        session, case=notice.case, action=action, now=now, data={"by": notice.follow_up_by.isoformat()}
    )
    notify_applicant(session, notice.case, event, now)
    return True


def lapse(session: Session, notice: CaseNotice, now: datetime) -> CaseNotice:
    """The last day passed without a correction: the application is
    treated as withdrawn, and a notice says so."""
    case = notice.case
    by = notice.follow_up_by.isoformat()
    transition(session, case, "lapse_correction", None, now, data={"by": by, "notice": notice.id})
    closing = CaseNotice(
        case=case, kind=NoticeKind.correction_lapsed, items=notice.items, follow_up_by=notice.follow_up_by, issued_at=now
    )
    session.add(closing)
    session.flush()
    return closing


def sweep_corrections(session: Session, calendar: WorkCalendar, now: datetime) -> CorrectionSweep:
    """Remind and close what is due now. Flushes; the caller commits."""
    result = CorrectionSweep()
    for notice in _open_notices(session):
        if answer_time_passed(notice.follow_up_by, now):
            lapse(session, notice, now)
            result.lapsed += 1
        elif notice.reminded_at is None and reminder_due(calendar, notice.follow_up_by, now):
            result.reminded += remind(session, notice, now)
    for notice in _open_notices(session, NoticeKind.supplement_request):
        if notice.reminded_at is None and reminder_due(calendar, notice.follow_up_by, now):
            result.requests_reminded += remind(session, notice, now, "request_reminder")
    session.flush()
    return result
