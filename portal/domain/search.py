"""The staff's case search: one box at the desk, in the agency's queue and
in oversight that finds a case by what is at hand.

What the box takes, read in this order:

- the receipt's QR code: the signed tracking link ``…/track/<token>`` a
  scanner types, or the token alone (``domain.tracking``);
- the applicant's ID number (18 characters, a final ``x`` read as ``X``)
  or mainland mobile number (11 digits, ``+86`` and spaces allowed),
  matched exactly;
- a case number, whole or its first ``NUMBER_PREFIX_MIN`` characters or
  more: letters and digits, both;
- else part of the applicant's name, at least ``NAME_MIN`` characters.

Each is found only among the cases the searcher may see
(``access.searchable_cases``). ID and mobile numbers are stored as given
(normalised, not hashed or encrypted: the window reads them back), so they
are matched as stored, through their own indexes; a case number through
its unique index. A name is found by "contains", which no index serves:
those results come newest first, ``PER_PAGE`` at a time, never counted,
and at most ``MAX_PAGES`` pages deep, so a common surname costs one short
scan of the newest cases, not the whole table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from portal.domain import DomainError
from portal.domain.access import searchable_cases
from portal.domain.catalog import LISTED_SERVICE
from portal.domain.identity import MOBILE_PATTERN
from portal.domain.limits import CASE_NUMBER_MAX
from portal.domain.text import person_name, typed_code
from portal.domain.tracking import read_link
from portal.models import Case, Role, Task, User

FIELD = "q"
QUERY_MAX = 300  # a tracking link with the portal's address fits
# KS, the window and the date: a prefix names at most one window's day, so
# even an officer whose agency has none of those cases reads a day's rows,
# not every case since the portal opened (6 characters read 500,000 at 1M).
NUMBER_PREFIX_MIN = 12
NAME_MIN = 2
PER_PAGE = 20
MAX_PAGES = 10

BY_LINK, BY_ID_NUMBER, BY_MOBILE, BY_NUMBER, BY_NAME = "link", "id_number", "mobile", "number", "name"
EXACT = (BY_LINK, BY_ID_NUMBER, BY_MOBILE)
PERSONAL = (BY_ID_NUMBER, BY_MOBILE)  # pages do not show these in full

TRACK_PATH = "/track/"
TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")  # itsdangerous: payload.signature
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
CASE_NUMBER = re.compile(r"^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]+$")

WHAT_TO_ENTER = _l("Enter a case number, scan the receipt's QR code, or enter an ID number, a mobile number or a name.")


@dataclass(frozen=True)
class Query:
    """What the box was read as: its kind and the value to look for (for a
    link, the case's id and number)."""

    kind: str
    value: str
    case_id: int | None = None


@dataclass(frozen=True)
class Found:
    """One page of the cases a search found, newest first."""

    query: Query
    cases: list[Case]
    page: int
    more: bool  # another page follows
    capped: bool = False  # more matches than MAX_PAGES pages show

    @property
    def single_exact(self) -> Case | None:
        """The one case an exact search (the QR code, an ID or mobile
        number, a whole case number) found on its first page."""
        if self.page != 1 or len(self.cases) != 1:
            return None
        case = self.cases[0]
        exact = self.query.kind in EXACT or (self.query.kind == BY_NUMBER and case.number == self.query.value)
        return case if exact else None


def read_query(text: str | None, key: str | bytes) -> Query:
    """What the searcher typed or scanned, as one kind of query; a message
    for the box when it is none of them."""
    typed = typed_code(text)
    if not typed:
        raise DomainError(WHAT_TO_ENTER, FIELD)
    if len(typed) > QUERY_MAX:
        raise DomainError(_l("Use at most %(n)d characters.", n=QUERY_MAX), FIELD)
    if TRACK_PATH in typed or TOKEN.match(typed):
        return _link(typed, key)
    compact = typed.replace(" ", "").replace("-", "").upper()
    if compact.startswith("+86"):
        compact = compact[3:]
    if ID_NUMBER.match(compact):
        return Query(BY_ID_NUMBER, compact)
    if compact.isdigit():
        if len(compact) == 11 and MOBILE_PATTERN.match(compact):
            return Query(BY_MOBILE, compact)
        raise DomainError(_l("A mobile number has 11 digits, an ID number 18 characters."), FIELD)
    if CASE_NUMBER.match(compact):
        if len(compact) > CASE_NUMBER_MAX:
            raise DomainError(_l("A case number has at most %(n)d characters.", n=CASE_NUMBER_MAX), FIELD)
        if len(compact) < NUMBER_PREFIX_MIN:
            raise DomainError(_l(
                    "Enter the whole case number or at least its first %(n)d characters, the window and the date, as in KSCS20261102.",
                    n=NUMBER_PREFIX_MIN,
                ), FIELD)
        return Query(BY_NUMBER, compact)
    try:
        name = person_name(typed, FIELD)
    except DomainError:
        raise DomainError(WHAT_TO_ENTER, FIELD) from None
    if len(name.replace(" ", "")) < NAME_MIN:
        raise DomainError(_l("Enter at least %(n)d characters of the name.", n=NAME_MIN), FIELD)
    return Query(BY_NAME, name)


def _link(typed: str, key: str | bytes) -> Query:
    token = typed.split(TRACK_PATH, 1)[-1]
    token = re.split(r"[/?#]", token, maxsplit=1)[0]
    named = read_link(token, key)
    if named is None:
        raise DomainError(_l("This QR code is not the receipt of a case of this portal, or it was changed."), FIELD)
    case_id, number = named
    return Query(BY_LINK, number, case_id)


def find_cases(session: Session, user: User, text: str | None, key: str | bytes, page: int = 1) -> Found:
    """The cases ``user`` may see that match what was typed or scanned,
    ``PER_PAGE`` a page, newest first, with their service (and, for an
    officer, the case's tasks, to open theirs) loaded: one statement each.
    ``key`` is the tracking links' key; ``page`` runs from 1 to ``MAX_PAGES``."""
    query = read_query(text, key)
    page = min(max(page, 1), MAX_PAGES)
    statement = searchable_cases(user).options(selectinload(Case.service).options(*LISTED_SERVICE))
    if user.role is Role.officer:
        statement = statement.options(selectinload(Case.tasks).selectinload(Task.agency))
    if query.kind == BY_LINK:
        statement = statement.where(Case.id == query.case_id, Case.number == query.value)
    elif query.kind == BY_ID_NUMBER:
        statement = statement.where(Case.applicant_id_number == query.value)
    elif query.kind == BY_MOBILE:
        statement = statement.where(Case.applicant_mobile == query.value)
    elif query.kind == BY_NUMBER:
        # The range lets the number's index serve the prefix under any
        # collation (case numbers are capital letters and digits); the
        # LIKE keeps the answer exact whatever the collation orders.
        statement = statement.where(
            Case.number >= query.value,
            Case.number < query.value + "Z" * (CASE_NUMBER_MAX + 1 - len(query.value)),
            Case.number.startswith(query.value, autoescape=True),
        )
    elif query.value.lower() == query.value.upper():
        # Chinese characters have no case: a plain LIKE, several times
        # cheaper per row on PostgreSQL than comparing lower() of each name.
        statement = statement.where(Case.applicant_name.contains(query.value, autoescape=True))
    else:
        statement = statement.where(Case.applicant_name.icontains(query.value, autoescape=True))
    rows = session.scalars(
        statement.order_by(Case.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    ).all()
    beyond = len(rows) > PER_PAGE
    return Found(query, list(rows[:PER_PAGE]), page, beyond and page < MAX_PAGES, beyond and page == MAX_PAGES)
