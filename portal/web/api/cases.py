"""Cases over the JSON API: list (filters, cursor pages), read, and file a
walk-in case for a window system. What a token sees is what the access
rules give the role it stands in for (``access.visible_cases``), and of
the applicant what ``access.applicant_seen_by`` gives it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request, url_for
from flask_babel import force_locale
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.db import db
from portal.domain.access import applicant_seen_by, find_visible_case, visible_cases
from portal.domain.catalog import find_service
from portal.domain.clock import WorkCalendar, iso
from portal.domain.deadlines import case_level
from portal.domain.tokens import Principal
from portal.domain.walk_ins import FilingErrors, IdempotencyConflict, WalkIn, file_walk_in, idempotency_key
from portal.models import Case, CaseStatus, Event, Task
from portal.web.api.auth import api_problem, current_principal, forbidden, invalid, not_found, token_required
from portal.web.api.common import BadRequest, Query, encode_cursor, parse_body
from portal.web.api.schemas import CaseCreate
from portal.web.api.views import bp
from portal.web.clock import request_calendar, request_now
from portal.web.json import json_response

CASE_STATUSES = tuple(s.value for s in CaseStatus)
IDEMPOTENCY_KEY_MAX = 200


def task_summary(task: Task) -> dict:
    return {
        "id": task.id,
        "agency": task.agency.code,
        "stage": task.stage,
        "status": task.status.value,
        "due_at": iso(task.due_at),
        "closed_at": iso(task.closed_at),
    }


def case_summary(case: Case, calendar: WorkCalendar, now: datetime, updated_at: datetime | None) -> dict:
    level = case_level(calendar, case, now)
    return {
        "number": case.number,
        "service": case.service.code,
        "status": case.status.value,
        "channel": case.channel.value,
        "window": case.receiving_county.value,
        "submitted_at": iso(case.submitted_at),
        "accepted_at": iso(case.accepted_at),
        "due_at": iso(case.due_at),
        "closed_at": iso(case.closed_at),
        "updated_at": iso(updated_at or case.submitted_at),
        "level": level.value if level else None,
        "tasks": [task_summary(t) for t in sorted(case.tasks, key=lambda t: t.id)],
    }


def timeline_entry(event: Event) -> dict:
    """An event without the staff member behind it: the role acts, not the person."""
    entry = {
        "at": iso(event.created_at),
        "action": event.action,
        "subject": event.subject,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_role,
        "agency": event.task.agency.code if event.task is not None else None,
        "note": event.note if event.subject != "rating" else "",
    }
    return entry


def case_detail(case: Case, principal: Principal, calendar: WorkCalendar, now: datetime) -> dict:
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.case_id == case.id)
            .options(selectinload(Event.task).selectinload(Task.agency))
            .order_by(Event.created_at, Event.id)
        )
    )
    body = case_summary(case, calendar, now, events[-1].created_at if events else None)
    applicant = applicant_seen_by(principal, case)
    body.update(
        service_name={"zh_CN": case.service.name_zh, "en": case.service.name_en},
        delivered_at=iso(case.delivered_at),
        applicant={"name": applicant.name, "id_number": applicant.id_number, "mobile": applicant.mobile},
        facts={
            "hukou_county": case.hukou_county,
            "hukou_province": case.hukou_province,
            "residence_county": case.residence_county,
            "residence_province": case.residence_province,
            "business_county": case.business_county,
            "business_province": case.business_province,
        },
        fields={k: v for k, v in (case.form_data or {}).items() if k not in ("licences", "material_references")},
        material_references=(case.form_data or {}).get("material_references", {}),
        tasks=[
            {
                **task_summary(t),
                "agency_name": {"zh_CN": t.agency.name_zh, "en": t.agency.name_en},
                "stage_name": {"zh_CN": t.stage_name_zh, "en": t.stage_name_en},
                "action": {"zh_CN": t.action_zh, "en": t.action_en},
            }
            for t in sorted(case.tasks, key=lambda t: t.id)
        ],
        timeline=[timeline_entry(e) for e in events],
    )
    return body


def _filtered_cases(query: Query):
    statuses = query.text("status")
    wanted = []
    for value in (statuses or "").split(","):
        if value and value not in CASE_STATUSES:
            query.error("status", f"Use one or more of {', '.join(CASE_STATUSES)}, separated by commas.")
        elif value:
            wanted.append(value)
    service_code = query.text("service")
    received_from, received_until = query.day("received_from"), query.day("received_until")
    updated_since = query.moment("updated_since")
    limit, cursor = query.limit(), query.cursor()
    service = find_service(db.session, service_code) if service_code else None
    if service_code and service is None:
        query.error("service", "No service has this code.")
    query.check()
    cases = visible_cases(current_principal().viewer).options(
        selectinload(Case.service), selectinload(Case.tasks).selectinload(Task.agency)
    )
    if wanted:
        cases = cases.where(Case.status.in_([CaseStatus(v) for v in wanted]))
    if service is not None:
        cases = cases.where(Case.service_id == service.id)
    if received_from:
        cases = cases.where(Case.received_on >= received_from)
    if received_until:
        cases = cases.where(Case.received_on <= received_until)
    if updated_since:
        cases = cases.where(exists().where(Event.case_id == Case.id, Event.created_at >= updated_since))
    if cursor:
        moment, last_id = cursor
        cases = cases.where(
            or_(Case.submitted_at > moment, and_(Case.submitted_at == moment, Case.id > last_id))
        )
    return cases.order_by(Case.submitted_at, Case.id).limit(limit + 1), limit


@bp.get("/cases")
@token_required
def list_cases():
    """Oldest first by arrival; ``next_cursor`` continues after the last
    one, so cases that arrive meanwhile are met at the end, never twice."""
    try:
        statement, limit = _filtered_cases(
            Query({"status", "service", "received_from", "received_until", "updated_since", "limit", "cursor"})
        )
    except BadRequest as error:
        return invalid(error.errors)
    found = list(db.session.scalars(statement))
    page, more = found[:limit], len(found) > limit
    updated = dict(
        db.session.execute(
            select(Event.case_id, func.max(Event.created_at))
            .where(Event.case_id.in_([c.id for c in page]))
            .group_by(Event.case_id)
        ).all()
    ) if page else {}
    now, calendar = request_now(), request_calendar()
    last = page[-1] if page else None
    return json_response(
        {
            "cases": [case_summary(c, calendar, now, _aware(updated.get(c.id))) for c in page],
            "next_cursor": encode_cursor(last.submitted_at, last.id) if more else None,
        }
    )


def _aware(moment):
    """Aggregates skip the column type: SQLite gives back a naive UTC string."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.get("/cases/<number>")
@token_required
def get_case(number: str):
    case = find_visible_case(db.session, current_principal().viewer, number[:40]) if "\x00" not in number else None
    if case is None:
        return not_found("No case with this number is visible to this token.")
    return json_response(case_detail(case, current_principal(), request_calendar(), request_now()))


def _walk_in(body: CaseCreate) -> WalkIn:
    return WalkIn(
        service_code=body.service,
        name=body.applicant.name,
        id_number=body.applicant.id_number,
        mobile=body.applicant.mobile,
        identity_checked=body.identity_checked,
        facts=body.facts.model_dump(),
        fields={name: str(value) for name, value in body.fields.items()},
        materials=[(m.code, m.reference) for m in body.materials],
    )


def body_pointer(name: str) -> str:
    """Where a filing error's field is in the request body."""
    if name.startswith("applicant_"):
        return "/applicant/" + name[len("applicant_"):]
    if name.startswith("field_"):
        return "/fields/" + name[len("field_"):]
    if name.startswith("material:"):
        return "/materials"
    if name in ("service", "identity_checked"):
        return "/" + name
    if name.endswith(("_county", "_province")):
        return "/facts/" + name
    return ""


def _client_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise BadRequest([{"header": "Idempotency-Key", "detail": "Use 1 to 200 printable ASCII characters."}])
    return key.strip()


@bp.post("/cases")
@token_required
def create_case():
    """A window system files a walk-in case at its window; the case waits
    there for the clerk's intake decision like one filed at the counter."""
    principal = current_principal()
    if principal.filing_county is None:
        return forbidden("Only a window system's token (or a window clerk's own) may file cases.")
    try:
        key = idempotency_key(principal, _client_key())
        body = parse_body(CaseCreate)
        with force_locale("en"):  # machine-facing messages are in English, like the rest of the API
            case, created = file_walk_in(db.session, principal, _walk_in(body), key, request_now())
    except BadRequest as error:
        db.session.rollback()
        return invalid(error.errors)
    except FilingErrors as error:
        db.session.rollback()
        return invalid([{"pointer": body_pointer(name), "detail": message} for name, message in error.errors])
    except IdempotencyConflict:
        db.session.rollback()
        return api_problem(
            "conflict", "This Idempotency-Key was used for a different application; use a new key for a new case."
        )
    # The answer is written from the case as this transaction made it,
    # before the commit expires it; if the commit fails, the error handlers
    # answer instead (503 with the database away) and this body is dropped.
    body = case_detail(case, principal, request_calendar(), request_now())
    body["query_code"] = case.query_code  # for the receipt the window prints
    location = url_for("api.get_case", number=case.number)
    db.session.commit()
    return json_response(body, 201 if created else 200, {"Location": location})
