"""Rules for the identity facts residents give us: resident ID number
(居民身份证号码, GB 11643), mobile number and password."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from portal.domain import DomainError
from portal.domain.text import typed_code

MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 128


def normalise_id_number(value: str, today: date) -> str:
    """Return the 18-character ID number in canonical form (upper-case X).

    Checks length, digits, the GB 11643 check digit (python-stdnum), a real
    birth date that is not in the future, and a known region code.
    """
    number = ric.compact(typed_code(value)).upper()
    if not number:
        raise DomainError(_l("Enter your resident ID number."), "id_number")
    if len(number) != 18:
        raise DomainError(_l("A resident ID number has 18 characters."), "id_number")
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise DomainError(
            _l("A resident ID number is 17 digits followed by a digit or X."), "id_number"
        )
    if ric.calc_check_digit(number) != number[-1]:
        raise DomainError(
            _l("This ID number's check digit is wrong. Check it against your ID card."),
            "id_number",
        )
    try:
        ric.get_birth_date(number)
    except InvalidComponent:
        raise DomainError(_l("This ID number does not contain a real birth date."), "id_number") from None
    if not _known_region(number[:6]):
        raise DomainError(_l("This ID number does not start with a known region code."), "id_number")
    if ric.get_birth_date(number) > today:
        raise DomainError(_l("This ID number's birth date is in the future."), "id_number")
    return number


def _known_region(code: str) -> bool:
    """A region code that exists or existed. The number keeps the region of
    first registration, which may postdate the birth year (someone born in
    1985 and first registered in Yushan in 2005 has 361123, a code created
    in 2000), so python-stdnum's check against the birth year is too strict."""
    return any(props for _part, props in numdb.get("cn/loc").info(code))


# Region codes of first registration that are ours: Changshan (衢州市常山县)
# and Yushan, whose code was 362323 under 上饶地区 before 2000 and 361123 since.
OUR_REGIONS = {"330822": "changshan", "361123": "yushan", "362323": "yushan"}


def home_county(id_number: str | None) -> str | None:
    """Changshan or Yushan when the ID number was first registered there: a
    first guess at the household registration, which the person may change
    (the number keeps the region of first registration)."""
    return OUR_REGIONS.get((id_number or "")[:6])


def normalise_mobile(value: str) -> str:
    number = typed_code(value).replace(" ", "").replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE_PATTERN.match(number):
        raise DomainError(
            _l("Enter a mainland mobile number: 11 digits starting with 13 to 19."), "mobile"
        )
    return number


COMMON_PASSWORDS = frozenset(
    {
        "12345678", "123456789", "1234567890", "87654321", "11111111", "88888888", "66666666",
        "00000000", "password", "password1", "passw0rd", "qwertyui", "qwerty123", "abc12345",
        "a1234567", "1qaz2wsx", "iloveyou", "woaini1314", "aa123456", "asdfghjk", "zxcvbnm1",
    }
)


def check_password(password: str, field: str = "password", personal=()) -> None:
    """8 to 128 characters, not a well-known password, not the user's own
    ID number, mobile or username, not one character repeated."""
    if len(password or "") < PASSWORD_MIN:
        raise DomainError(_l("Use at least %(n)d characters.", n=PASSWORD_MIN), field)
    if len(password) > PASSWORD_MAX:
        raise DomainError(_l("Use at most %(n)d characters.", n=PASSWORD_MAX), field)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) == 1 or any(p and p.lower() in lowered for p in personal):
        raise DomainError(
            _l("This password is too easy to guess. Avoid common passwords and your own ID or mobile number."), field
        )


def mask_id_number(number: str | None) -> str:
    """Show the region and the last four characters only."""
    if not number:
        return ""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_mobile(number: str | None) -> str:
    if not number:
        return ""
    return number[:3] + "****" + number[-4:]


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; Latin names keep their first letter."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
