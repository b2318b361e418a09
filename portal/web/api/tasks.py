"""An agency's tasks over the JSON API: its queue (``queue.agency_queue``),
one task, and the task actions of the officer's page through the same
workflow functions. A staff token acts as its officer; an agency
system's token acts as the agency's own system, which the lifecycle
allows for agencies that work in their own system (delivery mode http)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import and_, or_
from sqlalchemy.orm.exc import StaleDataError

from portal.db import db
from portal.domain import DomainError, workflow
from portal.domain.access import find_agency_task
from portal.domain.clock import WorkCalendar, iso
from portal.domain.deadlines import task_level
from portal.domain.lifecycle import task_actions
from portal.domain.queue import STATUS_FILTERS, agency_queue
from portal.models import Task
from portal.web.api.auth import api_problem, current_principal, forbidden, invalid, not_found, token_required
from portal.web.api.common import BadRequest, Query, db_id, encode_cursor, parse_body
from portal.web.api.schemas import TaskAction
from portal.web.api.views import bp
from portal.web.clock import request_calendar, request_now
from portal.web.json import json_response

LEVELS = ("on_track", "due_soon", "overdue")
ACTIONS = tuple(workflow.TASK_ACTIONS)
NOT_AN_AGENCY = "Tasks are for an agency system's token or an agency officer's own token."
NOT_NOW = "The task's status does not allow this action now; read the task again."
NOT_THIS_TOKEN = "This token may not take this action on the task now; read the task again for its allowed_actions."


def task_json(task: Task, now: datetime, calendar: WorkCalendar) -> dict:
    level = task_level(calendar, task, now)
    case = task.case
    return {
        "id": task.id,
        "case": {"number": case.number, "service": case.service.code, "status": case.status.value, "window": case.receiving_county.value},
        "agency": task.agency.code,
        "stage": task.stage,
        "stage_name": {"zh_CN": task.stage_name_zh, "en": task.stage_name_en},
        "action": {"zh_CN": task.action_zh, "en": task.action_en},
        "status": task.status.value,
        "claimed": task.assignee_id is not None,
        "fallback": task.fallback,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "closed_at": iso(task.closed_at),
        "level": level.value if level else None,
        "opinion": task.opinion,
        "result": {"number": task.result["number"]} if task.result.get("number") else None,
    }


def _agency_principal():
    principal = current_principal()
    return principal if principal.task_agency_id is not None else None


@bp.get("/tasks")
@token_required
def list_tasks():
    """The agency's tasks, oldest first; filters as on the officer's queue."""
    principal = _agency_principal()
    if principal is None:
        return forbidden(NOT_AN_AGENCY)
    query = Query({"status", "level", "limit", "cursor"})
    status = query.choice("status", tuple(STATUS_FILTERS)) or "all"
    level = query.choice("level", LEVELS)
    limit, cursor = query.limit(), query.cursor()
    try:
        query.check()
    except BadRequest as error:
        return invalid(error.errors)
    now, calendar = request_now(), request_calendar()
    statement = agency_queue(principal.viewer, now, calendar, status=status, level=level).order_by(None)
    if cursor:
        moment, last_id = cursor
        statement = statement.where(or_(Task.created_at > moment, and_(Task.created_at == moment, Task.id > last_id)))
    found = list(db.session.scalars(statement.order_by(Task.created_at, Task.id).limit(limit + 1)))
    page, more = found[:limit], len(found) > limit
    return json_response(
        {
            "tasks": [task_json(t, now, calendar) for t in page],
            "next_cursor": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        }
    )


def _task(task_id: int):
    principal = _agency_principal()
    if principal is None:
        return None, forbidden(NOT_AN_AGENCY)
    task = find_agency_task(db.session, principal.viewer, task_id) if db_id(task_id) else None
    if task is None:
        return None, not_found("No task with this id belongs to this token's agency.")
    return task, None


@bp.get("/tasks/<int:task_id>")
@token_required
def get_task(task_id: int):
    task, refused = _task(task_id)
    if refused:
        return refused
    now = request_now()
    body = task_json(task, now, request_calendar())
    body["allowed_actions"] = sorted(a for a in task_actions(task, current_principal().user) if a in ACTIONS)
    return json_response(body)


@bp.post("/tasks/<int:task_id>/actions")
@token_required
def act_on_task(task_id: int):
    task, refused = _task(task_id)
    if refused:
        return refused
    try:
        action = parse_body(TaskAction, "action", ACTIONS).root
    except BadRequest as error:
        return invalid(error.errors)
    principal = current_principal()
    now, calendar = request_now(), request_calendar()
    fields = workflow.TaskRequest(
        note=getattr(action, "note", ""),
        expected_workdays=getattr(action, "expected_workdays", None),
        result_number=action.result.number if getattr(action, "result", None) else "",
        originals_reason=getattr(action, "originals_reason", None) or "",
    )
    try:
        workflow.act_on_task(db.session, task, action.action, principal.user, now, calendar, fields)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.field == "actor" and principal.user is None:
            # The lifecycle lets an agency's system act only while the agency
            # works in its own system (delivery mode http).
            return forbidden("This agency works in the portal's queue; its officers act there or with their own tokens.")
        if error.field in ("status", "actor"):
            # Where the task stands, never which officer holds it: the
            # lifecycle's messages are for the portal's pages and may name them.
            detail = NOT_NOW if error.field == "status" else NOT_THIS_TOKEN
            return api_problem("not-allowed-now", detail, task_status=db.session.get(Task, task_id).status.value)
        pointer = {"expected_workdays": "/expected_workdays", "originals_reason": "/originals_reason"}.get(error.field, "/note")
        return invalid([{"pointer": pointer, "detail": _english(error.message)}])
    except StaleDataError:
        db.session.rollback()
        return api_problem("conflict", "Someone else changed this task or its case at the same moment; read it again.")
    fresh = db.session.get(Task, task.id)
    return json_response(task_json(fresh, now, calendar))


def _english(message) -> str:
    with force_locale("en"):
        return str(message)
