from datetime import UTC, datetime

import pytest

from portal.domain import DomainError, DomainErrors
from portal.domain.accounts import (
    authenticate,
    change_password,
    create_staff,
    end_sessions,
    register_resident,
)
from portal.models import County, Role, User
from tests.factories import PASSWORD, PASSWORDS, create_user, valid_id_number

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def register(session, **overrides):
    fields = {
        "real_name": "  王  小明 ",
        "id_number": valid_id_number(serial=5),
        "mobile": "13800000009",
        "password": PASSWORD,
        "passwords": PASSWORDS,
        "now": NOW,
    }
    fields.update(overrides)
    return register_resident(session, **fields)


def test_registration_stores_an_argon2id_hash_and_tidy_name(session):
    user = register(session)
    assert user.role is Role.resident
    assert user.real_name == "王 小明"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_the_same_id_number_cannot_register_twice(session):
    register(session)
    with pytest.raises(DomainError) as caught:
        register(session, mobile="13800000010")
    assert caught.value.field == "id_number"
    assert session.query(User).count() == 1


def test_the_same_mobile_cannot_register_twice(session):
    register(session)
    with pytest.raises(DomainError) as caught:
        register(session, id_number=valid_id_number(serial=6))
    assert caught.value.field == "mobile"


@pytest.mark.parametrize("password", ["short", "x" * 129])
def test_passwords_outside_8_to_128_characters_are_refused(session, password):
    with pytest.raises(DomainError) as caught:
        register(session, password=password)
    assert caught.value.field == "password"


def test_a_64_character_password_is_accepted(session):
    long_password = "长城-great-wall-2026-" * 3 + "abcdefg"
    assert len(long_password) == 64
    user = register(session, password=long_password)
    assert authenticate(session, user.mobile, long_password, NOW, passwords=PASSWORDS) == user


@pytest.mark.parametrize("password", ["12345678", "Password", "aaaaaaaaaa", "x13800000009x"])
def test_guessable_passwords_are_refused(session, password):
    with pytest.raises(DomainError) as caught:
        register(session, password=password)
    assert caught.value.field == "password"


def test_every_registration_problem_is_reported_at_once(session):
    with pytest.raises(DomainErrors) as caught:
        register(session, id_number="330822199001011230", mobile="12", password="x")
    assert [e.field for e in caught.value.errors] == ["id_number", "mobile", "password"]


def test_residents_sign_in_with_mobile_or_id_number_and_staff_with_username(session):
    resident = register(session)
    clerk = create_user(session, "clerk", username="Clerk.CS")
    assert authenticate(session, "13800000009", PASSWORD, NOW, passwords=PASSWORDS) == resident
    assert authenticate(session, resident.id_number.lower(), PASSWORD, NOW, passwords=PASSWORDS) == resident
    assert authenticate(session, "clerk.cs", PASSWORD, NOW, passwords=PASSWORDS) == clerk
    assert resident.last_login_at == NOW


def test_a_wrong_password_or_unknown_login_signs_nobody_in(session):
    register(session)
    assert authenticate(session, "13800000009", "wrong-password", NOW, passwords=PASSWORDS) is None
    assert authenticate(session, "13899999999", PASSWORD, NOW, passwords=PASSWORDS) is None


def test_a_deactivated_account_cannot_sign_in(session):
    user = register(session)
    user.active = False
    assert authenticate(session, user.mobile, PASSWORD, NOW, passwords=PASSWORDS) is None


def test_ending_sessions_changes_the_cookie_identity(session):
    user = register(session)
    before = user.get_id()
    end_sessions(session, user)
    assert user.get_id() != before


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(session):
    user = register(session)
    before = user.get_id()
    with pytest.raises(DomainError) as caught:
        change_password(session, user, "not-it", "another-password", passwords=PASSWORDS)
    assert caught.value.field == "current_password"
    change_password(session, user, PASSWORD, "another-password", passwords=PASSWORDS)
    assert user.get_id() != before
    assert authenticate(session, user.mobile, "another-password", NOW, passwords=PASSWORDS) == user


def test_clerks_need_a_window_and_officers_a_known_agency(session):
    with pytest.raises(DomainError) as caught:
        create_staff(session, username="c", real_name="c", role=Role.clerk, password=PASSWORD, passwords=PASSWORDS, now=NOW)
    assert caught.value.field == "window"
    with pytest.raises(DomainError) as caught:
        create_staff(
            session, username="o", real_name="o", role=Role.officer, password=PASSWORD, passwords=PASSWORDS, now=NOW,
            agency_code="xx-psb",
        )
    assert caught.value.field == "agency"
    officer = create_staff(
        session, username="o", real_name="o", role=Role.officer, password=PASSWORD, passwords=PASSWORDS, now=NOW,
        agency_code="ys-hrss",
    )
    assert officer.agency.county is County.yushan


def test_staff_usernames_are_unique_whatever_the_case(session):
    create_user(session, "admin", username="root")
    with pytest.raises(DomainError) as caught:
        create_user(session, "supervisor", username="ROOT")
    assert caught.value.field == "username"


def test_a_hash_made_with_older_parameters_is_rehashed_at_owasps_setting_at_sign_in(session):
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    from portal.config import ARGON2_OWASP
    from portal.domain.passwords import Passwords

    resident = register(session)
    resident.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(PASSWORD)
    owasp = Passwords(**ARGON2_OWASP)
    assert authenticate(session, "13800000009", PASSWORD, NOW, passwords=owasp) == resident
    assert "$m=19456,t=2,p=1$" in resident.password_hash and not owasp.needs_rehash(resident.password_hash)
    with pytest.raises(VerificationError):
        PasswordHasher(**ARGON2_OWASP).verify(resident.password_hash, "wrong-password")
    assert authenticate(session, "13800000009", PASSWORD, NOW, passwords=owasp) == resident
