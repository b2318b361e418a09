"""Rules for the identity facts residents give us: resident ID number
(居民身份证号码, GB 11643), mobile number and password."""

from __future__ import annotations

import re
import threading
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent
from zxcvbn import zxcvbn

from portal.domain import DomainError
from portal.domain.text import typed_code

MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 128
# The shortest ID number, mobile or username the floor looks for inside a password.
PERSONAL_MIN = 4


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
# zxcvbn's scores run 0–4. 3 means about 10^8 guesses or more: out of reach
# of online guessing behind the sign-in limits, and months of one core per
# account against an argon2id hash at OWASP's setting should the hashes ever
# leak. 4 (10^10) would refuse many passwords people can remember, such as
# three unrelated words.
PASSWORD_MIN_SCORE = 3
# zxcvbn looks at this many characters at most (its own default is 72 and
# its time grows with the length); a longer password is scored on its start,
# which can only underrate it: more characters never make a password easier.
ZXCVBN_MAX_LENGTH = 72
# zxcvbn keeps the user inputs in a module-level dictionary while it scores,
# so two threads scoring at once could see each other's inputs.
_ZXCVBN_LOCK = threading.Lock()

TOO_EASY = _l("This password is too easy to guess. Use a few unrelated words, or make it longer.")
COMMON = _l("This is one of the most common passwords.")
REPEATED = _l("Repeated characters or words are easy to guess.")
PERSONAL = _l("Do not build your password from your name, ID number, mobile number or username.")
# zxcvbn's warnings (English, in its own words) → ours, translated. A
# warning not listed here gets the general TOO_EASY.
ZXCVBN_WARNINGS = {
    "This is a top-10 common password.": COMMON,
    "This is a top-100 common password.": COMMON,
    "This is a very common password.": COMMON,
    "This is similar to a commonly used password.": _l("This is a common password with small changes."),
    "A word by itself is easy to guess.": _l("A single word is easy to guess. Add more unrelated words."),
    "Names and surnames by themselves are easy to guess.": _l("Names are easy to guess. Add more unrelated words."),
    "Common names and surnames are easy to guess.": _l("Names are easy to guess. Add more unrelated words."),
    "Straight rows of keys are easy to guess.": _l("Keyboard patterns such as qwerty are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Keyboard patterns such as qwerty are easy to guess."),
    'Repeats like "aaa" are easy to guess.': REPEATED,
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': REPEATED,
    'Sequences like "abc" or "6543" are easy to guess.': _l("Sequences such as abc or 1234 are easy to guess."),
    "Recent years are easy to guess.": _l("Dates and years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates and years are easy to guess."),
}


def password_strength(password: str, personal=()) -> tuple[int, object | None]:
    """zxcvbn's score for ``password`` with the user's own details as
    inputs, and our message for its weakest part (None when strong)."""
    inputs = [p for p in personal if p]
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs, max_length=ZXCVBN_MAX_LENGTH)
    if result["score"] >= PASSWORD_MIN_SCORE:
        return result["score"], None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return result["score"], PERSONAL
    return result["score"], ZXCVBN_WARNINGS.get(result["feedback"]["warning"], TOO_EASY)


def check_password(password: str, field: str = "password", personal=(), real_name: str | None = None) -> None:
    """8 to 128 characters; not a well-known password, not the user's own
    ID number, mobile or username, not one character repeated (the floor);
    and hard to guess: zxcvbn scores it at least PASSWORD_MIN_SCORE, given
    the user's name, ID number, mobile and username."""
    if len(password or "") < PASSWORD_MIN:
        raise DomainError(_l("Use at least %(n)d characters.", n=PASSWORD_MIN), field)
    if len(password) > PASSWORD_MAX:
        raise DomainError(_l("Use at most %(n)d characters.", n=PASSWORD_MAX), field)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        raise DomainError(COMMON, field)
    if len(set(lowered)) == 1:
        raise DomainError(REPEATED, field)
    # A username of two or three letters is in many good passwords by chance.
    if any(p and len(p) >= PERSONAL_MIN and p.lower() in lowered for p in personal):
        raise DomainError(PERSONAL, field)
    _score, weakness = password_strength(password, (*personal, real_name))
    if weakness is not None:
        raise DomainError(weakness, field)


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
