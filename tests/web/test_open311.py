"""Open311 GeoReport v2 as a GeoReport client meets it: the service list
and definitions, requests with their filters and limits, dates with
their offset, no personal data, POST with an api_key, tokens, and error
arrays with the right status."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from portal.db import db
from portal.models import Case, Service
from portal.models.enums import CaseStatus, Channel, County
from tests import factories
from tests.api_data import field_values, make_token

BASE = "/open311/v2"
OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def errors_of(response, status: int) -> list[dict]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    assert isinstance(body, list) and body and all(e["code"] == status and e["description"] for e in body)
    return body


# -- services ---------------------------------------------------------------------------


def test_the_service_list_names_every_service_in_chinese_or_english(client):
    services = client.get(f"{BASE}/services.json").get_json()
    assert len(services) == 23
    first = services[0]
    assert first == {
        "service_code": "psb-rp-apply",
        "service_name": "居住证申领",
        "description": first["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": first["keywords"],
        "group": "公安",
    }
    english = client.get(f"{BASE}/services.json?locale=en").get_json()[0]
    assert english["service_name"] == "Residence permit — first issue" and english["group"] == "Public security"
    assert "Public security" in english["keywords"]


def test_a_service_definition_lists_its_form_fields_as_attributes(client):
    definition = client.get(f"{BASE}/services/hrss-wage-claim.json?locale=en").get_json()
    assert definition["service_code"] == "hrss-wage-claim"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert [a["order"] for a in definition["attributes"]] == list(range(1, len(attributes) + 1))
    assert attributes["amount_owed"]["datatype"] == "number" and attributes["amount_owed"]["required"] is True
    assert attributes["period_start"]["datatype"] == "datetime"
    assert attributes["workers_affected"]["required"] is False
    assert all(a["variable"] is True and a["description"] for a in attributes.values())
    listed = client.get(f"{BASE}/services/psb-no-record.json").get_json()["attributes"]
    purpose = next(a for a in listed if a["code"] == "purpose")
    assert purpose["datatype"] == "singlevaluelist" and {"key", "name"} <= purpose["values"][0].keys()
    detail = next(a for a in listed if a["code"] == "purpose_detail")
    assert detail["datatype"] == "text"


def test_an_unknown_service_code_is_a_404_error_array(client):
    errors_of(client.get(f"{BASE}/services/nope.json"), 404)


# -- jurisdiction, formats, errors ----------------------------------------------------------------


def test_the_portals_jurisdiction_id_is_accepted_and_any_other_is_404(app, client):
    expected = app.config["PORTAL_OPEN311_JURISDICTION"]
    assert expected == "330822-361123"
    assert client.get(f"{BASE}/services.json?jurisdiction_id={expected}").status_code == 200
    for url in ("/services.json", "/services/psb-no-record.json", "/requests.json", "/tokens/api-x.json"):
        body = errors_of(client.get(f"{BASE}{url}?jurisdiction_id=sfgov.org"), 404)
        assert expected in body[0]["description"]
    errors_of(client.post(f"{BASE}/requests.json", data={"jurisdiction_id": "sfgov.org"}), 404)


@pytest.mark.parametrize(
    "url", ["/services.xml", "/services/psb-no-record.xml", "/requests.xml", "/requests/KSCS1.xml", "/tokens/api-x.xml"]
)
def test_only_json_is_served(client, url):
    assert "JSON" in errors_of(client.get(f"{BASE}{url}"), 404)[0]["description"]


def test_unknown_paths_and_methods_answer_error_arrays(client):
    errors_of(client.get(f"{BASE}/nothing.json"), 404)
    errors_of(client.delete(f"{BASE}/requests.json"), 405)


# -- requests -------------------------------------------------------------------------------------


@pytest.fixture
def cases(app):
    """Three cases: one open and on the clock, one decided, one 100 days old,
    by the real time: Open311 lists the 90 days up to its own clock."""
    now = factories.wall_clock()
    with app.app_context():
        resident = factories.create_user(db.session, "resident", real_name="孙悟空")
        open_case = factories.create_case(
            db.session,
            "psb-no-record",
            applicant=resident,
            status="in_progress",
            hukou_county="yushan",
            submitted_at=now - timedelta(days=2),
            accepted_at=now - timedelta(days=2),
            due_at=now + timedelta(days=1),
        )
        factories.create_task(db.session, open_case, "ys-psb")
        cancelled = factories.create_task(db.session, open_case, "cs-amr", status="cancelled")
        closed = factories.create_case(
            db.session,
            "psb-hukou-cert",
            status="completed",
            submitted_at=now - timedelta(days=10),
            receiving_county="yushan",
            closed_at=now - timedelta(days=8),
        )
        old = factories.create_case(db.session, "psb-no-record", status="submitted", submitted_at=now - timedelta(days=100))
        db.session.commit()
        assert cancelled.status.value == "cancelled"
        return {
            "open": open_case.number,
            "closed": closed.number,
            "old": old.number,
            "applicant": (resident.real_name, resident.id_number, resident.mobile),
        }


def request_ids(client, query: str = "") -> list[str]:
    response = client.get(f"{BASE}/requests.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["service_request_id"] for r in response.get_json()]


def test_requests_of_the_last_90_days_newest_first_by_default(client, cases):
    assert request_ids(client) == [cases["open"], cases["closed"]]


def test_requests_filter_by_status_and_service_code(client, cases):
    assert request_ids(client, "?status=open") == [cases["open"]]
    assert request_ids(client, "?status=closed") == [cases["closed"]]
    assert request_ids(client, "?status=open,closed") == [cases["open"], cases["closed"]]
    assert request_ids(client, "?service_code=psb-hukou-cert") == [cases["closed"]]
    assert request_ids(client, "?service_code=psb-hukou-cert,psb-no-record") == [cases["open"], cases["closed"]]
    errors_of(client.get(f"{BASE}/requests.json?status=pending"), 400)


def test_requests_filter_by_dates_at_most_90_days_apart(client, cases):
    now = factories.wall_clock()  # as the cases are dated
    start = (now - timedelta(days=120)).date().isoformat()
    end = (now - timedelta(days=50)).date().isoformat()
    assert request_ids(client, f"?start_date={start}&end_date={end}") == [cases["old"]]
    since = (now - timedelta(days=5)).astimezone().isoformat()
    assert request_ids(client, "?" + f"start_date={since}".replace("+", "%2B")) == [cases["open"]]
    assert request_ids(client, f"?end_date={end}") == [cases["old"]]
    errors_of(client.get(f"{BASE}/requests.json?start_date=2026-01-01&end_date=2026-06-01"), 400)
    errors_of(client.get(f"{BASE}/requests.json?start_date=2026-06-01&end_date=2026-01-01"), 400)
    errors_of(client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)
    errors_of(client.get(f"{BASE}/requests.json?start_date=2026-06-01T10:00:00"), 400)  # no offset
    errors_of(client.get(f"{BASE}/requests.json?start_date=9999-12-31"), 400)  # beyond any calendar
    errors_of(client.get(f"{BASE}/requests.json?end_date=0001-01-01"), 400)


def test_service_request_ids_name_the_requests_whatever_the_dates(client, cases):
    assert set(request_ids(client, f"?service_request_id={cases['old']},{cases['closed']}")) == {cases["old"], cases["closed"]}


def test_a_request_carries_dates_with_offsets_the_due_date_and_the_agencies_acting(client, cases):
    found = client.get(f"{BASE}/requests/{cases['open']}.json").get_json()
    assert len(found) == 1
    request = found[0]
    assert request["status"] == "open" and request["service_code"] == "psb-no-record"
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OFFSET.match(request[key]), (key, request[key])
    assert request["agency_responsible"] == "玉山县公安局"  # the cancelled task's agency is not acting
    assert "常山" in request["address"] and request["zipcode"] == "324200"
    closed = client.get(f"{BASE}/requests/{cases['closed']}.json?locale=en").get_json()[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "Completed"
    assert closed["expected_datetime"] is None and closed["agency_responsible"] == "Yushan window"
    errors_of(client.get(f"{BASE}/requests/KSCS000.json"), 404)


def test_no_personal_data_leaves_through_open311(client, cases):
    text = client.get(f"{BASE}/requests.json").get_data(as_text=True)
    text += client.get(f"{BASE}/requests/{cases['open']}.json").get_data(as_text=True)
    for personal in cases["applicant"]:
        assert personal not in text
    keys = set(json.loads(client.get(f"{BASE}/requests.json").get_data())[0])
    assert not keys & {"description", "first_name", "last_name", "phone", "email", "account_id"}


def test_at_most_1000_requests_are_answered(app, client):
    now = factories.wall_clock()  # Open311 lists the 90 days up to its own clock
    with app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.code == "psb-no-record"))
        rows = [
            dict(
                number=f"KSCS{n:012d}",
                query_code="000000",
                service_id=service_id,
                channel=Channel.online,
                receiving_county=County.changshan,
                status=CaseStatus.submitted,
                applicant_name="甲",
                applicant_id_number=factories.valid_id_number(),
                applicant_mobile="13800000000",
                hukou_county="changshan",
                residence_county="changshan",
                form_data={},
                submitted_at=now - timedelta(minutes=n),
                received_on=now.date(),
                version=1,
            )
            for n in range(1001)
        ]
        db.session.execute(insert(Case), rows)
        db.session.commit()
        assert db.session.scalar(select(func.count(Case.id))) == 1001
    ids = request_ids(client)
    assert len(ids) == 1000 and ids[0] == "KSCS000000000000"


# -- POST and tokens ------------------------------------------------------------------------------


def post_data(app, api_key: str, **overrides) -> dict:
    data = {
        "api_key": api_key,
        "service_code": "psb-no-record",
        "last_name": "赵",
        "first_name": "六",
        "phone": "13812345678",
        "id_number": factories.valid_id_number("361123", "19850505"),
        "identity_checked": "true",
        "hukou_county": "yushan",
        "residence_county": "changshan",
        "material[id-card]": "window-scan-0001",
        "lat": "28.9",
        "long": "118.5",
        **{f"attribute[{k}]": str(v) for k, v in field_values(app, "psb-no-record").items()},
    }
    data.update(overrides)
    return data


def test_a_window_systems_post_files_a_case_and_its_token_finds_it(app, client):
    api_key = make_token(app, "window", county="yushan")
    response = client.post(f"{BASE}/requests.json", data=post_data(app, api_key))
    assert response.status_code == 201, response.get_data(as_text=True)
    [created] = response.get_json()
    assert created["service_request_id"].startswith("KSYS") and created["service_notice"]
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == created["service_request_id"]))
        assert case.status is CaseStatus.submitted and case.applicant_name == "赵六" and case.channel is Channel.counter
        assert case.form_data["material_references"] == {"id-card": "window-scan-0001"}
    found = client.get(f"{BASE}/tokens/{created['token']}.json").get_json()
    assert found == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    errors_of(client.get(f"{BASE}/tokens/api-unknown.json"), 404)


def test_a_post_with_the_same_idempotency_key_files_once(app, client):
    api_key = make_token(app, "window", county="changshan")
    data = post_data(app, api_key)
    first = client.post(f"{BASE}/requests.json", data=data, headers={"Idempotency-Key": "o311-1"})
    again = client.post(f"{BASE}/requests.json", data=data, headers={"Idempotency-Key": "o311-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()[0]["service_request_id"] == again.get_json()[0]["service_request_id"]


@pytest.mark.parametrize("kind", [None, "bad", "agency"])
def test_posting_needs_a_window_systems_api_key(app, client, kind):
    key = {None: "", "bad": "ksp_nope", "agency": None}[kind]
    if kind == "agency":
        key = make_token(app, "agency", agency_code="cs-psb")
    errors_of(client.post(f"{BASE}/requests.json", data=post_data(app, key)), 403)


def test_a_posts_errors_name_the_parameters(app, client):
    api_key = make_token(app, "window", county="changshan")
    data = post_data(app, api_key, phone="12345", **{"attribute[purpose]": "nonsense", "attribute[colour]": "blue"})
    descriptions = " | ".join(e["description"] for e in errors_of(client.post(f"{BASE}/requests.json", data=data), 400))
    assert "phone:" in descriptions and "attribute[purpose]:" in descriptions and "attribute[colour]:" in descriptions
    data = post_data(app, api_key, favourite_colour="blue")
    assert "favourite_colour" in errors_of(client.post(f"{BASE}/requests.json", data=data), 400)[0]["description"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0
