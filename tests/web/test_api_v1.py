"""The JSON API v1 as a partner system meets it: bearer tokens, what each
token sees, cursor pages, filing walk-in cases, acting on tasks, and the
problem+json answers for everything that goes wrong."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.domain.events import record_event
from portal.models import Agency, Case, Event, Task
from portal.models.enums import DeliveryMode
from tests import factories
from tests.api_data import bearer, make_token, walk_in_body

OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def problem_of(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == f"/api/v1/problems/{kind}" and body["status"] == status
    return body


def make_case(app, *agencies: str, **fields) -> str:
    with app.app_context():
        case = factories.create_case(db.session, **fields)
        for code in agencies:
            factories.create_task(db.session, case, code)
        db.session.commit()
        return case.number


def count_cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


# -- authentication -------------------------------------------------------------


def test_without_a_token_the_api_answers_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/cases")
    body = problem_of(response, 401, "unauthorized")
    assert body["title"] == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


@pytest.mark.parametrize("header", ["Bearer ksp_wrong", "Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer " + "a" * 10000])
def test_unknown_and_malformed_tokens_are_401(client, header):
    problem_of(client.get("/api/v1/tasks", headers={"Authorization": header}), 401, "unauthorized")


def test_a_revoked_token_is_refused_at_once(app, client, login_as):
    plaintext = make_token(app, "agency", agency_code="ys-psb")
    assert client.get("/api/v1/tasks", headers=bearer(plaintext)).status_code == 200
    login_as("admin")
    page = client.page("/admin/tokens")
    form = page.select_one("form[action$='/revoke']")
    client.post(form["action"], data={"csrf_token": form.select_one("input[name=csrf_token]")["value"]})
    problem_of(client.get("/api/v1/tasks", headers=bearer(plaintext)), 401, "unauthorized")


def test_the_catalog_stays_public(client):
    assert client.get("/api/v1/services").status_code == 200
    assert client.get("/api/v1/agencies").status_code == 200


# -- scoping --------------------------------------------------------------------


def test_an_agency_token_sees_only_cases_where_its_agency_acts(app, client):
    ours = make_case(app, "ys-psb", "cs-psb")
    theirs = make_case(app, "cs-amr")
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    listed = client.get("/api/v1/cases", headers=headers).get_json()
    assert [c["number"] for c in listed["cases"]] == [ours]
    assert client.get(f"/api/v1/cases/{ours}", headers=headers).status_code == 200
    problem_of(client.get(f"/api/v1/cases/{theirs}", headers=headers), 404, "not-found")


def test_an_agency_token_lists_and_reads_only_its_own_tasks(app, client):
    make_case(app, "ys-psb", "cs-psb")
    with app.app_context():
        ys_task = db.session.scalar(select(Task.id).join(Agency).where(Agency.code == "ys-psb"))
        cs_task = db.session.scalar(select(Task.id).join(Agency).where(Agency.code == "cs-psb"))
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    tasks = client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]
    assert [t["id"] for t in tasks] == [ys_task] and tasks[0]["agency"] == "ys-psb"
    assert client.get(f"/api/v1/tasks/{ys_task}", headers=headers).status_code == 200
    problem_of(client.get(f"/api/v1/tasks/{cs_task}", headers=headers), 404, "not-found")
    problem_of(client.post(f"/api/v1/tasks/{cs_task}/actions", headers=headers, json={"action": "claim"}), 404, "not-found")


def test_a_window_token_sees_its_countys_cases_like_a_clerk(app, client):
    received_here = make_case(app, receiving_county="yushan")
    # Received in Changshan; the household is registered in Yushan, whose police acts.
    acted_on_here = make_case(app, "ys-psb", hukou_county="yushan")
    elsewhere = make_case(app, "cs-psb")
    headers = bearer(make_token(app, "window", county="yushan"))
    numbers = {c["number"] for c in client.get("/api/v1/cases", headers=headers).get_json()["cases"]}
    assert numbers == {received_here, acted_on_here}
    assert elsewhere not in numbers


def test_a_staff_token_sees_what_its_owner_sees(app, client):
    ours = make_case(app, "cs-psb")
    theirs = make_case(app, "ys-amr")
    with app.app_context():
        officer = factories.create_user(db.session, "officer", agency_code="cs-psb")
        supervisor = factories.create_user(db.session, "supervisor")
        db.session.commit()
        officer_id, supervisor_id = officer.id, supervisor.id
    officer_headers = bearer(make_token(app, "staff", user_id=officer_id))
    supervisor_headers = bearer(make_token(app, "staff", user_id=supervisor_id))
    assert {c["number"] for c in client.get("/api/v1/cases", headers=officer_headers).get_json()["cases"]} == {ours}
    assert {c["number"] for c in client.get("/api/v1/cases", headers=supervisor_headers).get_json()["cases"]} == {ours, theirs}
    problem_of(client.get("/api/v1/tasks", headers=supervisor_headers), 403, "forbidden")
    problem_of(client.get("/api/v1/tasks", headers=bearer(make_token(app, "window", county="yushan"))), 403, "forbidden")


# -- listing: filters and cursor pages --------------------------------------------------


def test_cases_filter_by_status_service_and_dates(app, client):
    now = factories.now()
    old = make_case(app, "ys-psb", submitted_at=now - timedelta(days=40), status="completed")
    new = make_case(app, "ys-psb", service_code="psb-exit-entry", submitted_at=now - timedelta(days=1))
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))

    def numbers(query):
        response = client.get(f"/api/v1/cases?{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [c["number"] for c in response.get_json()["cases"]]

    assert numbers("status=completed") == [old]
    assert numbers("status=accepted,completed") == [old, new]
    assert numbers("service=psb-exit-entry") == [new]
    cutoff = (now - timedelta(days=10)).date().isoformat()
    assert numbers(f"received_from={cutoff}") == [new]
    assert numbers(f"received_until={cutoff}") == [old]


def test_updated_since_finds_cases_with_a_later_event(app, client):
    now = factories.now()
    quiet = make_case(app, "ys-psb", submitted_at=now - timedelta(days=5))
    busy = make_case(app, "ys-psb", submitted_at=now - timedelta(days=5))
    with app.app_context():
        for number, when in ((quiet, now - timedelta(days=5)), (busy, now - timedelta(hours=1))):
            case = db.session.scalar(select(Case).where(Case.number == number))
            record_event(db.session, case=case, action="submit", now=when)
        db.session.commit()
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    since = (now - timedelta(days=1)).isoformat()
    listed = client.get("/api/v1/cases", headers=headers, query_string={"updated_since": since}).get_json()["cases"]
    assert [c["number"] for c in listed] == [busy]
    assert OFFSET.match(listed[0]["updated_at"])


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=99999999999999999999", "limit"),
        ("status=lost", "status"), ("service=nope", "service"), ("received_from=2026-13-45", "received_from"),
        ("updated_since=yesterday", "updated_since"), ("updated_since=2026-11-01T10:00:00", "updated_since"),
        ("cursor=not-ours", "cursor"), ("cursor=WyJ4IiwxXQ", "cursor"), ("colour=blue", "colour"),
        ("status=%00", "status"), ("updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
        ("updated_since=9999-12-31T23:59:59-14:00", "updated_since"), ("received_until=99999-01-01", "received_until"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_parameter(app, client, query, parameter):
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    body = problem_of(client.get(f"/api/v1/cases?{query}", headers=headers), 422, "invalid-request")
    assert parameter in [e.get("parameter") for e in body["errors"]]


def test_cursor_pages_stay_stable_while_cases_arrive(app, client):
    now = factories.now()
    first = [make_case(app, "ys-psb", submitted_at=now - timedelta(hours=10 - n)) for n in range(5)]
    # Two cases arriving in the same instant are both listed, in id order.
    twins = [make_case(app, "ys-psb", submitted_at=now - timedelta(hours=2)) for _ in range(2)]
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/cases", headers=headers, query_string=query).get_json()
        seen += [c["number"] for c in page["cases"]]
        pages += 1
        if pages == 2:
            late = make_case(app, "ys-psb", submitted_at=now)  # arrives while the client pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == first + twins + [late]
    assert len(seen) == len(set(seen))


# -- one case ---------------------------------------------------------------------


def test_a_case_shows_its_dates_with_offsets_tasks_and_a_timeline_without_staff_names(app, client):
    now = factories.wall_clock()  # the API tells the level by its own clock
    with app.app_context():
        case = factories.create_case(db.session, accepted_at=now - timedelta(hours=3), due_at=now + timedelta(days=3), status="in_progress")
        factories.create_task(db.session, case, "ys-psb")
        officer = factories.create_user(db.session, "officer", agency_code="ys-psb", real_name="钱多多")
        record_event(db.session, case=case, actor=officer, action="task_claim", subject="task", note="已认领", now=now)
        db.session.commit()
        number = case.number
    body = client.get(f"/api/v1/cases/{number}", headers=bearer(make_token(app, "agency", agency_code="ys-psb"))).get_json()
    assert body["status"] == "in_progress" and body["service"] == "psb-no-record" and body["window"] == "changshan"
    for key in ("submitted_at", "accepted_at", "due_at", "updated_at"):
        assert OFFSET.match(body[key]), (key, body[key])
    assert body["closed_at"] is None and body["level"] == "on_track"
    assert [t["agency"] for t in body["tasks"]] == ["ys-psb"]
    assert body["timeline"][-1]["actor"] == "officer" and body["timeline"][-1]["note"] == "已认领"
    assert "钱多多" not in json.dumps(body, ensure_ascii=False)
    assert "*" in body["applicant"]["id_number"] and "*" in body["applicant"]["mobile"]


def test_a_huge_or_odd_case_number_is_simply_not_found(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    for number in ("9" * 500, "KSCS%00", "%E4%B8%AD"):
        problem_of(client.get(f"/api/v1/cases/{number}", headers=headers), 404, "not-found")


# -- filing walk-in cases ------------------------------------------------------------


def test_a_window_system_files_a_walk_in_case_that_waits_at_its_window(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    response = client.post("/api/v1/cases", headers=headers, json=walk_in_body(app))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/cases/{body['number']}"
    assert body["status"] == "submitted" and body["channel"] == "counter" and body["window"] == "changshan"
    assert body["number"].startswith("KSCS") and re.match(r"^\d{6}$", body["query_code"])
    assert body["material_references"] == {"id-card": "window-scan-0001"}
    assert [e["action"] for e in body["timeline"]] == ["submit"]
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == body["number"]))
        assert case.identity_checked and case.applicant_name == "赵六"
        event = db.session.scalar(select(Event).where(Event.case_id == case.id))
        assert event.actor_role == "system" and event.data["api_token_name"] == "window system"
        assert {i.county.value for i in case_involvement(case)} == {"changshan", "yushan"}


def case_involvement(case):
    from portal.models import CaseInvolvement

    return db.session.scalars(select(CaseInvolvement).where(CaseInvolvement.case_id == case.id)).all()


def test_the_same_idempotency_key_returns_the_same_case_with_200(app, client):
    headers = {**bearer(make_token(app, "window", county="yushan")), "Idempotency-Key": "desk-7/2026-11-28/0001"}
    body = walk_in_body(app)
    first = client.post("/api/v1/cases", headers=headers, json=body)
    again = client.post("/api/v1/cases", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["number"] == again.get_json()["number"]
    assert count_cases(app) == 1
    other = client.post("/api/v1/cases", headers=headers, json=walk_in_body(app, "psb-hukou-cert"))
    problem_of(other, 409, "conflict")
    assert count_cases(app) == 1


def test_idempotency_keys_of_different_tokens_do_not_collide(app, client):
    body = walk_in_body(app)
    for county in ("changshan", "yushan"):
        headers = {**bearer(make_token(app, "window", county=county)), "Idempotency-Key": "same"}
        assert client.post("/api/v1/cases", headers=headers, json=body).status_code == 201
    assert count_cases(app) == 2


def test_only_window_tokens_and_clerks_file_cases(app, client):
    for headers in (bearer(make_token(app, "agency", agency_code="cs-psb")),):
        problem_of(client.post("/api/v1/cases", headers=headers, json=walk_in_body(app)), 403, "forbidden")
    with app.app_context():
        clerk = factories.create_user(db.session, "clerk")
        db.session.commit()
        clerk_id = clerk.id
    response = client.post("/api/v1/cases", headers=bearer(make_token(app, "staff", user_id=clerk_id)), json=walk_in_body(app))
    assert response.status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Case.created_by_id)) == clerk_id


def pointers(response) -> dict:
    body = problem_of(response, 422, "invalid-request")
    return {e.get("pointer") or e.get("header"): e["detail"] for e in body["errors"]}


def test_the_portals_own_rules_refuse_bad_applicants_and_fields_listing_every_error(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    body = walk_in_body(app)
    body["applicant"] = {"name": "赵六", "id_number": "330822199001011230", "mobile": "12345"}
    body["fields"] = {"purpose": "not-a-choice", "colour": "blue"}
    body["facts"] = {"hukou_county": "elsewhere", "residence_county": "changshan"}
    body["materials"] = [{"code": "passport", "reference": "x"}]
    found = pointers(client.post("/api/v1/cases", headers=headers, json=body))
    expected = {"/applicant/id_number", "/applicant/mobile", "/fields/purpose", "/fields/colour", "/facts/hukou_province", "/materials"}
    assert expected <= set(found)
    assert "check digit" in found["/applicant/id_number"]
    assert count_cases(app) == 0


def test_identity_must_have_been_checked_in_person(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    found = pointers(client.post("/api/v1/cases", headers=headers, json=walk_in_body(app, identity_checked=False)))
    assert "/identity_checked" in found


def test_routing_facts_the_plan_cannot_serve_are_refused(app, client):
    headers = bearer(make_token(app, "window", county="changshan"))
    body = walk_in_body(app, "psb-hukou-move", facts={"hukou_county": "changshan", "residence_county": "changshan"})
    assert "/facts/hukou_county" in pointers(client.post("/api/v1/cases", headers=headers, json=body))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b"42",
        b'"text"',
        b"\xff\xfe",
        b'{"service": 5}',
        b'{"service": "psb-no-record"}',
        b'{"service": "psb-no-record", "applicant": [], "identity_checked": "yes", "facts": {}}',
        b'{"service": "a\\u0000b", "applicant": {"name": "a", "id_number": "b", "mobile": "c"}, "identity_checked": true, '
        b'"facts": {"hukou_county": "yushan", "residence_county": "yushan"}}',
        b'{"unknown": 1}',
        json.dumps({"fields": {"x": 1e308 * 10}}).encode(),
        b'{"service": "psb-no-record", "applicant": {"name": "a", "id_number": "b", "mobile": "c"}, "identity_checked": true, '
        b'"facts": {"hukou_county": "yushan", "residence_county": "yushan"}, "fields": {"purpose": 123456789012345678901234567890}}',
        b'{"service": "psb-no-record", "applicant": {"name": "a", "id_number": "b", "mobile": "c"}, "identity_checked": true, '
        b'"facts": {"hukou_county": "yushan", "residence_county": "yushan"}, "fields": {"purpose": NaN}}',
        json.dumps({"service": "x" * 100000}).encode(),
    ],
)
def test_whatever_a_client_sends_it_gets_a_422_never_a_500(app, client, raw):
    headers = {**bearer(make_token(app, "window", county="changshan")), "Content-Type": "application/json"}
    problem_of(client.post("/api/v1/cases", headers=headers, data=raw), 422, "invalid-request")


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "中文", "a\tb"])
def test_a_malformed_idempotency_key_is_422(app, client, key):
    headers = {**bearer(make_token(app, "window", county="changshan")), "Idempotency-Key": key}
    assert "Idempotency-Key" in pointers(client.post("/api/v1/cases", headers=headers, json=walk_in_body(app)))


def test_a_body_larger_than_the_portal_accepts_is_413_problem_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    headers = bearer(make_token(app, "window", county="changshan"))
    response = client.post("/api/v1/cases", headers=headers, data=b"x" * 4096, content_type="application/json")
    problem_of(response, 413, "too-large")


# -- acting on tasks -----------------------------------------------------------------------


@pytest.fixture
def open_task(app):
    """A case in progress with one open task for ys-psb, due in three days
    by the API's own clock."""
    now = factories.wall_clock()
    with app.app_context():
        case = factories.create_case(
            db.session, status="in_progress", accepted_at=now - timedelta(hours=1), due_at=now + timedelta(days=3), hukou_county="yushan"
        )
        task = factories.create_task(db.session, case, "ys-psb", due_at=now + timedelta(days=3))
        db.session.commit()
        return task.id, case.number


@pytest.fixture
def officer_headers(app):
    with app.app_context():
        officer = factories.create_user(db.session, "officer", agency_code="ys-psb")
        db.session.commit()
        officer_id = officer.id
    return bearer(make_token(app, "staff", user_id=officer_id))


def test_an_officers_token_claims_and_completes_a_task_and_the_case_completes(app, client, open_task, officer_headers):
    task_id, number = open_task
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=officer_headers).get_json()
    assert detail["allowed_actions"] == ["claim"] and detail["status"] == "open"
    claimed = client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json={"action": "claim"})
    assert claimed.status_code == 200 and claimed.get_json()["status"] == "claimed" and claimed.get_json()["claimed"]
    done = client.post(
        f"/api/v1/tasks/{task_id}/actions",
        headers=officer_headers,
        json={"action": "complete", "note": "无犯罪记录，予以证明", "result": {"number": "WF-2026-001"}},
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "completed" and done.get_json()["result"] == {"number": "WF-2026-001"}
    case = client.get(f"/api/v1/cases/{number}", headers=officer_headers).get_json()
    assert case["status"] == "completed" and OFFSET.match(case["closed_at"])


def test_an_action_the_tasks_state_does_not_allow_is_409(app, client, open_task, officer_headers):
    task_id, _number = open_task
    body = problem_of(
        client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json={"action": "complete", "note": "x"}),
        409,
        "not-allowed-now",
    )
    assert body["task_status"] == "open"
    client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json={"action": "claim"})
    problem_of(client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json={"action": "claim"}), 409, "not-allowed-now")


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({"action": "fly"}, "/action"),
        ({}, "/action"),
        ({"action": "refuse"}, "/note"),
        ({"action": "refuse", "note": ""}, "/note"),
        ({"action": "refuse", "note": "x" * 1001}, "/note"),
        ({"action": "suspend", "note": "现场核查", "expected_workdays": 0}, "/expected_workdays"),
        ({"action": "suspend", "note": "现场核查", "expected_workdays": "3"}, "/expected_workdays"),
        ({"action": "suspend", "note": "现场核查", "expected_workdays": 10**30}, "/expected_workdays"),
        ({"action": "claim", "note": "extra"}, "/note"),
        ({"action": "return", "note": "   "}, "/note"),
    ],
)
def test_bad_task_actions_are_422_pointing_at_the_member(app, client, open_task, officer_headers, body, pointer):
    task_id, _number = open_task
    client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json={"action": "claim"})
    found = pointers(client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json=body))
    assert pointer in found, found


def test_suspending_stops_the_clock_and_resuming_restarts_it(app, client, open_task, officer_headers):
    task_id, number = open_task
    act = lambda body: client.post(f"/api/v1/tasks/{task_id}/actions", headers=officer_headers, json=body)  # noqa: E731
    act({"action": "claim"})
    assert act({"action": "suspend", "note": "现场核查", "expected_workdays": 5}).get_json()["status"] == "suspended"
    assert client.get(f"/api/v1/cases/{number}", headers=officer_headers).get_json()["status"] == "suspended"
    assert act({"action": "resume"}).get_json()["status"] == "claimed"


def test_an_agency_systems_token_acts_only_while_its_agency_works_in_its_own_system(app, client, open_task):
    task_id, _number = open_task
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    problem_of(client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers, json={"action": "claim"}), 403, "forbidden")
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == "ys-psb"))
        agency.delivery_mode = DeliveryMode.http
        db.session.commit()
    claimed = client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers, json={"action": "claim"})
    assert claimed.status_code == 200 and claimed.get_json()["status"] == "claimed"
    again = problem_of(client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers, json={"action": "claim"}), 409, "not-allowed-now")
    assert again["task_status"] == "claimed"


def test_a_task_id_beyond_any_database_integer_is_not_found(app, client, officer_headers):
    problem_of(client.get("/api/v1/tasks/99999999999999999999", headers=officer_headers), 404, "not-found")
    problem_of(
        client.post("/api/v1/tasks/9223372036854775808/actions", headers=officer_headers, json={"action": "claim"}), 404, "not-found"
    )


def test_tasks_filter_by_status_and_level_and_page_by_cursor(app, client, officer_headers):
    now = factories.wall_clock()  # the API tells the level by its own clock
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=now)
        ids = [factories.create_task(db.session, case, "ys-psb", due_at=now + timedelta(days=d)).id for d in (-1, 5, 9)]
        db.session.commit()

    def listed(query):
        response = client.get("/api/v1/tasks", headers=officer_headers, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    assert [t["id"] for t in listed({"level": "overdue"})["tasks"]] == ids[:1]
    assert listed({"status": "done"})["tasks"] == []
    page = listed({"limit": 2})
    assert [t["id"] for t in page["tasks"]] == ids[:2]
    assert [t["id"] for t in listed({"limit": 2, "cursor": page["next_cursor"]})["tasks"]] == ids[2:]
    problem_of(client.get("/api/v1/tasks?status=lost", headers=officer_headers), 422, "invalid-request")


def test_a_suspended_or_returned_task_past_its_due_date_has_no_level(app, client, officer_headers):
    past = factories.now() - timedelta(days=2)
    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=past)
        ids = {s: factories.create_task(db.session, case, "ys-psb", status=s, due_at=past).id for s in ("claimed", "suspended", "returned")}
        db.session.commit()
    listed = client.get("/api/v1/tasks", headers=officer_headers).get_json()["tasks"]
    assert {t["status"]: t["level"] for t in listed} == {"claimed": "overdue", "suspended": None, "returned": None}
    assert client.get(f"/api/v1/tasks/{ids['suspended']}", headers=officer_headers).get_json()["level"] is None
    for level in ("overdue", "due_soon", "on_track"):
        found = client.get("/api/v1/tasks", headers=officer_headers, query_string={"level": level}).get_json()["tasks"]
        assert [t["id"] for t in found] == ([ids["claimed"]] if level == "overdue" else [])


def test_an_unknown_api_path_is_not_found_problem_json_in_english(client):
    body = problem_of(client.get("/api/v1/nothing-here"), 404, "not-found")
    assert body["title"] == "Page not found"


def test_lists_need_the_same_statements_for_3_or_20_cases(app, client, count_statements):
    headers = bearer(make_token(app, "agency", agency_code="ys-psb"))
    today = factories.wall_clock()  # Open311 lists the 90 days up to its own clock
    for _ in range(3):
        make_case(app, "ys-psb", "cs-psb", submitted_at=today)
    with count_statements() as few:
        assert len(client.get("/api/v1/cases", headers=headers).get_json()["cases"]) == 3
        assert len(client.get("/open311/v2/requests.json").get_json()) == 3
    for _ in range(17):
        make_case(app, "ys-psb", "cs-psb", submitted_at=today)
    with count_statements() as many:
        assert len(client.get("/api/v1/cases", headers=headers).get_json()["cases"]) == 20
        assert len(client.get("/open311/v2/requests.json").get_json()) == 20
    assert many[0] == few[0]


def test_nul_characters_anywhere_are_refused_before_the_database_sees_them(app, client):
    problem_of(client.get("/api/v1/services/a%00b"), 404, "not-found")
    problem_of(client.get("/api/v1/permits/a%00b/verification?code=x"), 404, "not-found")
    problem_of(client.get("/api/v1/permits/1/verification?code=%00"), 422, "invalid-request")
    for url in (
        "/open311/v2/services/a%00b.json",
        "/open311/v2/requests/a%00b.json",
        "/open311/v2/tokens/api-%00.json",
        "/open311/v2/requests.json?service_code=%00",
    ):
        assert client.get(url).status_code in (400, 404), url


def test_the_window_clerk_sees_a_material_filed_by_reference(app, client, login_as):
    from portal.models import County

    headers = bearer(make_token(app, "window", county="changshan"))
    number = client.post("/api/v1/cases", headers=headers, json=walk_in_body(app)).get_json()["number"]
    login_as("clerk", window_county=County.changshan)
    page = client.page(f"/cases/{number}")
    item = next(li for li in page.select("h2 + ul li") if "window-scan-0001" in li.get_text())
    assert item.select_one(".tag").get_text(strip=True) == "系统报送（材料编号）"
