"""Open311 GeoReport v2 under /open311/v2: the service list and service
definitions, and the lookup of a request id from a token. Requests are
in ``portal.web.open311.requests``.

JSON only: every path ends in .json; another format answers 404 with an
error array. Errors are GeoReport error arrays, ``[{"code", "description"}]``,
with the HTTP status as the code. ``jurisdiction_id`` is optional; when
given it must be the portal's (PORTAL_OPEN311_JURISDICTION)."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint, current_app, request
from flask_babel import force_locale

from portal import labels
from portal.db import db
from portal.domain.access import public_cases
from portal.domain.catalog import CatalogFilter, find_service, list_services
from portal.errors import open311_errors
from portal.models import Case, Service
from portal.web.json import json_response

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

LOCALES = {"zh": "zh_CN", "en": "en"}
DATATYPES = {"text": "string", "textarea": "text", "date": "datetime", "number": "number", "select": "singlevaluelist"}
TOKEN_PREFIX = "api-"  # only cases filed through a partner token have an Open311 token


def error(status: int, description: str):
    return open311_errors(status, description)


def locale() -> str:
    """zh (default) or en, from ?locale=; names and notes follow it."""
    return "en" if (request.values.get("locale") or "").lower().startswith("en") else "zh"


@contextmanager
def in_locale():
    with force_locale(LOCALES[locale()]):
        yield


def name_of(obj, attr: str) -> str:
    return getattr(obj, f"{attr}_en") if locale() == "en" else getattr(obj, f"{attr}_zh")


def entry_name(entry: dict, attr: str) -> str:
    return entry.get(f"{attr}_en") if locale() == "en" else entry.get(f"{attr}_zh", "")


def only_json(fmt: str):
    """None when the format is served, else the error answer."""
    if fmt == "json":
        return None
    return error(404, "Only JSON is served here: use the .json form of this path.")


@bp.before_request
def check_jurisdiction():
    given = request.values.get("jurisdiction_id")
    expected = current_app.config["PORTAL_OPEN311_JURISDICTION"]
    if given is not None and given.strip() != expected:
        return error(404, f"Unknown jurisdiction_id; this endpoint serves {expected}.")
    return None


def service_entry(service: Service) -> dict:
    department = service.department.value
    return {
        "service_code": service.code,
        "service_name": name_of(service, "name"),
        "description": name_of(service, "summary"),
        # There are form fields to fill: GET services/<code>.json lists them.
        "metadata": bool(service.fields),
        # A POST answers with the request id at once.
        "type": "realtime",
        "keywords": ", ".join(
            str(word) for word in (labels.DEPARTMENTS[department], labels.MODES[service.mode.value], labels.KINDS[service.kind.value])
        ),
        "group": str(labels.DEPARTMENTS[department]),
    }


@bp.get("/services.<fmt>")
def services(fmt: str):
    refused = only_json(fmt)
    if refused:
        return refused
    with in_locale():
        return json_response([service_entry(s) for s in list_services(db.session, CatalogFilter())])


def attribute(spec: dict, order: int) -> dict:
    kind = spec["type"]
    described = {
        "date": "YYYY-MM-DD",
        "number": "A number from 0 to 1000000000000",
        "select": "One of the values' keys",
    }.get(kind, f"At most {spec.get('max_length') or (2000 if kind == 'textarea' else 200)} characters")
    entry = {
        "variable": True,
        "code": spec["name"],
        "datatype": DATATYPES[kind],
        "required": spec["required"],
        "datatype_description": described,
        "order": order,
        "description": entry_name(spec, "label"),
    }
    if kind == "select":
        entry["values"] = [{"key": c["value"], "name": entry_name(c, "label")} for c in spec["choices"]]
    return entry


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    refused = only_json(fmt)
    if refused:
        return refused
    service = find_service(db.session, code) if "\x00" not in code else None
    if service is None:
        return error(404, "No service has this service_code; services.json lists them.")
    with in_locale():
        return json_response(
            {
                "service_code": service.code,
                "attributes": [attribute(spec, n) for n, spec in enumerate(service.fields, start=1)],
            }
        )


@bp.get("/tokens/<token>.<fmt>")
def token_lookup(token: str, fmt: str):
    """The request id a POST's token stands for (POST answers both at once)."""
    refused = only_json(fmt)
    if refused:
        return refused
    number = None
    if token.startswith(TOKEN_PREFIX) and len(token) <= 64 and "\x00" not in token:
        number = db.session.scalar(public_cases().where(Case.idempotency_key == token).with_only_columns(Case.number))
    if number is None:
        return error(404, "No service request has this token.")
    return json_response([{"service_request_id": number, "token": token}])


from portal.web.open311 import requests as _requests  # noqa: E402,F401  (registers its routes on bp)
