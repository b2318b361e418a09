"""The window's decision on a submitted case (形式审查) and the applicant's
answers to it: accept, accept with items pending, request correction once
listing everything, refuse intake; resubmit a correction; withdraw."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.domain import DomainError, DomainErrors
from portal.domain.answers import date_order_problems, field_value
from portal.domain.case_files import attach_file
from portal.domain.clock import WorkCalendar, current_calendar, local_date
from portal.domain.deadlines import answer_by, answer_time_passed, close_suspensions, refresh_due
from portal.domain.lifecycle import transition
from portal.domain.limits import INTAKE_REASON_MAX
from portal.domain.text import required_text
from portal.domain.uploads import CheckedFile, FileWrites
from portal.domain.workflow import cancel_open_tasks, start_routing
from portal.models import Case, CaseNotice, CaseStatus, User
from portal.models.enums import NoticeKind


def _notice(session: Session, case: Case, kind: NoticeKind, actor: User, now: datetime, **fields) -> CaseNotice:
    notice = CaseNotice(case=case, kind=kind, issued_by=actor, issued_at=now, **fields)
    session.add(notice)
    session.flush()
    return notice


def _reason(text: str, field: str = "reason") -> str:
    return required_text(text, field, INTAKE_REASON_MAX)


def accept_case(session: Session, case: Case, clerk: User, now: datetime, calendar: WorkCalendar) -> CaseNotice:
    """受理: the clock starts now, the due date is stored and the first
    stage is routed to its agencies, all in one transaction."""
    transition(session, case, "accept", clerk, now)
    refresh_due(session, case, calendar, now)
    notice = _notice(session, case, NoticeKind.acceptance, clerk, now)
    start_routing(session, case, calendar, now)
    return notice


def accept_with_pending(
    session: Session,
    case: Case,
    clerk: User,
    now: datetime,
    calendar: WorkCalendar,
    material_codes: list[str],
    follow_up_by: date | None,
) -> CaseNotice:
    """容缺受理: accept now; named non-key materials follow by a date."""
    known = {m["code"]: m for m in case.service.materials}
    if not material_codes:
        raise DomainError(_l("Choose the materials that may follow later."), "pending")
    unknown = [code for code in material_codes if code not in known]
    if unknown:
        raise DomainError(_l("Choose materials of this service."), "pending")
    if follow_up_by is None or follow_up_by <= local_date(now):
        raise DomainError(_l("Give a date after today by which the materials must follow."), "follow_up_by")
    latest = calendar.nth_workday_after(local_date(now), max(case.service.statutory_workdays, 1))
    if follow_up_by > latest:
        raise DomainError(
            _l("The materials must follow within the legal time limit, by %(date)s at the latest.", date=latest.isoformat()),
            "follow_up_by",
        )
    items = [
        {"kind": "material", "key": code, "name_zh": known[code]["name_zh"], "name_en": known[code]["name_en"]} for code in material_codes
    ]
    transition(session, case, "accept", clerk, now, data={"pending": material_codes, "follow_up_by": follow_up_by.isoformat()})
    refresh_due(session, case, calendar, now)
    notice = _notice(session, case, NoticeKind.acceptance_pending, clerk, now, items=items, follow_up_by=follow_up_by)
    start_routing(session, case, calendar, now)
    return notice


def correction_items(case: Case, chosen: dict[str, str]) -> list[dict]:
    """Validate the items of a correction notice: ``chosen`` maps
    ``field:<name>`` / ``material:<code>`` to the reason."""
    fields = {f["name"]: f for f in case.service.fields}
    materials = {m["code"]: m for m in case.service.materials}
    items = []
    for key, reason in chosen.items():
        kind, _, name = key.partition(":")
        source = fields if kind == "field" else materials if kind == "material" else None
        if source is None or name not in source:
            raise DomainError(_l("Choose items of this application."), "items")
        entry = source[name]
        items.append(
            {
                "kind": kind,
                "key": name,
                "name_zh": entry.get("label_zh") or entry.get("name_zh"),
                "name_en": entry.get("label_en") or entry.get("name_en"),
                "reason": _reason(reason, f"reason-{kind}-{name}"),
            }
        )
    if not items:
        raise DomainError(_l("Choose at least one item to correct, each with its reason."), "items")
    earlier = {(i["kind"], i["key"]) for n in case.notices if n.kind is NoticeKind.correction for i in n.items}
    if earlier and any((i["kind"], i["key"]) not in earlier for i in items):
        # 一次性告知: everything must be asked for in the first notice.
        raise DomainError(
            _l("Everything to correct must be asked for at once: a further notice may only name items of the first one."),
            "items",
        )
    return items


def request_correction(
    session: Session,
    case: Case,
    clerk: User,
    now: datetime,
    chosen: dict[str, str],
    calendar: WorkCalendar | None = None,
) -> CaseNotice:
    """补正: one notice listing everything missing or wrong; the clock has
    not started. It gives the service's working days to correct
    (补正时限); once they pass the application is treated as withdrawn."""
    items = correction_items(case, chosen)
    by = answer_by(calendar or current_calendar(session), now, case.service.correction_workdays)
    transition(
        session, case, "request_correction", clerk, now, data={"items": [i["key"] for i in items], "by": by.isoformat()}
    )
    return _notice(session, case, NoticeKind.correction, clerk, now, items=items, follow_up_by=by)


def refuse_intake(session: Session, case: Case, clerk: User, now: datetime, reason: str) -> CaseNotice:
    """不予受理: the reason is written on the notice with the applicant's appeal rights."""
    reason = _reason(reason)
    transition(session, case, "refuse_intake", clerk, now, note=reason)
    return _notice(session, case, NoticeKind.refusal, clerk, now, reason=reason)


def open_correction(case: Case) -> CaseNotice | None:
    """The correction notice waiting for an answer; none once the case has
    moved on (withdrawn, or closed as not corrected in time)."""
    if case.status is not CaseStatus.correction_requested:
        return None
    notices = [n for n in case.notices if n.kind is NoticeKind.correction and n.answered_at is None]
    return notices[-1] if notices else None


def resubmit_correction(
    session: Session,
    case: Case,
    actor: User,
    now: datetime,
    writes: FileWrites,
    field_values: dict[str, object],
    uploads: dict[str, CheckedFile],
) -> None:
    """The applicant answers the notice: only the named fields change, and
    every named material gets a new file. The case returns to the window."""
    notice = open_correction(case)
    if notice is None:
        raise DomainError(_l("This case has no open correction notice."), "status")
    if notice.follow_up_by is not None and answer_time_passed(notice.follow_up_by, now):
        raise DomainError(
            _l("The time to correct ended on %(date)s; the application is treated as withdrawn.", date=notice.follow_up_by.isoformat()),
            "status",
        )
    named_fields = {i["key"] for i in notice.items if i["kind"] == "field"}
    named_materials = {i["key"] for i in notice.items if i["kind"] == "material"}
    changed_elsewhere = [name for name, value in field_values.items() if name not in named_fields and value != case.form_data.get(name)]
    if changed_elsewhere or set(uploads) - named_materials:
        raise DomainError(_l("Only the items listed in the correction notice can be changed."), "items")
    missing = sorted(named_materials - set(uploads))
    if missing:
        raise DomainError(_l("Upload a new file for every material listed in the notice."), f"material-{missing[0]}")
    data, problems = dict(case.form_data), []
    specs = {spec["name"]: spec for spec in case.service.fields}
    for name in sorted(named_fields):
        try:
            value = field_value(specs[name], field_values.get(name), local_date(now))
        except DomainError as error:
            problems.append(error)
            continue
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    # A period the notice reopened is checked whole (its end not before its start).
    for problem in date_order_problems(case.service, data):
        later = problem.field.removeprefix("field_")
        if later in named_fields or specs[later].get("not_before") in named_fields:
            problems.append(problem)
    if problems:
        raise DomainErrors(problems)
    case.form_data = data
    for code, checked in uploads.items():
        attach_file(session, writes, checked, code, actor, now, case=case)
    notice.answered_at = now
    transition(session, case, "resubmit", actor, now, data={"items": sorted(named_fields | named_materials)})


def withdraw_case(session: Session, case: Case, actor: User, now: datetime, reason: str) -> None:
    """Withdrawal ends the agencies' work on the case too."""
    reason = _reason(reason)
    close_suspensions(case, now)
    transition(session, case, "withdraw", actor, now, note=reason)
    cancel_open_tasks(session, case, now)

