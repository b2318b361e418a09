"""JSON API v1: the catalog (public, read-only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.db import db
from portal.domain.catalog import CatalogFilter, find_service, list_agencies, list_services
from portal.domain.permits import verify_permit
from portal.errors import problem
from portal.extensions import limiter, permit_key
from portal.models import Agency, Service
from portal.web.clock import request_now

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def service_json(service: Service, detail: bool = True) -> dict:
    body = {
        "code": service.code,
        "name": {"zh_CN": service.name_zh, "en": service.name_en},
        "summary": {"zh_CN": service.summary_zh, "en": service.summary_en},
        "department": service.department.value,
        "mode": service.mode.value,
        "kind": service.kind.value,
        "applicant": service.applicant.value,
        "promise_workdays": service.promise_workdays,
        "statutory_workdays": service.statutory_workdays,
    }
    if detail:
        body.update(
            legal_basis={"zh_CN": service.legal_basis_zh, "en": service.legal_basis_en},
            materials=service.materials,
            fields=service.fields,
            routing=service.routing,
        )
    return body


def agency_json(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": {"zh_CN": agency.name_zh, "en": agency.name_en},
        "county": agency.county.value,
        "county_code": agency.county.admin_code,
        "department": agency.department.value,
        "delivery_mode": agency.delivery_mode.value,
    }


def _json(payload):
    response = jsonify(payload)
    response.content_type = "application/json; charset=utf-8"
    return response


@bp.get("/services")
def services():
    found = list_services(db.session, CatalogFilter())
    return _json({"count": len(found), "services": [service_json(s) for s in found]})


@bp.get("/services/<code>")
def service(code: str):
    found = find_service(db.session, code)
    if found is None:
        return problem(404, "Service not found", f"No service has the code {code!r}.", "/api/v1/problems/not-found")
    return _json(service_json(found))


@bp.get("/agencies")
def agencies():
    found = list_agencies(db.session)
    return _json({"count": len(found), "agencies": [agency_json(a) for a in found]})


@bp.get("/permits/<number>/verification")
@limiter.limit("120 per minute")  # every answer is logged: no flooding the holder's list of checks
def permit_verification(number: str):
    """双向互认 for partner systems: the permit's state, its issuing county
    and the holder's masked name, nothing more; logged like a check at a
    window. A wrong code answers "unknown", as for a number never issued."""

    code = (request.args.get("code") or "").strip()
    if not code:
        return problem(
            400, "Verification code missing",
            "Give the verification code printed under the permit's QR code as ?code=.",
            "/api/v1/problems/permit-code-missing",
        )
    answer = verify_permit(
        db.session, number, code, request_now(), key=permit_key(), unit="api"
    )
    db.session.commit()
    return _json(
        {
            "number": answer.number,
            "result": answer.result.value,
            "issuing_county": answer.county.value if answer.county else None,
            "holder": answer.masked_name or None,
        }
    )


# The modules below register their routes on bp.
from portal.web.api import cases as _cases  # noqa: E402,F401
from portal.web.api import openapi as _openapi  # noqa: E402,F401
from portal.web.api import partner_events as _partner_events  # noqa: E402,F401
from portal.web.api import tasks as _tasks  # noqa: E402,F401
