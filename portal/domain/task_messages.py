"""What a partner system is told about one of its tasks: the JSON payload of
task.created, task.updated and task.cancelled messages.

task.created carries everything the agency needs to act without opening
the portal (the applicant, the form, the materials); an update or a
cancellation names the task, the change and where the case stands, and no
more personal data than the partner already holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.domain.case_files import current_files
from portal.domain.clock import iso
from portal.models import Case, Task

CALLBACK_PATH = "/api/v1/partner/events"
CALLBACK_ACTIONS = ("accepted", "suspended", "resumed", "completed", "refused")



def _names(obj, attr: str) -> dict[str, str]:
    return {"zh_CN": getattr(obj, f"{attr}_zh"), "en": getattr(obj, f"{attr}_en")}


def task_block(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "stage": task.stage,
        "stage_name": _names(task, "stage_name"),
        "action": _names(task, "action"),
        "status": task.status.value,
        "due_at": iso(task.due_at),
        "created_at": iso(task.created_at),
        # The applicant's fact for this step is outside both counties: verify
        # through the national platform.
        "fallback": task.fallback,
    }


def _place(county: str | None, province: str) -> dict[str, str | None]:
    return {"county": county, "province": province or None}


def _materials(case: Case) -> list[dict[str, Any]]:

    files = current_files(case.files)
    listed = []
    for material in case.service.materials:
        stored = files.get(material["code"])
        listed.append(
            {
                "code": material["code"],
                "name": _names_of(material, "name"),
                "required": material["required"],
                # Metadata to match the file when fetched; partner systems have
                # no download route yet (see README, partner systems).
                "file": None
                if stored is None
                else {
                    "id": stored.id,
                    "filename": stored.filename,
                    "content_type": stored.content_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                },
            }
        )
    return listed


def _names_of(entry: dict, attr: str) -> dict[str, str]:
    return {"zh_CN": entry.get(f"{attr}_zh", ""), "en": entry.get(f"{attr}_en", "")}


def case_summary(case: Case) -> dict[str, Any]:
    return {"number": case.number, "status": case.status.value, "due_at": iso(case.due_at)}


def case_block(case: Case) -> dict[str, Any]:
    service = case.service
    return {
        **case_summary(case),
        "service": {
            "code": service.code,
            "name": _names(service, "name"),
            "kind": service.kind.value,
            "promise_workdays": service.promise_workdays,
        },
        "channel": case.channel.value,
        "receiving_window": case.receiving_county.value,
        "accepted_at": iso(case.accepted_at),
        "applicant": {
            "name": case.applicant_name,
            "id_number": case.applicant_id_number,
            "mobile": case.applicant_mobile,
            "hukou": _place(case.hukou_county, case.hukou_province),
            "residence": _place(case.residence_county, case.residence_province),
            "business": _place(case.business_county, case.business_province) if case.business_county else None,
        },
        "form": dict(case.form_data or {}),
        "form_fields": [
            {"name": f["name"], "label": {"zh_CN": f.get("label_zh", ""), "en": f.get("label_en", "")}}
            for f in service.fields
        ],
        "materials": _materials(case),
    }


def task_payload(
    message_id: str, topic: str, task: Task, now: datetime, change: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The body of a task message. ``change`` (action, from, to, note) is
    set for task.updated and task.cancelled."""
    body: dict[str, Any] = {
        "message_id": message_id,
        "topic": topic,
        "occurred_at": iso(now),
        "agency": task.agency.code,
        "task": task_block(task),
        "callback": {"path": CALLBACK_PATH, "actions": list(CALLBACK_ACTIONS)},
    }
    if change is None:
        body["case"] = case_block(task.case)
    else:
        body["case"] = case_summary(task.case)
        body["change"] = change
    return body
