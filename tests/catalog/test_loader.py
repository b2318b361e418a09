from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from portal.catalog import CATALOG_FILE, CatalogError, load_catalog, read_catalog
from portal.models import Agency, County, Department, Service

CATALOG_CODES = [
    "psb-rp-apply", "psb-rp-endorse", "psb-rp-replace", "psb-hukou-cert", "psb-hukou-move",
    "psb-no-record", "psb-exit-entry", "amr-biz-register", "amr-biz-change", "amr-food-license",
    "amr-relocate", "eme-fireworks", "eme-hazchem", "eme-plan-filing", "hrss-pension-move",
    "hrss-employment", "hrss-wage-claim", "drc-invest-filing", "drc-joint-project",
    "drc-energy-review", "gov-dispute", "gov-biz-dispute", "gov-border-report",
]


def raw_catalog() -> dict:
    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_catalog_has_twelve_agencies_across_two_counties_and_six_departments(session):
    agencies = session.scalars(select(Agency)).all()
    assert len(agencies) == 12
    assert {(a.county, a.department) for a in agencies} == {
        (county, department) for county in County for department in Department
    }
    assert session.scalar(select(Agency.name_zh).where(Agency.code == "ys-drc")) == "玉山县发展和改革委员会"


def test_the_catalog_has_the_23_services_in_order_with_their_promise(session):
    services = session.scalars(select(Service).order_by(Service.position)).all()
    assert [s.code for s in services] == CATALOG_CODES
    by_code = {s.code: s for s in services}
    assert by_code["psb-rp-apply"].kind.value == "instant"
    assert by_code["psb-rp-apply"].promise_workdays == 0
    assert by_code["psb-hukou-cert"].promise_workdays == 1
    assert by_code["amr-biz-change"].promise_workdays == 2
    assert all(s.promise_workdays <= 3 <= 3 and s.statutory_workdays >= s.promise_workdays for s in services)
    assert all(s.materials and s.routing for s in services)


def test_routing_plans_keep_the_catalog_shapes(session):
    routing = dict(session.execute(select(Service.code, Service.routing)).all())
    hukou_move = routing["psb-hukou-move"]
    assert [[step["county"] for step in stage["steps"]] for stage in hukou_move] == [["receiving"], ["other"]]
    rp_apply = routing["psb-rp-apply"]
    assert [(s["county"], s["when"]) for s in rp_apply[0]["steps"]] == [
        ("residence", "always"), ("hukou", "hukou_local"),
    ]
    joint = routing["drc-joint-project"]
    assert [[(s["department"], s["county"]) for s in stage["steps"]] for stage in joint] == [
        [("drc", "both")], [("eme", "both")],
    ]


def test_a_second_load_changes_nothing_and_says_so(session):
    report = load_catalog(session)
    assert not report.changed
    assert report.unchanged == 35


def test_a_changed_entry_is_updated_in_place(session, tmp_path):
    data = raw_catalog()
    data["services"][0]["name_en"] = "Residence permit (first issue)"
    report = load_catalog(session, write(tmp_path, data))
    assert report.updated == ["psb-rp-apply"]
    assert session.scalar(select(func.count(Service.id))) == 23


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (lambda d: d["services"][3].update(department="tax"), "services[3] psb-hukou-cert → department"),
        (
            lambda d: d["services"][4]["routing"][1]["steps"][0].update(county="province"),
            "services[4] psb-hukou-move → routing → 1 → steps → 0 → county",
        ),
        (lambda d: d["services"].append(dict(d["services"][0])), "duplicate service code 'psb-rp-apply'"),
        (lambda d: d["agencies"][1].update(code="cs-psb"), "duplicate agency code 'cs-psb'"),
        (lambda d: d["services"][0].update(promise_workdays=5), "services[0] psb-rp-apply → promise_workdays"),
        (lambda d: d["services"][2]["materials"][0].update(file_types=["docx"]), "services[2] psb-rp-replace → materials"),
        (lambda d: d["services"][4].update(correction_workdays=0), "services[4] psb-hukou-move → correction_workdays"),
        (lambda d: d["services"][4].update(correction_workdays=100), "services[4] psb-hukou-move → correction_workdays"),
        (lambda d: d["services"][4].update(correction_workdays="five"), "services[4] psb-hukou-move → correction_workdays"),
        (lambda d: d.update(correction_workdays=61), "correction_workdays: Input should be less than or equal to 60"),
    ],
)
def test_a_malformed_catalog_names_the_entry_and_writes_nothing(session, tmp_path, breakage, expected):
    data = raw_catalog()
    breakage(data)
    before = session.scalar(select(Service.name_zh).where(Service.code == "psb-hukou-cert"))
    data["services"][3]["name_zh"] = "changed " + before
    with pytest.raises(CatalogError) as caught:
        load_catalog(session, write(tmp_path, data))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    session.rollback()
    assert session.scalar(select(Service.name_zh).where(Service.code == "psb-hukou-cert")) == before


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("agencies: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        read_catalog(path)


def test_the_load_command_reports_unchanged_then_refuses_a_bad_file(runner, tmp_path):
    result = runner.invoke(args=["catalog", "load"])
    assert result.exit_code == 0
    assert "Catalog unchanged (35 entries" in result.output
    data = raw_catalog()
    data["services"][0]["routing"][0]["steps"][0]["department"] = "army"
    result = runner.invoke(args=["catalog", "load", str(write(tmp_path, data))])
    assert result.exit_code == 1
    assert "services[0] psb-rp-apply → routing → 0 → steps → 0 → department" in result.output
    assert "nothing was changed" in result.output


def test_each_service_has_its_correction_time_or_the_catalogs_default(session):
    days = dict(session.execute(select(Service.code, Service.correction_workdays)).all())
    assert days["amr-food-license"] == 10
    assert days["psb-no-record"] == raw_catalog()["correction_workdays"] == 5


def test_the_load_command_refuses_a_correction_time_of_100_working_days_naming_the_entry(runner, tmp_path):
    data = raw_catalog()
    data["services"][5]["correction_workdays"] = 100
    result = runner.invoke(args=["catalog", "load", str(write(tmp_path, data))])
    assert result.exit_code == 1
    assert "services[5] psb-no-record → correction_workdays: Input should be less than or equal to 60" in result.output
    assert "nothing was changed" in result.output
