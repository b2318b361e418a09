"""The OpenAPI document says exactly what the API does: it validates, it
lists every /api/v1 route of the app and nothing else, and real answers
match the schemas it gives for them."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from sqlalchemy import select

from portal.db import db
from portal.domain.signing import sign
from portal.models import Agency
from portal.models.enums import DeliveryMode
from tests import factories
from tests.api_data import bearer, make_token, walk_in_body

IGNORED_METHODS = {"HEAD", "OPTIONS"}
CONVERTER = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.content_type == "application/json; charset=utf-8"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = CONVERTER.sub(r"{\1}", rule.rule)
        found |= {(path, method.lower()) for method in rule.methods - IGNORED_METHODS}
    return found


def documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item if method != "parameters"}


def test_every_api_route_is_documented_and_every_documented_route_exists(app, document):
    in_app, in_document = app_operations(app), documented_operations(document)
    assert in_app - in_document == set(), "routes missing from the document"
    assert in_document - in_app == set(), "documented routes the app does not have"
    assert ("/api/v1/partner/events", "post") in in_app  # the callback route is covered too


def test_path_parameters_are_declared_for_every_templated_path(document):
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([a-z_]+)}", path))
        for method, operation in item.items():
            declared = set()
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
                if parameter["in"] == "path":
                    declared.add(parameter["name"])
            assert declared == names, (path, method)


def test_bearer_auth_is_the_default_and_public_routes_opt_out(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An API token from /admin/tokens.",
    }
    assert document["security"] == [{"bearerAuth": []}]
    public = {path for path, item in document["paths"].items() for op in item.values() if op.get("security") == []}
    assert public == {
        "/api/v1/services", "/api/v1/services/{code}", "/api/v1/agencies",
        "/api/v1/permits/{number}/verification", "/api/v1/partner/events", "/api/v1/openapi.json",
    }


def test_the_partner_callback_is_described_as_agreed(document):
    operation = document["paths"]["/api/v1/partner/events"]["post"]
    header = operation["parameters"][0]
    assert header["name"] == "X-Portal-Signature" and header["in"] == "header" and header["required"]
    event = document["components"]["schemas"]["PartnerEvent"]
    assert set(event["required"]) == {"event_id", "agency", "task_id", "action"}
    assert event["properties"]["action"]["enum"] == ["accepted", "suspended", "resumed", "completed", "refused"]
    assert event["properties"]["event_id"]["maxLength"] == 100
    assert (event["properties"]["expected_workdays"]["minimum"], event["properties"]["expected_workdays"]["maximum"]) == (1, 60)
    assert event["properties"]["note"]["maxLength"] == 1000
    kinds = {
        status: response["description"]
        for status, response in operation["responses"].items()
        if status != "200"
    }
    for status, kind in (("401", "bad-signature"), ("404", "task-not-found"), ("409", "not-allowed-now"), ("422", "invalid-event")):
        assert f"/api/v1/problems/{kind}" in kinds[status]
        assert "application/problem+json" in operation["responses"][status]["content"]


# -- real answers against their documented schemas -----------------------------


def response_schema(document, path: str, method: str, status: int, content_type: str) -> dict:
    response = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    media = content_type.split(";")[0]
    assert media in response["content"], (path, method, status, media)
    return response["content"][media]["schema"]


def assert_documented(document, path: str, method: str, response) -> None:
    schema = response_schema(document, path, method, response.status_code, response.content_type)
    validator = OAS31Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_catalog_answers_match_the_document(client, document):
    for path, url in (("/api/v1/services", "/api/v1/services"), ("/api/v1/services/{code}", "/api/v1/services/psb-no-record"),
                      ("/api/v1/agencies", "/api/v1/agencies"), ("/api/v1/services/{code}", "/api/v1/services/nope")):
        assert_documented(document, path, "get", client.get(url))
    for url in ("/api/v1/permits/123/verification", "/api/v1/permits/123/verification?code=abc"):
        assert_documented(document, "/api/v1/permits/{number}/verification", "get", client.get(url))


def test_case_answers_match_the_document(app, client, document):
    headers = {**bearer(make_token(app, "window", county="changshan")), "Idempotency-Key": "k-1"}
    created = client.post("/api/v1/cases", headers=headers, json=walk_in_body(app))
    assert created.status_code == 201
    assert_documented(document, "/api/v1/cases", "post", created)
    assert_documented(document, "/api/v1/cases", "post", client.post("/api/v1/cases", headers=headers, json=walk_in_body(app)))
    assert_documented(document, "/api/v1/cases", "post", client.post("/api/v1/cases", headers=headers, json={"service": 1}))
    number = created.get_json()["number"]
    assert_documented(document, "/api/v1/cases/{number}", "get", client.get(f"/api/v1/cases/{number}", headers=headers))
    assert_documented(document, "/api/v1/cases/{number}", "get", client.get("/api/v1/cases/NOPE", headers=headers))
    listed = client.get("/api/v1/cases?limit=1", headers=headers)
    assert_documented(document, "/api/v1/cases", "get", listed)
    assert_documented(document, "/api/v1/cases", "get", client.get("/api/v1/cases?limit=0", headers=headers))
    assert_documented(document, "/api/v1/cases", "get", client.get("/api/v1/cases"))
    agency = bearer(make_token(app, "agency", agency_code="cs-psb"))
    assert_documented(document, "/api/v1/cases", "post", client.post("/api/v1/cases", headers=agency, json=walk_in_body(app)))


def test_task_answers_match_the_document(app, client, document):
    now = factories.now()
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=now, due_at=now + timedelta(days=3))
        task_id = factories.create_task(db.session, case, "cs-psb").id
        officer = factories.create_user(db.session, "officer", agency_code="cs-psb")
        db.session.commit()
        officer_id = officer.id
    headers = bearer(make_token(app, "staff", user_id=officer_id))
    assert_documented(document, "/api/v1/tasks", "get", client.get("/api/v1/tasks", headers=headers))
    assert_documented(document, "/api/v1/tasks/{task_id}", "get", client.get(f"/api/v1/tasks/{task_id}", headers=headers))
    act = f"/api/v1/tasks/{task_id}/actions"
    completed = client.post(act, headers=headers, json={"action": "complete", "note": "x"})
    assert_documented(document, "/api/v1/tasks/{task_id}/actions", "post", completed)
    assert_documented(document, "/api/v1/tasks/{task_id}/actions", "post", client.post(act, headers=headers, json={"action": "claim"}))
    assert_documented(document, "/api/v1/tasks/{task_id}/actions", "post", client.post(act, headers=headers, json={"action": "suspend"}))
    window = bearer(make_token(app, "window", county="changshan"))
    assert_documented(document, "/api/v1/tasks", "get", client.get("/api/v1/tasks", headers=window))


def test_callback_answers_match_the_document(app, client, document):
    now = factories.wall_clock()  # the callback view checks a signature's freshness against its own clock
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == "ys-amr"))
        agency.delivery_mode, agency.signing_secret = DeliveryMode.http, "s3cret-for-tests"
        agency.endpoint_url = "http://127.0.0.1:9/tasks"
        db.session.commit()
    body = json.dumps({"event_id": "e-1", "agency": "ys-amr", "task_id": 987654, "action": "accepted"}).encode()
    post = lambda signature: client.post(  # noqa: E731
        "/api/v1/partner/events",
        data=body,
        content_type="application/json",
        headers={"X-Portal-Signature": signature},
    )
    assert_documented(document, "/api/v1/partner/events", "post", post("t=1,v1=00"))
    assert_documented(document, "/api/v1/partner/events", "post", post(sign("s3cret-for-tests", body, now)))
    with app.app_context():
        case = factories.create_case(db.session, "amr-biz-register", status="in_progress", accepted_at=now, due_at=now + timedelta(days=3))
        task_id = factories.create_task(db.session, case, "ys-amr").id
        db.session.commit()
    body = json.dumps({"event_id": "e-2", "agency": "ys-amr", "task_id": task_id, "action": "accepted"}).encode()
    applied = post(sign("s3cret-for-tests", body, now))
    assert applied.status_code == 200 and applied.get_json()["status"] == "applied", applied.get_data(as_text=True)
    assert_documented(document, "/api/v1/partner/events", "post", applied)
    repeated = post(sign("s3cret-for-tests", body, now))
    assert repeated.get_json() == {"status": "duplicate"}
    assert_documented(document, "/api/v1/partner/events", "post", repeated)
