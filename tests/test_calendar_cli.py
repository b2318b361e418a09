"""The calendar CLI's output forms are a contract; these pin them."""

import pytest


@pytest.mark.parametrize(
    "start, workdays, expected",
    [
        ("2025-09-30", "3", ["2025-10-11"]),
        ("2026-02-13", "3", ["2026-02-25"]),
        ("2026-03-01", "0", ["2026-03-02"]),
        ("2025-10-01", "0", ["2025-10-09"]),
    ],
)
def test_deadline_prints_the_due_date_alone_for_official_years(runner, start, workdays, expected):
    result = runner.invoke(args=["calendar", "deadline", "--from", start, "--workdays", workdays])
    assert result.exit_code == 0
    assert result.output.splitlines() == expected


def test_deadline_into_an_unloaded_year_prints_a_provisional_line_naming_it(runner, tmp_path):
    result = runner.invoke(args=["calendar", "deadline", "--from", "2026-12-30", "--workdays", "3"])
    lines = result.output.splitlines()
    assert lines[0] == "2027-01-05"
    assert lines[1].startswith("provisional:") and "2027" in lines[1]
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,workday,name\n2027-01-01,false,元旦\n2027-01-04,false,元旦\n", encoding="utf-8")
    imported = runner.invoke(args=["calendar", "import", str(schedule)])
    assert imported.exit_code == 0 and "2027" in imported.output
    result = runner.invoke(args=["calendar", "deadline", "--from", "2026-12-30", "--workdays", "3"])
    assert result.output.splitlines() == ["2027-01-06"]


def test_show_prints_each_day_of_the_month_with_kind_and_name(runner):
    lines = runner.invoke(args=["calendar", "show", "2025-10"]).output.splitlines()
    assert len(lines) == 31
    assert lines[0].startswith("2025-10-01") and "holiday" in lines[0] and "国庆节" in lines[0]
    assert lines[10].startswith("2025-10-11") and "makeup" in lines[10] and "workday" in lines[10]
    assert lines[11].startswith("2025-10-12") and "weekend" in lines[11]


def test_show_refuses_a_malformed_month(runner):
    result = runner.invoke(args=["calendar", "show", "October"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_seed_reports_days_added_or_kept(runner):
    # The command seeds up to a year past the real date and the suite's calendar
    # was seeded for the fixed NOW: the first run may add the years between.
    assert runner.invoke(args=["calendar", "seed"]).exit_code == 0
    result = runner.invoke(args=["calendar", "seed"])
    assert result.exit_code == 0
    assert "0 days added" in result.output and "kept" in result.output


def test_import_of_a_bad_file_changes_nothing(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,workday\n2027-01-04,perhaps\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "import", str(bad)])
    assert result.exit_code == 1 and "Not imported" in result.output
    assert runner.invoke(args=["calendar", "deadline", "--from", "2026-12-30", "--workdays", "3"]).output.startswith("2027-01-05")
