"""Open311 service requests: the portal's cases as GeoReport v2 requests
(no personal data: no applicant, no facts, no form), and POST, which
files a walk-in case for a window system exactly like POST /api/v1/cases.

A request is ``open`` until its case is closed (decided, refused at
intake, withdrawn or delivered). ``expected_datetime`` is the case's due
date, ``agency_responsible`` the agencies acting on it (the receiving
window before acceptance), ``address`` the receiving window's county."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from flask import request
from flask_babel import force_locale
from sqlalchemy import func, select

from portal import labels
from portal.db import db
from portal.domain.access import PublicCase, public_cases, public_view
from portal.domain.answers import FACTS
from portal.domain.clock import SHANGHAI, iso
from portal.domain.tokens import authenticate
from portal.domain.walk_ins import FilingErrors, IdempotencyConflict, WalkIn, file_walk_in, idempotency_key
from portal.models import Case, Event, Service
from portal.models.enums import CLOSED_STATUSES
from portal.web.clock import request_now
from portal.web.json import json_response
from portal.web.open311.views import bp, error, in_locale, locale, name_of, only_json

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
# The receiving windows' places: the county seats, where the service centres are.
WINDOW_PLACES = {
    "changshan": {"zipcode": "324200", "lat": 28.90, "long": 118.51},
    "yushan": {"zipcode": "334700", "lat": 28.68, "long": 118.25},
}
# Standard GeoReport POST parameters the portal accepts and has no use for:
# the place is the filing window's, and contact goes through the case.
IGNORED_POST = {
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "description",
    "media_url",
    "locale",
    "jurisdiction_id",
}
POST_FIELDS = {"api_key", "service_code", "first_name", "last_name", "phone", "id_number", "identity_checked", *FACTS}
ATTRIBUTE = re.compile(r"^attribute\[([a-z][a-z0-9_]*)\]$")
MATERIAL = re.compile(r"^material\[([a-z0-9-]+)\]$")


def agencies_acting(case: PublicCase) -> str:
    names = [name_of(agency, "name") for agency in case.agencies]
    if not names:
        return str(labels.WINDOWS[case.window.value])
    return ("; " if locale() == "en" else "、").join(dict.fromkeys(names))


def service_request(case: PublicCase, updated_at: datetime | None) -> dict:
    window = case.window.value
    return {
        "service_request_id": case.number,
        "status": "closed" if case.status in CLOSED_STATUSES else "open",
        "status_notes": str(labels.CASE_STATUSES[case.status.value]),
        "service_name": name_of(case.service, "name"),
        "service_code": case.service.code,
        "agency_responsible": agencies_acting(case),
        "service_notice": promise_notice(case.service),
        "requested_datetime": iso(case.submitted_at),
        "updated_datetime": iso(updated_at or case.submitted_at),
        "expected_datetime": iso(case.due_at),
        "address": f"{labels.COUNTIES[window]} · {labels.WINDOWS[window]}",
        **WINDOW_PLACES[window],
    }


def promise_notice(service: Service) -> str:
    days = service.promise_workdays
    if locale() == "en":
        return "Decided the same working day as accepted." if days == 0 else f"Decided within {days} working days of acceptance."
    return "受理当日办结。" if days == 0 else f"受理后{days}个工作日内办结。"


def _last_events(case_ids: list[int]) -> dict[int, datetime]:
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(Event.case_id, func.max(Event.created_at)).where(Event.case_id.in_(case_ids)).group_by(Event.case_id)
    ).all()
    found = {}
    for case_id, moment in rows:
        if isinstance(moment, str):  # SQLite aggregates may come back as text
            moment = datetime.fromisoformat(moment)
        found[case_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return found


def _requests_json(cases: list[Case]):
    updated = _last_events([c.id for c in cases])
    with in_locale():
        return json_response([service_request(public_view(c), updated.get(c.id)) for c in cases])


def _moment(name: str, end: bool) -> datetime:
    """A W3C date-time with its offset; a bare date is that day in Shanghai
    (its start for start_date, its end for end_date). ValueError otherwise."""
    value = (request.args.get(name) or "").strip().replace(" ", "+")
    if len(value) == 10:
        day = date.fromisoformat(value)
        return datetime.combine(day, time.max if end else time.min, tzinfo=SHANGHAI).astimezone(UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no offset")
    return parsed.astimezone(UTC)


def _window(now: datetime) -> tuple[datetime, datetime]:
    """The requested_datetime range: as given, at most 90 days; by default
    the 90 days up to now."""
    start = _moment("start_date", False) if request.args.get("start_date") else None
    end = _moment("end_date", True) if request.args.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    return start, end


def _codes(name: str) -> list[str]:
    return [part.strip() for part in (request.args.get(name) or "").split(",") if part.strip()]


@bp.get("/requests.<fmt>")
def list_requests(fmt: str):
    refused = only_json(fmt)
    if refused:
        return refused
    if any("\x00" in v or len(v) > 2000 for v in request.args.values()):
        return error(400, "A parameter is too long or contains a NUL character.")
    query = public_cases()
    ids = _codes("service_request_id")
    if ids:
        # The ids name the requests; the other filters do not apply.
        if len(ids) > MAX_RESULTS:
            return error(400, f"Ask for at most {MAX_RESULTS} service_request_id values at once.")
        found = db.session.scalars(query.where(Case.number.in_(ids)).order_by(Case.submitted_at.desc(), Case.id.desc()))
        return _requests_json(list(found))
    try:
        start, end = _window(request_now())
    except (ValueError, OverflowError):
        return error(400, "start_date and end_date are ISO 8601 date-times with their offset, e.g. 2026-11-01T00:00:00+08:00, or dates.")
    if end < start:
        return error(400, "end_date is before start_date.")
    if end - start > MAX_SPAN:
        return error(400, "start_date and end_date may be at most 90 days apart.")
    statuses = _codes("status")
    if any(s not in ("open", "closed") for s in statuses):
        return error(400, "status is open, closed, or both separated by a comma.")
    query = query.where(Case.submitted_at >= start, Case.submitted_at <= end)
    if set(statuses) == {"open"}:
        query = query.where(Case.status.not_in(list(CLOSED_STATUSES)))
    elif set(statuses) == {"closed"}:
        query = query.where(Case.status.in_(list(CLOSED_STATUSES)))
    codes = _codes("service_code")
    if codes:
        query = query.join(Case.service).where(Service.code.in_(codes))
    found = db.session.scalars(query.order_by(Case.submitted_at.desc(), Case.id.desc()).limit(MAX_RESULTS))
    return _requests_json(list(found))


@bp.get("/requests/<number>.<fmt>")
def get_request(number: str, fmt: str):
    refused = only_json(fmt)
    if refused:
        return refused
    case = None
    if len(number) <= 40 and "\x00" not in number:
        case = db.session.scalar(public_cases().where(Case.number == number))
    if case is None:
        return error(404, "No service request has this id.")
    return _requests_json([case])


def _name() -> str:
    """The applicant's name from GeoReport's first_name and last_name:
    family name first and unspaced for Chinese names (王 + 小明 = 王小明)."""
    first = (request.form.get("first_name") or "").strip()
    last = (request.form.get("last_name") or "").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _walk_in() -> tuple[WalkIn | None, list[str]]:
    problems = []
    fields, materials = {}, []
    for name in request.form:
        if name in POST_FIELDS or name in IGNORED_POST:
            continue
        if (match := ATTRIBUTE.match(name)) is not None:
            fields[match.group(1)] = request.form[name]
        elif (match := MATERIAL.match(name)) is not None:
            materials.append((match.group(1), request.form[name]))
        else:
            problems.append(f"{name}: not a parameter of this endpoint.")
    if any("\x00" in v or len(v) > 2000 for v in request.form.values()):
        problems.append("A parameter is too long or contains a NUL character.")
    for code, reference in materials:
        if not reference.strip() or len(reference) > 200:
            problems.append(f"material[{code}]: give a reference of 1 to 200 characters.")
    if problems:
        return None, problems
    walk_in = WalkIn(
        service_code=(request.form.get("service_code") or "").strip(),
        name=_name(),
        id_number=request.form.get("id_number") or "",
        mobile=request.form.get("phone") or "",
        identity_checked=(request.form.get("identity_checked") or "").lower() in ("true", "1", "yes"),
        facts={name: (request.form.get(name) or "").strip() or None for name in FACTS},
        fields=fields,
        materials=materials,
    )
    return walk_in, []


PARAMETER_OF = {
    "service": "service_code",
    "applicant_name": "first_name/last_name",
    "applicant_id_number": "id_number",
    "applicant_mobile": "phone",
    "identity_checked": "identity_checked",
}


def parameter(name: str) -> str:
    if name.startswith("field_"):
        return f"attribute[{name[len('field_') :]}]"
    if name.startswith("material:"):
        return f"material[{name[len('material:') :]}]"
    return PARAMETER_OF.get(name, name) or "request"


@bp.post("/requests.<fmt>")
def create_request(fmt: str):
    """File a walk-in case at the window of the api_key's window system."""
    refused = only_json(fmt)
    if refused:
        return refused
    now = request_now()
    principal = authenticate(db.session, f"Bearer {request.form.get('api_key') or ''}", now)
    if principal is None or principal.filing_county is None:
        db.session.rollback()
        return error(403, "api_key must be a window system's token, created by the portal's administrators.")
    db.session.commit()  # the token's last use
    walk_in, problems = _walk_in()
    if problems:
        return json_response([{"code": 400, "description": p} for p in problems], 400)
    client_key = request.headers.get("Idempotency-Key")
    if client_key is not None and (
        not client_key.strip() or len(client_key) > 200 or not client_key.isascii() or not client_key.isprintable()
    ):
        return error(400, "Idempotency-Key: use 1 to 200 printable ASCII characters.")
    key = idempotency_key(principal, client_key.strip() if client_key else None)
    try:
        with force_locale("en"):  # machine-facing messages are in English
            case, created = file_walk_in(db.session, principal, walk_in, key, now)
    except FilingErrors as failed:
        db.session.rollback()
        return json_response([{"code": 400, "description": f"{parameter(n)}: {m}"} for n, m in failed.errors], 400)
    except IdempotencyConflict:
        db.session.rollback()
        return error(409, "This Idempotency-Key was used for a different request.")
    db.session.commit()
    with in_locale():
        notice = promise_notice(case.service)
    return json_response(
        [{"service_request_id": case.number, "token": case.idempotency_key, "service_notice": notice}], 201 if created else 200
    )
