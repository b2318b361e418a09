"""What people and partner systems type, made comparable and safe to show
to someone else: the one place the portal normalises and screens text.

- Codes (ID numbers, mobile numbers, case numbers, query codes, permit
  numbers and check codes) are NFKC-normalised and trimmed before they are
  checked or looked up, so ``１３８００００００００１`` typed on a full-width
  keyboard is the same number as ``13800000001``, not a new account.
- Names of people allow Chinese characters, the middle dot of minority
  names (·) and Latin letters, within a length limit.
- Free text shown to another person (notes, reasons, answers, comments)
  refuses format characters (Unicode category Cf: bidirectional overrides,
  zero-width characters) and control characters, which can make a text
  display as something other than what it says. It is not NFKC-normalised:
  that would turn Chinese punctuation (，：) into ASCII.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

from portal.domain import DomainError

NAME_MAX = 50
MIDDLE_DOT = "\u00b7"
# Dots people type for the middle dot of a minority name (阿沛·阿旺晋美):
# katakana middle dot, bullet, hyphenation point, dot operators, one-dot leader.
MIDDLE_DOT_LOOKALIKES = dict.fromkeys(map(ord, "\u30fb\uff65\u2022\u2027\u2219\u22c5\u2024\u0387"), MIDDLE_DOT)
# Line breaks and tabs are all the control characters a multi-line text keeps.
KEPT_IN_MULTILINE = frozenset("\n\t")
HAN_RANGES = (
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F), (0x3007, 0x3007),
)
HIDDEN_CHARACTERS = _l(
    "Remove the hidden formatting or control characters (such as a text-direction mark or a zero-width space)."
)


def typed_code(value: str | None) -> str:
    """A code as typed: NFKC-normalised (full-width digits and letters
    become ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def hidden_character(text: str, multiline: bool = False) -> str | None:
    """The first character that would not show as itself: a format (Cf),
    control (Cc), line or paragraph separator, private-use or unassigned
    character. Line breaks and tabs pass in multi-line text."""
    for char in text:
        if multiline and char in KEPT_IN_MULTILINE:
            continue
        if unicodedata.category(char) in ("Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            return char
    return None


def free_text(value: str | None, field: str, limit: int, *, multiline: bool = True) -> str:
    """Text someone else will read, trimmed (line ends as ``\\n``); refused
    when it hides characters or is longer than ``limit``. May be empty."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if hidden_character(text, multiline) is not None:
        raise DomainError(HIDDEN_CHARACTERS, field)
    if len(text) > limit:
        raise DomainError(_l("Use at most %(n)d characters.", n=limit), field)
    return text


def required_text(value: str | None, field: str = "reason", limit: int = 1000) -> str:
    """A reason or opinion staff must give: not blank, at most ``limit``
    characters, nothing hidden."""
    text = free_text(value, field, limit)
    if not text:
        raise DomainError(_l("Give the reason."), field)
    return text


def _han(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in HAN_RANGES)


def _latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def person_name(value: str | None, field: str, limit: int = NAME_MAX) -> str:
    """A person's name as on an ID card: Chinese characters, the middle dot
    of minority names, Latin letters (with spaces, hyphens and apostrophes
    between them); NFKC-normalised, spaces collapsed, look-alike dots made
    the middle dot. Empty when nothing was given: the caller says whether a
    name is required."""
    raw = value or ""
    if hidden_character(raw) is not None:
        raise DomainError(HIDDEN_CHARACTERS, field)
    name = " ".join(unicodedata.normalize("NFKC", raw).translate(MIDDLE_DOT_LOOKALIKES).split())
    if len(name) > limit:
        raise DomainError(_l("Use at most %(n)d characters.", n=limit), field)
    if not all(_han(c) or _latin_letter(c) or c in (MIDDLE_DOT, " ", "-", "'") for c in name):
        raise DomainError(
            _l("Write the name as on the ID card: Chinese characters, Latin letters and the middle dot (·) only."),
            field,
        )
    if name and not (_han(name[0]) or _latin_letter(name[0])) or name and not (_han(name[-1]) or _latin_letter(name[-1])):
        raise DomainError(_l("A name starts and ends with a character or a letter."), field)
    return name
