"""Rules beside a service's fields in catalog.yaml: the ones the catalog
declares, and a malformed rule refused by `catalog load` naming the
service and the field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.catalog import CatalogError, load_catalog
from portal.models import Service
from tests.catalog.test_loader import raw_catalog, write

WAGE = 16  # hrss-wage-claim's place in the file


def _field(data: dict, service: int, name: str) -> dict:
    return next(f for f in data["services"][service]["fields"] if f["name"] == name)


def test_the_wage_arrears_complaint_declares_its_rules(session):
    fields = {f["name"]: f for f in session.scalar(select(Service).where(Service.code == "hrss-wage-claim")).fields}
    assert fields["period_end"]["not_before"] == "period_start"
    assert fields["period_start"]["not_after_today"] and fields["period_end"]["not_after_today"]
    assert fields["workers_affected"]["min"] == 1 and fields["workers_affected"]["whole_number"]
    assert fields["amount_owed"]["greater_than"] == 0


def test_every_count_and_amount_in_the_catalog_has_a_lower_bound(session):
    for service in session.scalars(select(Service)):
        for spec in service.fields:
            if spec["type"] == "number":
                assert spec["min"] is not None or spec["greater_than"] is not None, (service.code, spec["name"])


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (
            lambda d: _field(d, WAGE, "period_end").update(after="period_start"),
            "services[16] hrss-wage-claim → fields → period_end → after: Extra inputs are not permitted",
        ),
        (
            lambda d: _field(d, WAGE, "period_end").update(not_before="period_begin"),
            "services[16] hrss-wage-claim: Value error, field 'period_end': not_before names 'period_begin', "
            "which is not a field of this service",
        ),
        (
            lambda d: _field(d, WAGE, "period_end").update(not_before="employer_name"),
            "field 'period_end': not_before names 'employer_name', which is not a date",
        ),
        (
            lambda d: _field(d, WAGE, "period_end").update(not_before="period_end"),
            "field 'period_end': not_before names the field itself",
        ),
        (
            lambda d: _field(d, WAGE, "employer_name").update(min=1),
            "services[16] hrss-wage-claim → fields → employer_name: Value error, field 'employer_name': only a number can have min",
        ),
        (
            lambda d: _field(d, WAGE, "period_start").update(greater_than=0),
            "field 'period_start': only a number can have greater_than",
        ),
        (
            lambda d: _field(d, WAGE, "amount_owed").update(not_before="period_start"),
            "field 'amount_owed': only a date can have not_before",
        ),
        (
            lambda d: _field(d, WAGE, "workers_affected").update(greater_than=0),
            "field 'workers_affected': give min or greater_than, not both",
        ),
        (
            lambda d: _field(d, WAGE, "workers_affected").update(min="one"),
            "services[16] hrss-wage-claim → fields → workers_affected → min",
        ),
    ],
)
def test_a_malformed_rule_names_the_service_and_field_and_loads_nothing(session, tmp_path, breakage, expected):
    data = raw_catalog()
    assert data["services"][WAGE]["code"] == "hrss-wage-claim"
    breakage(data)
    data["services"][WAGE]["name_zh"] = "改名"
    with pytest.raises(CatalogError) as caught:
        load_catalog(session, write(tmp_path, data))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    session.rollback()
    assert session.scalar(select(Service.name_zh).where(Service.code == "hrss-wage-claim")) == "欠薪投诉"


def test_the_load_command_prints_the_malformed_rule(runner, tmp_path):
    data = raw_catalog()
    _field(data, WAGE, "period_end")["not_before"] = "period_begin"
    result = runner.invoke(args=["catalog", "load", str(write(tmp_path, data))])
    assert result.exit_code == 1
    assert "hrss-wage-claim" in result.output and "'period_end': not_before names 'period_begin'" in result.output
