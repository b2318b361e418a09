from datetime import date

import pytest

from portal.domain import DomainError
from portal.domain.identity import (
    mask_id_number,
    mask_mobile,
    mask_name,
    normalise_id_number,
    normalise_mobile,
)
from tests.factories import valid_id_number

TODAY = date(2026, 11, 28)


def test_a_valid_id_number_is_accepted_and_a_lower_case_x_made_upper():
    number = valid_id_number(region="330822", birth="19900101", serial=123)
    assert normalise_id_number(number, TODAY) == number
    for serial in range(1000):
        candidate = valid_id_number(birth="19800101", serial=serial)
        if candidate.endswith("X"):
            assert normalise_id_number(candidate.lower(), TODAY) == candidate
            break
    else:
        pytest.fail("no serial gave an X check digit")


def test_a_yushan_number_issued_after_the_code_changed_is_accepted_for_an_older_birth_year():
    # 361123 exists since 2000; someone born in 1985 who first registered
    # in Yushan later carries it.
    number = valid_id_number(region="361123", birth="19850520", serial=331)
    assert normalise_id_number(number, TODAY) == number


@pytest.mark.parametrize(
    "number, message",
    [
        ("", "Enter your resident ID number."),
        ("33082219900101123", "A resident ID number has 18 characters."),
        ("3308221990010112345", "A resident ID number has 18 characters."),
        ("33082219900101A238", "17 digits followed by a digit or X"),
        ("330822199001011230", "check digit is wrong"),
    ],
)
def test_malformed_id_numbers_are_refused_with_the_reason(number, message):
    with pytest.raises(DomainError) as caught:
        normalise_id_number(number, TODAY)
    assert message in str(caught.value)
    assert caught.value.field == "id_number"


def test_an_impossible_birth_date_is_refused():
    with pytest.raises(DomainError, match="real birth date"):
        normalise_id_number(valid_id_number(birth="19900230"), TODAY)


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(DomainError, match="in the future"):
        normalise_id_number(valid_id_number(birth="20261129"), TODAY)
    assert normalise_id_number(valid_id_number(birth="20261128"), TODAY)


def test_an_unknown_region_code_is_refused():
    with pytest.raises(DomainError, match="region code"):
        normalise_id_number(valid_id_number(region="999999"), TODAY)


@pytest.mark.parametrize("given", ["13812345678", "138 1234 5678", "+8613812345678", "19912345678"])
def test_mainland_mobile_numbers_are_normalised(given):
    assert normalise_mobile(given) in ("13812345678", "19912345678")


@pytest.mark.parametrize("given", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_other_mobile_numbers_are_refused(given):
    with pytest.raises(DomainError) as caught:
        normalise_mobile(given)
    assert caught.value.field == "mobile"


def test_personal_data_is_masked_for_lists():
    assert mask_id_number("330822199001011238") == "330***********1238"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_name("王小明") == "王**"
    assert mask_name("王") == "王*"


from flask_babel import force_locale  # noqa: E402

from portal.domain.identity import PASSWORD_MIN_SCORE, check_password, password_strength  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402


@pytest.mark.parametrize("password", ["password123", "qwerty12", "abcd1234", "welcome1", "Passw0rd!", "iloveyou2"])
def test_common_and_guessable_passwords_are_refused_by_zxcvbn(password):
    with pytest.raises(DomainError) as caught:
        check_password(password)
    assert caught.value.field == "password"
    assert password_strength(password)[0] < PASSWORD_MIN_SCORE


@pytest.mark.parametrize("password", ["demo-pass-2026", PASSWORD, "brand-new-password", "长城-great-wall-2026-"])
def test_the_demo_and_test_passwords_are_strong_enough(password):
    check_password(password, personal=("330822199001011238", "13800000001", "clerk.cs"), real_name="王小明")


def test_a_password_built_from_the_users_own_name_is_refused_with_that_reason(app):
    with pytest.raises(DomainError) as caught:
        check_password("wangxiaoming1", personal=("330822199001011238", "13800000001"), real_name="wangxiaoming")
    with app.test_request_context(), force_locale("en"):
        assert "your name, ID number, mobile number or username" in str(caught.value.message)


@pytest.mark.parametrize(
    ("password", "zh", "en"),
    [
        ("password123", "最常见", "most common"),
        ("zxcvbnm,./", "键盘", "Keyboard patterns"),
        ("abcdefghij", "连续序列", "Sequences"),
        ("abcabcabcabc", "重复", "Repeated"),
    ],
)
def test_the_reason_is_ours_and_translated_not_zxcvbns_text(app, password, zh, en):
    with pytest.raises(DomainError) as caught:
        check_password(password)
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert zh in str(caught.value.message)
        with force_locale("en"):
            assert en in str(caught.value.message)
