"""``POST /api/v1/partner/events``: an agency's own system reports what it did
with one of its tasks. Signed with the agency's secret over the raw body
(X-Portal-Signature); deduplicated by the partner's event id.

    200 {"status": "applied", "task": {...}} | {"status": "duplicate"}
    401 bad-signature     unknown agency, agency not in http mode, bad or stale signature
    404 task-not-found    no such task, or another agency's
    409 not-allowed-now   the task's state does not allow the action
    422 invalid-event     the body breaks the contract; "field" names the member
"""

from __future__ import annotations

import json

from flask import jsonify, request
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.db import db
from portal.domain.partner_events import (
    CallbackRefused,
    authenticate,
    parse_report,
    receive,
    remember_refusal,
    task_json,
)
from portal.domain.signing import SIGNATURE_HEADER
from portal.errors import problem
from portal.models import Task
from portal.web.api.views import bp
from portal.web.clock import request_calendar, request_now

PROBLEMS = {
    "bad-signature": (401, "Signature refused"),
    "task-not-found": (404, "Task not found"),
    "not-allowed-now": (409, "Not allowed now"),
    "invalid-event": (422, "Invalid event"),
}


def _refused(refused: CallbackRefused):
    status, title = PROBLEMS[refused.kind]
    response = problem(status, title, refused.detail, f"/api/v1/problems/{refused.kind}")
    if refused.field:
        body = response.get_json()
        body["field"] = refused.field
        response.set_data(json.dumps(body, ensure_ascii=False))
    return response


def _ok(payload: dict):
    response = jsonify(payload)
    response.content_type = "application/json; charset=utf-8"
    return response


@bp.post("/partner/events")
def partner_event():
    now = request_now()
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _refused(CallbackRefused("invalid-event", "The body must be a JSON object in UTF-8.", "body"))
    agency = None
    try:
        agency = authenticate(db.session, body, raw, request.headers.get(SIGNATURE_HEADER), now)
        report = parse_report(body)
        outcome = receive(db.session, agency, report, now, request_calendar())
        db.session.commit()
    except CallbackRefused as refused:
        db.session.rollback()
        if agency is not None and refused.kind != "bad-signature":
            _remember(agency, body, refused, now)
        return _refused(refused)
    except IntegrityError:
        # The same event arrived twice at once; the other request applied it.
        db.session.rollback()
        return _ok({"status": "duplicate"})
    except StaleDataError:
        db.session.rollback()
        return _refused(
            CallbackRefused("not-allowed-now", "The task changed at the same moment; send the event again.")
        )
    if outcome == "duplicate":
        return _ok({"status": "duplicate"})
    return _ok({"status": "applied", "task": task_json(db.session.get(Task, report.task_id))})


def _remember(agency, body, refused: CallbackRefused, now) -> None:
    """Keep the refusal for the audit, in the English of the answer; a
    simultaneous repeat that stored it first wins."""
    try:
        with force_locale("en"):
            remember_refusal(db.session, db.session.merge(agency), body, refused, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
