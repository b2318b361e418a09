"""Public tracking of a case, signed in or not: by case number and query
code on the tracking form, or by the signed link in the receipt's QR code;
and the lockout that keeps a query code from being guessed.

A query code is six digits, a million possibilities, and case numbers are
public (Open311). The limit per client address alone lets many addresses
share out the guesses, so wrong codes are also counted per case, in the
database, the same for every web worker and host: ``FAILURES_ALLOWED``
wrong codes within ``FAILURE_WINDOW`` lock the case's lookup by code for
``LOCKOUT`` from the last of them, refusing even the right code, and text
the applicant once. Refused lookups during a lockout are not counted, so a
lockout ends on time. An unknown case number answers as a wrong code does
and is counted against no case.

The receipt's link carries the case's id and number, signed with the
portal's secret key (itsdangerous, under a salt of its own) and no query
code. It cannot be made without the key, so it is not subject to the
lockout: whoever holds the receipt can open the case while someone else is
guessing its code. A link that does not verify finds nothing, as a wrong
code does.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from portal.domain.access import public_lookup
from portal.domain.sms import enqueue_lockout_warning
from portal.domain.text import typed_code
from portal.models import Case, TrackingFailure, TrackingLockout

FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(hours=1)
LOCKOUT = timedelta(hours=1)
LINK_SALT = "portal.case-tracking-link"
LINK_MAX = 200  # longer tokens are refused before they are read

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lookup:
    """What the tracking form found: the case; or nothing, said the same
    way for an unknown number and a wrong code; or, when ``locked_until``
    is set, a refusal because the case is locked until then."""

    case: Case | None = None
    locked_until: datetime | None = None


def track_by_code(session: Session, number: str, code: str, now: datetime) -> Lookup:
    """The case with this number (as ``access.public_lookup`` loads it)
    when ``code`` is its query code and the case is not locked. A wrong
    code is counted against the case; the one that reaches
    ``FAILURES_ALLOWED`` within ``FAILURE_WINDOW`` locks it."""
    found = session.execute(
        public_lookup().add_columns(_locked_until(now)).where(Case.number == typed_code(number).upper())
    ).first()
    if found is None:
        return Lookup()
    case, locked_until = found
    if locked_until is not None:
        return Lookup(locked_until=locked_until)
    if secrets.compare_digest(case.query_code.encode(), typed_code(code).encode()):
        return Lookup(case=case)
    return _count_failure(session, case, now)


def _in_force(case_id, now: datetime):
    """A lockout of the case that has not ended."""
    return and_(TrackingLockout.case_id == case_id, TrackingLockout.locked_until > now)


def _locked_until(now: datetime):
    """The end of the case's lockout in force, read with the case itself."""
    return select(func.max(TrackingLockout.locked_until)).where(_in_force(Case.id, now)).scalar_subquery()


def active_lockout(session: Session, case: Case, now: datetime) -> TrackingLockout | None:
    return session.scalar(
        select(TrackingLockout)
        .where(_in_force(case.id, now))
        .order_by(TrackingLockout.locked_until.desc())
        .limit(1)
    )


def _count_failure(session: Session, case: Case, now: datetime) -> Lookup:
    # Wrong codes for one case are counted one request at a time (a row
    # lock on PostgreSQL; SQLite writes one at a time anyway), so the one
    # that locks the case is one request and the applicant gets one text.
    session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    lockout = active_lockout(session, case, now)  # locked by another request meanwhile
    if lockout is not None:
        return Lookup(locked_until=lockout.locked_until)
    since = now - FAILURE_WINDOW
    session.execute(delete(TrackingFailure).where(TrackingFailure.case_id == case.id, TrackingFailure.failed_at <= since))
    session.add(TrackingFailure(case_id=case.id, failed_at=now))
    session.flush()
    failures = session.scalar(
        select(func.count()).where(TrackingFailure.case_id == case.id, TrackingFailure.failed_at > since)
    )
    if failures < FAILURES_ALLOWED:
        return Lookup()
    locked_until = now + LOCKOUT
    session.add(TrackingLockout(case_id=case.id, locked_at=now, locked_until=locked_until, failures=failures))
    # The failures are spent on this lockout: after it the count starts again.
    session.execute(delete(TrackingFailure).where(TrackingFailure.case_id == case.id))
    enqueue_lockout_warning(session, case, locked_until, now)
    session.flush()
    log.warning("tracking by query code locked for case id %s after %s wrong codes", case.id, failures)
    return Lookup(locked_until=locked_until)


def _signer(key: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=LINK_SALT)


def tracking_token(case: Case, key: str | bytes) -> str:
    """The signed token of the receipt's link: the case's id and number,
    no query code."""
    return _signer(key).dumps([case.id, case.number])


def read_link(token: str, key: str | bytes) -> tuple[int, str] | None:
    """The case id and number a receipt's token carries; None for a token
    that is too long, tampered with, or signed with another key or salt."""
    if len(token) > LINK_MAX:
        return None
    try:
        case_id, number = _signer(key).loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(case_id, int) or not isinstance(number, str):
        return None
    return case_id, number


def track_by_link(session: Session, token: str, key: str | bytes) -> Case | None:
    """The case a receipt's link names; None for a token that does not
    verify (``read_link``) or names no case."""
    named = read_link(token, key)
    if named is None:
        return None
    case_id, number = named
    return session.scalar(public_lookup().where(Case.id == case_id, Case.number == number))
