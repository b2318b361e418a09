"""The response schemas of the OpenAPI document, written out, and the
small builders the document is made with."""

from __future__ import annotations

from portal.domain.limits import PAPER_NOTE_MAX, RESULT_NUMBER_MAX, SUSPENSION_WORKDAYS_MAX, SUSPENSION_WORKDAYS_MIN, TASK_NOTE_MAX
from portal.models.enums import CaseStatus, TaskStatus

REF = "#/components/schemas/{model}"
CALLBACK_ACTIONS = ("accepted", "suspended", "resumed", "completed", "refused")
PERMIT_RESULTS = ("valid", "expired", "needs_endorsement", "revoked", "unknown")
COUNTIES = ("changshan", "yushan")


def ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, required=None, **extra) -> dict:
    return {"type": "object", "properties": properties, "required": list(required or properties), **extra}


def names() -> dict:
    return obj({"zh_CN": {"type": "string"}, "en": {"type": "string"}})


def json_body(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def problem_response(description: str, schema: str = "Problem") -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": ref(schema)}}}


def problem_kinds(*kinds: str) -> str:
    return "Problem types: " + ", ".join(f"`/api/v1/problems/{k}`" for k in kinds) + "."


DATE_TIME = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
    "description": "ISO 8601 with its offset; the API writes Shanghai time, +08:00.",
}



def response_schemas() -> dict:
    task_summary = obj(
        {
            "id": {"type": "integer"},
            "agency": {"type": "string", "description": "Agency code, e.g. ys-psb."},
            "stage": {"type": "integer", "minimum": 1},
            "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
            "due_at": ref("DateTime"),
            "closed_at": nullable(ref("DateTime")),
        }
    )
    case_summary = obj(
        {
            "number": {"type": "string", "description": "Case number, e.g. KSCS202611280001."},
            "service": {"type": "string", "description": "Service code."},
            "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
            "channel": {"type": "string", "enum": ["online", "counter"]},
            "window": {"type": "string", "enum": list(COUNTIES), "description": "The receiving window."},
            "submitted_at": ref("DateTime"),
            "accepted_at": nullable(ref("DateTime")),
            "due_at": nullable(ref("DateTime")),
            "closed_at": nullable(ref("DateTime")),
            "updated_at": {**ref("DateTime"), "description": "The latest event on the case."},
            "level": {
                "enum": ["on_track", "due_soon", "overdue", None],
                "description": "Against the due date, while the clock runs; null otherwise.",
            },
            "tasks": {"type": "array", "items": ref("TaskSummary")},
        }
    )
    timeline_entry = obj(
        {
            "at": ref("DateTime"),
            "action": {"type": "string", "description": "submit, accept, task_claim, due_date_changed, …"},
            "subject": {"type": "string", "description": "case, task, sla or rating."},
            "from_status": {"type": ["string", "null"]},
            "to_status": {"type": ["string", "null"]},
            "actor": {"type": "string", "description": "The role that acted (clerk, officer, …) or system; never a person."},
            "agency": {"type": ["string", "null"], "description": "For task events: the task's agency."},
            "note": {"type": "string"},
        }
    )
    detail_task = {
        "allOf": [
            ref("TaskSummary"),
            obj({"agency_name": ref("Names"), "stage_name": ref("Names"), "action": ref("Names")}),
        ]
    }
    case = {
        "allOf": [
            ref("CaseSummary"),
            obj(
                {
                    "service_name": ref("Names"),
                    "delivered_at": nullable(ref("DateTime")),
                    "applicant": obj(
                        {
                            "name": {"type": "string", "description": "Masked (张*) unless the token handles the case."},
                            "id_number": {
                                "type": "string",
                                "description": "Masked (region and last four) unless the token is the system of an "
                                "agency with a task on the case that works in its own system.",
                            },
                            "mobile": {"type": "string", "description": "Masked like id_number."},
                        },
                        description="What each kind of token sees is in the README's table.",
                    ),
                    "facts": obj(
                        {
                            name: {"type": ["string", "null"]}
                            for name in (
                                "hukou_county", "hukou_province", "residence_county",
                                "residence_province", "business_county", "business_province",
                            )
                        }
                    ),
                    "fields": {"type": "object", "description": "The service's form fields by name."},
                    "material_references": {"type": "object", "additionalProperties": {"type": "string"}},
                    "tasks": {"type": "array", "items": detail_task},
                    "timeline": {"type": "array", "items": ref("TimelineEntry")},
                    "query_code": {
                        "type": "string", "pattern": r"^\d{6}$",
                        "description": "Only in the answer to POST /api/v1/cases: for the applicant's receipt.",
                    },
                },
                required=[
                    "service_name", "delivered_at", "applicant", "facts", "fields",
                    "material_references", "tasks", "timeline",
                ],
            ),
        ]
    }
    task = obj(
        {
            "id": {"type": "integer"},
            "case": obj(
                {
                    "number": {"type": "string"},
                    "service": {"type": "string"},
                    "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
                    "window": {"type": "string", "enum": list(COUNTIES)},
                }
            ),
            "agency": {"type": "string"},
            "stage": {"type": "integer"},
            "stage_name": ref("Names"),
            "action": ref("Names"),
            "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
            "claimed": {"type": "boolean"},
            "fallback": {
                "type": "boolean",
                "description": "The applicant's fact is outside both counties: verify through the national platform.",
            },
            "created_at": ref("DateTime"),
            "due_at": ref("DateTime"),
            "closed_at": nullable(ref("DateTime")),
            "level": {"enum": ["on_track", "due_soon", "overdue", None]},
            "opinion": {"type": "string"},
            "result": nullable(obj({"number": {"type": "string"}})),
            "allowed_actions": {
                "type": "array",
                "items": {"type": "string", "enum": ["claim", "release", "resume", "complete", "refuse", "suspend", "return"]},
                "description": "Only in GET /api/v1/tasks/{task_id}: what this token may do now.",
            },
        },
        required=[
            "id", "case", "agency", "stage", "stage_name", "action", "status", "claimed", "fallback",
            "created_at", "due_at", "closed_at", "level", "opinion", "result",
        ],
    )
    service = obj(
        {
            "code": {"type": "string"},
            "name": ref("Names"),
            "summary": ref("Names"),
            "department": {"type": "string", "enum": ["psb", "gov", "amr", "eme", "hrss", "drc"]},
            "mode": {"type": "string", "enum": ["online", "collect", "joint"]},
            "kind": {"type": "string", "enum": ["instant", "promised"]},
            "applicant": {"type": "string", "enum": ["person", "enterprise"]},
            "promise_workdays": {"type": "integer", "minimum": 0, "maximum": 3},
            "statutory_workdays": {"type": "integer", "minimum": 0},
            "legal_basis": ref("Names"),
            "materials": {
                "type": "array",
                "items": {"type": "object", "required": ["code", "name_zh", "name_en", "required", "file_types"]},
            },
            "fields": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "label_zh", "label_en", "type", "required"],
                    "properties": {"type": {"enum": ["text", "textarea", "date", "number", "select"]}},
                },
            },
            "routing": {"type": "array", "items": {"type": "object", "required": ["name_zh", "name_en", "steps"]}},
        },
        required=[
            "code",
            "name",
            "summary",
            "department",
            "mode",
            "kind",
            "applicant",
            "promise_workdays",
            "statutory_workdays",
        ],
    )
    agency = obj(
        {
            "code": {"type": "string"},
            "name": ref("Names"),
            "county": {"type": "string", "enum": list(COUNTIES)},
            "county_code": {"type": "string", "enum": ["330822", "361123"]},
            "department": {"type": "string"},
            "delivery_mode": {"type": "string", "enum": ["portal", "http"]},
        }
    )
    problem = obj(
        {
            "type": {"type": "string", "description": "A stable URI reference naming the kind of problem."},
            "title": {"type": "string", "description": "Stable English title of the kind."},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "For /api/v1/problems/invalid-request: every error found.",
                "items": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {
                        "pointer": {"type": "string", "description": "JSON Pointer into the body, e.g. /applicant/mobile."},
                        "parameter": {"type": "string", "description": "The query parameter at fault."},
                        "header": {"type": "string", "description": "The header at fault."},
                        "detail": {"type": "string"},
                    },
                },
            },
            "task_status": {"type": "string", "description": "For not-allowed-now on a task: its status now."},
            "field": {"type": "string", "description": "For invalid-event: the member of the event at fault."},
        },
        required=["type", "title", "status", "detail"],
    )
    partner_event = obj(
        {
            "event_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "The partner's own id; a repeat of an applied event is answered as a duplicate.",
            },
            "agency": {"type": "string", "description": "Code of the agency whose system sends the event."},
            "task_id": {"type": "integer", "minimum": 1, "maximum": 2147483647},
            "action": {"type": "string", "enum": list(CALLBACK_ACTIONS)},
            "note": {"type": "string", "maxLength": TASK_NOTE_MAX, "description": "Required (the reason) for suspended and refused."},
            "expected_workdays": {
                "type": "integer", "minimum": SUSPENSION_WORKDAYS_MIN, "maximum": SUSPENSION_WORKDAYS_MAX,
                "description": "Required for suspended.",
            },
            "result": obj({"number": {"type": "string", "maxLength": RESULT_NUMBER_MAX}}, description="Optional, with completed."),
            "originals_reason": {
                "type": "string", "maxLength": PAPER_NOTE_MAX,
                "description": "With completed: why the task is completed before the case's paper originals are confirmed "
                "as received (收受分离); required then.",
            },
            "occurred_at": {"type": "string", "format": "date-time"},
        },
        required=["event_id", "agency", "task_id", "action"],
    )
    partner_task = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
            "agency": {"type": "string"},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
        },
    }
    return {
        "DateTime": DATE_TIME,
        "Names": names(),
        "Problem": problem,
        "TaskSummary": task_summary,
        "CaseSummary": case_summary,
        "Case": case,
        "TimelineEntry": timeline_entry,
        "CaseList": obj(
            {
                "cases": {"type": "array", "items": ref("CaseSummary")},
                "next_cursor": {"type": ["string", "null"], "description": "Pass as ?cursor= for the next page; null on the last."},
            }
        ),
        "Task": task,
        "TaskList": obj({"tasks": {"type": "array", "items": ref("Task")}, "next_cursor": {"type": ["string", "null"]}}),
        "Service": service,
        "ServiceList": obj({"count": {"type": "integer"}, "services": {"type": "array", "items": ref("Service")}}),
        "Agency": agency,
        "AgencyList": obj({"count": {"type": "integer"}, "agencies": {"type": "array", "items": ref("Agency")}}),
        "PermitVerification": obj(
            {
                "number": {"type": "string"},
                "result": {"type": "string", "enum": list(PERMIT_RESULTS)},
                "issuing_county": {"enum": [*COUNTIES, None]},
                "holder": {"type": ["string", "null"], "description": "The holder's masked name."},
            }
        ),
        "PartnerEvent": partner_event,
        "PartnerEventResult": {
            "oneOf": [
                obj({"status": {"const": "applied"}, "task": partner_task}),
                obj({"status": {"const": "duplicate"}}),
            ]
        },
    }
