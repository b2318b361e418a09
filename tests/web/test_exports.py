"""Every CSV export writes its cells through one function, so no cell a
person typed runs as a formula in a spreadsheet (OWASP "CSV injection").
Each export is checked in test_dashboard.py."""

import pytest

from portal.web.exports import spreadsheet_safe


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_gets_a_leading_quote(start):
    assert spreadsheet_safe(start + "HYPERLINK(\"http://evil.test\")") == "'" + start + "HYPERLINK(\"http://evil.test\")"


@pytest.mark.parametrize("text", ["", "无犯罪记录证明", "KSCS202610010001", "2026-10-01T02:00:00+00:00", "a=b", " =1"])
def test_other_text_is_left_as_it_is(text):
    assert spreadsheet_safe(text) == text


@pytest.mark.parametrize("number", [-3, 0, 12, -1.5, 2.25])
def test_numbers_the_export_writes_itself_stay_numbers(number):
    assert spreadsheet_safe(number) == number
