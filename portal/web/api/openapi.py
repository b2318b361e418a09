"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Request bodies are the pydantic models the views validate with, so the
document cannot promise a shape the API does not enforce; responses are
written out in ``openapi_schemas``, and tests validate real answers against them and check
every route of the app against the paths listed."""

from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from portal.web.api.auth import PROBLEMS
from portal.web.api.common import LIMIT_MAX
from portal.web.api.openapi_schemas import REF, json_body, problem_kinds, problem_response, ref, response_schemas
from portal.web.api.schemas import CaseCreate, TaskAction
from portal.web.api.views import bp
from portal.web.json import json_response


def _parameters() -> dict:
    def query(name, description, schema=None):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema or {"type": "string"}}

    return {
        "limit": query("limit", f"Page size, 1 to {LIMIT_MAX} (default 50).", {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX}),
        "cursor": query("cursor", "The next_cursor of the previous page; opaque."),
        "caseNumber": {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}},
        "taskId": {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
    }


def _responses() -> dict:
    return {
        "Unauthorized": {
            **problem_response("The bearer token is missing, unknown or revoked. " + problem_kinds("unauthorized")),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": 'Bearer realm="portal-api"'}},
        },
        "Forbidden": problem_response("The token may not do this. " + problem_kinds("forbidden")),
        "NotFound": problem_response("Not found, or not visible to this token. " + problem_kinds("not-found")),
        "Invalid": problem_response(
            "The request breaks the contract (malformed JSON, wrong types, unknown members or parameters, "
            "values the portal's rules refuse); `errors` lists each. " + problem_kinds("invalid-request")
        ),
    }


SECURED = [{"bearerAuth": []}]


def _paths() -> dict:
    r = {name: {"$ref": f"#/components/responses/{name}"} for name in ("Unauthorized", "Forbidden", "NotFound", "Invalid")}
    p = {name: {"$ref": f"#/components/parameters/{name}"} for name in ("limit", "cursor", "caseNumber", "taskId")}

    def query(name, description, schema=None):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema or {"type": "string"}}

    return {
        "/api/v1/services": {
            "get": {
                "operationId": "listServices",
                "tags": ["catalog"],
                "security": [],
                "summary": "The 23 services with their notices, fields and routing plans.",
                "responses": {"200": json_body(ref("ServiceList"), "The catalog.")},
            }
        },
        "/api/v1/services/{code}": {
            "get": {
                "operationId": "getService",
                "tags": ["catalog"],
                "security": [],
                "summary": "One service: its one-time notice, form fields and routing plan.",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": json_body(ref("Service"), "The service."), "404": r["NotFound"]},
            }
        },
        "/api/v1/agencies": {
            "get": {
                "operationId": "listAgencies",
                "tags": ["catalog"],
                "security": [],
                "summary": "The 12 agencies in both counties.",
                "responses": {"200": json_body(ref("AgencyList"), "The agencies.")},
            }
        },
        "/api/v1/permits/{number}/verification": {
            "get": {
                "operationId": "verifyPermit",
                "tags": ["permits"],
                "security": [],
                "summary": "双向互认: verify an electronic residence permit from its number and code.",
                "description": "A wrong code answers `unknown`, as for a number never issued. Every check is logged.",
                "parameters": [
                    {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "code",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "The verification code printed under the permit's QR code.",
                    },
                ],
                "responses": {
                    "200": json_body(ref("PermitVerification"), "The permit's state, issuing county and masked holder."),
                    "400": problem_response("The code is missing. " + problem_kinds("permit-code-missing")),
                    "429": problem_response("More than 120 checks a minute from one address. " + problem_kinds("too-many-requests")),
                },
            }
        },
        "/api/v1/cases": {
            "get": {
                "operationId": "listCases",
                "tags": ["cases"],
                "summary": "Cases visible to the token, oldest first, in cursor pages.",
                "description": "An agency token sees the cases in which its agency has a task; a window token its "
                "county's cases (received there or acted on by its agencies); a staff token what its owner sees. "
                "Pages follow (submitted_at, id), so cases that arrive meanwhile come at the end, never twice.",
                "parameters": [
                    query("status", "One or more case statuses, comma-separated."),
                    query("service", "A service code."),
                    query("received_from", "Received on or after this day (Shanghai), YYYY-MM-DD.", {"type": "string", "format": "date"}),
                    query("received_until", "Received on or before this day (Shanghai), YYYY-MM-DD.", {"type": "string", "format": "date"}),
                    query(
                        "updated_since",
                        "With an event at or after this moment (ISO 8601 with offset).",
                        {"type": "string", "format": "date-time"},
                    ),
                    p["limit"],
                    p["cursor"],
                ],
                "responses": {"200": json_body(ref("CaseList"), "A page of cases."), "401": r["Unauthorized"], "422": r["Invalid"]},
            },
            "post": {
                "operationId": "createCase",
                "tags": ["cases"],
                "summary": "A window system files a walk-in case (异地代收) at its window.",
                "description": "Checked like the counter's form: the applicant's ID number and mobile, the service's "
                "fields, the routing facts and the residence-permit rules. The case waits at the window for the "
                "clerk's intake decision. With an Idempotency-Key, a repeat returns the same case with 200.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": "Printable ASCII; the same key returns the case it made (200), for another application 409.",
                    },
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("CaseCreate")}}},
                "responses": {
                    "201": json_body(ref("Case"), "Filed.", {"Location": {"schema": {"type": "string"}}}),
                    "200": json_body(ref("Case"), "Filed before with this Idempotency-Key.", {"Location": {"schema": {"type": "string"}}}),
                    "401": r["Unauthorized"],
                    "403": r["Forbidden"],
                    "409": problem_response("The Idempotency-Key was used for a different application. " + problem_kinds("conflict")),
                    "422": r["Invalid"],
                },
            },
        },
        "/api/v1/cases/{number}": {
            "get": {
                "operationId": "getCase",
                "tags": ["cases"],
                "summary": "One case: dates, level, tasks, and its timeline without staff names.",
                "parameters": [p["caseNumber"]],
                "responses": {"200": json_body(ref("Case"), "The case."), "401": r["Unauthorized"], "404": r["NotFound"]},
            }
        },
        "/api/v1/tasks": {
            "get": {
                "operationId": "listTasks",
                "tags": ["tasks"],
                "summary": "The token's agency's tasks, oldest first, in cursor pages.",
                "parameters": [
                    query(
                        "status",
                        "all (default), active, open, claimed, suspended, returned or done.",
                        {"type": "string", "enum": ["all", "active", "open", "claimed", "suspended", "returned", "done"]},
                    ),
                    query("level", "on_track, due_soon or overdue.", {"type": "string", "enum": ["on_track", "due_soon", "overdue"]}),
                    p["limit"],
                    p["cursor"],
                ],
                "responses": {
                    "200": json_body(ref("TaskList"), "A page of tasks."),
                    "401": r["Unauthorized"],
                    "403": r["Forbidden"],
                    "422": r["Invalid"],
                },
            }
        },
        "/api/v1/tasks/{task_id}": {
            "get": {
                "operationId": "getTask",
                "tags": ["tasks"],
                "summary": "One of the agency's tasks, with what the token may do to it now.",
                "parameters": [p["taskId"]],
                "responses": {
                    "200": json_body(ref("Task"), "The task."),
                    "401": r["Unauthorized"],
                    "403": r["Forbidden"],
                    "404": r["NotFound"],
                },
            }
        },
        "/api/v1/tasks/{task_id}/actions": {
            "post": {
                "operationId": "actOnTask",
                "tags": ["tasks"],
                "summary": "Claim, release, complete, refuse, suspend, resume or return a task.",
                "description": "The officer's actions, through the same workflow: a refusal refuses the whole case, "
                "a suspension stops the clock. An officer's token acts as that officer; an agency system's token "
                "acts as the agency's own system, which only an agency working in its own system (delivery mode "
                "http) may (403 otherwise).",
                "parameters": [p["taskId"]],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("TaskAction")}}},
                "responses": {
                    "200": json_body(ref("Task"), "The task after the action."),
                    "401": r["Unauthorized"],
                    "403": r["Forbidden"],
                    "404": r["NotFound"],
                    "409": problem_response(
                        "The task's state does not allow this now, or it changed at the same moment. "
                        + problem_kinds("not-allowed-now", "conflict")
                    ),
                    "422": r["Invalid"],
                },
            }
        },
        "/api/v1/partner/events": {
            "post": {
                "operationId": "reportPartnerEvent",
                "tags": ["partners"],
                "security": [],
                "summary": "An agency's own system reports what it did with one of its tasks.",
                "description": "No bearer token: signed with the agency's signing secret. The header "
                "`X-Portal-Signature: t=<unix seconds>,v1=<hex>` carries HMAC-SHA256 over `<t>.<raw body>`; "
                "a timestamp more than five minutes off is refused. Deduplicated by `event_id`: a repeat of an "
                "event already applied answers `duplicate` and changes nothing; an event refused earlier "
                "(404, 409, 422) is checked again when resent.",
                "parameters": [
                    {
                        "name": "X-Portal-Signature",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": r"^t=\d+,v1=[0-9a-f]+$"},
                    },
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("PartnerEvent")}}},
                "responses": {
                    "200": json_body(ref("PartnerEventResult"), "Applied, or a duplicate of an event already applied."),
                    "401": problem_response(
                        "Unknown agency, agency not in http mode, bad or stale signature. " + problem_kinds("bad-signature")
                    ),
                    "404": problem_response("No such task, or another agency's. " + problem_kinds("task-not-found")),
                    "409": problem_response("The task's state does not allow the action now. " + problem_kinds("not-allowed-now")),
                    "422": problem_response("The event breaks the contract; `field` names the member. " + problem_kinds("invalid-event")),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "tags": ["meta"],
                "security": [],
                "summary": "This document.",
                "responses": {"200": json_body({"type": "object"}, "The OpenAPI 3.1 document.")},
            }
        },
    }


# Problems from outside the token-checked views: the framework, the permit
# check and the signed partner callbacks.
OTHER_PROBLEMS = {
    "bad-request": (400, "Bad request"),
    "method-not-allowed": (405, "Not allowed"),
    "too-large": (413, "Too large"),
    "internal-error": (500, "Something went wrong"),
    "permit-code-missing": (400, "Verification code missing"),
    "bad-signature": (401, "Signature refused"),
    "task-not-found": (404, "Task not found"),
    "invalid-event": (422, "Invalid event"),
}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    _mapping, definitions = models_json_schema([(CaseCreate, "validation"), (TaskAction, "validation")], ref_template=REF)
    kinds = "\n".join(
        f"- `/api/v1/problems/{kind}` ({status}): {title}" for kind, (status, title) in {**PROBLEMS, **OTHER_PROBLEMS}.items()
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Changshan–Yushan joint-service window: JSON API",
            "version": "1.0.0",
            "description": "Cases, tasks and the catalog of the 跨省通办 portal for partner systems. Send "
            "`Authorization: Bearer <token>` (tokens are created by the portal's administrators). Times are "
            "ISO 8601 with their offset. Errors are `application/problem+json`; branch on `type`:\n" + kinds,
        },
        "servers": [{"url": "/"}],
        "security": SECURED,
        "tags": [{"name": n} for n in ("cases", "tasks", "catalog", "permits", "partners", "meta")],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token from /admin/tokens."}},
            "schemas": {**response_schemas(), **definitions["$defs"]},
            "parameters": _parameters(),
            "responses": _responses(),
        },
    }


@bp.get("/openapi.json")
def openapi():
    return json_response(openapi_document())
