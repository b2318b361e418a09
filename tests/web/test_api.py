def test_the_services_endpoint_lists_23_services_as_utf8_json(client):
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert "居住证申领".encode() in response.data
    body = response.get_json()
    assert body["count"] == 23 and len(body["services"]) == 23
    first = body["services"][0]
    assert first["code"] == "psb-rp-apply"
    assert first["name"] == {"zh_CN": "居住证申领", "en": "Residence permit — first issue"}
    assert {"materials", "fields", "routing", "promise_workdays", "statutory_workdays", "mode", "kind"} <= first.keys()


def test_one_service_carries_its_notice_fields_and_routing(client):
    body = client.get("/api/v1/services/psb-exit-entry").get_json()
    assert body["department"] == "psb" and body["promise_workdays"] == 3
    assert [s["steps"][0]["county"] for s in body["routing"]] == ["receiving", "hukou"]
    assert all({"code", "name_zh", "name_en", "required", "file_types"} <= m.keys() for m in body["materials"])
    assert any(f["type"] == "select" and f["choices"] for f in body["fields"])


def test_an_unknown_service_is_problem_json(client):
    response = client.get("/api/v1/services/nope")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"] == "/api/v1/problems/not-found"


def test_the_agencies_endpoint_lists_12_agencies_in_two_counties_and_six_departments(client):
    body = client.get("/api/v1/agencies").get_json()
    assert body["count"] == 12
    assert {a["county"] for a in body["agencies"]} == {"changshan", "yushan"}
    assert {a["county_code"] for a in body["agencies"]} == {"330822", "361123"}
    assert len({a["department"] for a in body["agencies"]}) == 6


def test_an_unknown_api_route_and_a_wrong_method_are_problem_json(client):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
    wrong = client.post("/api/v1/services")
    assert wrong.status_code == 405 and wrong.content_type == "application/problem+json"
