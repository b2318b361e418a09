"""The catalog's rules beside a service's fields — an end date not before
its start, counts of at least 1, amounts above 0 — on the application
form, the JSON API and Open311 alike, each message next to its field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.models import ApplicationDraft, Case
from tests.api_data import bearer, field_values, make_token, walk_in_body
from tests.journeys import application_data, post_form
from tests.pages import parse, text_of
from tests.web.test_api_v1 import pointers
from tests.web.test_open311 import BASE, errors_of, post_data

WAGE = "hrss-wage-claim"
# 欠薪投诉 as it was once accepted: a period ending before it starts, 0 workers.
# The form speaks Chinese; the API and Open311 answer in English.
BROKEN_RULES = [
    (
        {"period_start": "2026-10-01", "period_end": "2026-08-01"}, "period_end",
        "欠薪截止日期不能早于欠薪起始日期。", "Unpaid period to cannot be before unpaid period from.",
    ),
    ({"workers_affected": "0"}, "workers_affected", "请填写不小于1的数。", "Enter 1 or more."),
    ({"workers_affected": "2.5"}, "workers_affected", "请填写整数。", "Enter a whole number."),
    ({"amount_owed": "0"}, "amount_owed", "请填写大于0的数。", "Enter a number greater than 0."),
    ({"amount_owed": "-5"}, "amount_owed", "请输入0至1,000,000,000,000之间的数字。", "Enter a number from 0 to 1,000,000,000,000."),
]
FACTS = {"hukou_county": "yushan", "residence_county": "changshan", "business_county": "changshan"}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize("values, name, message, _english", BROKEN_RULES)
def test_the_application_form_explains_a_broken_rule_next_to_the_field(app, client, login_as, values, name, message, _english):
    login_as("resident")
    data = application_data(app, WAGE, field_period_start="2026-08-01", field_period_end="2026-10-01", field_workers_affected="3")
    data.update({f"field_{key}": value for key, value in values.items()})
    response, _ = post_form(client, data, code=WAGE)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert message in text_of(page, f"#field_{name}-error")
    with app.app_context():  # what was typed is kept to correct, but cannot be submitted
        assert [d.answers.get("complete") for d in db.session.scalars(select(ApplicationDraft))] in ([], [False], [None])


def test_the_application_form_takes_a_period_of_one_day_one_worker_and_an_amount_owed(app, client, login_as):
    login_as("resident")
    data = application_data(
        app, WAGE, field_period_start="2026-09-01", field_period_end="2026-09-01", field_workers_affected="1", field_amount_owed="0.01"
    )
    response, _ = post_form(client, data, code=WAGE)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def test_the_english_message_names_the_other_field(app, client, login_as):
    login_as("resident")
    client.get("/language/en")
    data = application_data(app, WAGE, field_period_start="2026-10-01", field_period_end="2026-08-01")
    response, _ = post_form(client, data, code=WAGE)
    page = parse(response.get_data(as_text=True))
    assert "Unpaid period to cannot be before unpaid period from." in text_of(page, "#field_period_end-error")


def _wage_fields(app, **values) -> dict:
    fields = field_values(app, WAGE)
    fields.update(period_start="2026-08-01", period_end="2026-10-01", workers_affected=3)
    fields.update(values)
    return fields


@pytest.mark.parametrize("values, name, _chinese, message", BROKEN_RULES)
def test_the_api_answers_422_pointing_at_the_field(app, client, values, name, _chinese, message):
    headers = bearer(make_token(app, "window", county="changshan"))
    body = walk_in_body(app, WAGE, fields=_wage_fields(app, **values), facts=FACTS, materials=[])
    found = pointers(client.post("/api/v1/cases", headers=headers, json=body))
    assert found == {f"/fields/{name}": message} | ({"/materials": found["/materials"]} if "/materials" in found else {})
    assert _count(app, Case) == 0


@pytest.mark.parametrize("values, name, _chinese, message", BROKEN_RULES)
def test_open311_names_the_attribute(app, client, values, name, _chinese, message):
    api_key = make_token(app, "window", county="changshan")
    data = post_data(app, api_key, service_code=WAGE)
    for key in list(data):
        if key.startswith(("attribute[", "material[")):
            del data[key]
    data.update({f"attribute[{k}]": str(v) for k, v in _wage_fields(app, **values).items()}, business_county="changshan")
    descriptions = [e["description"] for e in errors_of(client.post(f"{BASE}/requests.json", data=data), 400)]
    assert f"attribute[{name}]: {message}" in descriptions, descriptions
    assert _count(app, Case) == 0
