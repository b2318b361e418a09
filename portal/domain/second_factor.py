"""The staff's second factor: time-based one-time codes (RFC 6238, 30-second
steps, 6 digits) and ten single-use recovery codes.

Who must use it is a policy (``PORTAL_STAFF_SECOND_FACTOR``): supervisors
and administrators always, clerks and officers too under ``all``. Anyone
enrolled is asked for a code, required or not.

Signing in is two steps. After the password the session is not signed in:
it carries a signed *pending* marker (the user, a nonce stored on the
account, the moment of the password) that the code step redeems. A new
password sign-in replaces the nonce; five wrong codes clear it, and the
person starts again from the password. A code is accepted once: the last
time step used is stored and only later steps are accepted, within one
step either side of now. Recovery codes are stored as their SHA-256 (they
are 80 random bits, so a fast hash is enough) and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.events import record_event
from portal.domain.text import typed_code
from portal.models import RecoveryCode, Role, User

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now
MAX_FAILURES = 5
RECOVERY_CODES = 10
PENDING_MAX_AGE = 600  # seconds from the password to the code
ISSUER = "常山玉山跨省通办"
# The demo supervisor's and admin's secret, published in README so anyone
# trying the portal can compute their codes. Never enrolled otherwise, and
# production refuses to start while an account holds it.
DEMO_SECRET = "KSBTDEMOKSBTDEMOKSBTDEMOKSBTDEMO"
POLICIES = ("oversight", "all")
_OVERSIGHT = (Role.supervisor, Role.admin)
_SALT = "second-factor-pending"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
WRONG_CODE = _l("The code is not correct, or it was used already. Enter the code your app shows now.")


def required(user: User, policy: str) -> bool:
    """Whether ``user`` must have a second factor under ``policy``."""
    if user.role in _OVERSIGHT:
        return True
    return policy == "all" and user.role in (Role.clerk, Role.officer)


def enrolled(user: User) -> bool:
    return user.totp_enrolled_at is not None


def asks_for_code(user: User, policy: str) -> bool:
    """Whether the password alone does not sign ``user`` in."""
    return user.role.is_staff and (enrolled(user) or required(user, policy))


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code of ``secret`` for one time step (what an authenticator app shows)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address the enrolment QR code carries."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.username or str(user.id), issuer_name=ISSUER
    )


def start_enrolment(session: Session, user: User) -> str:
    """The secret to enrol: a new random one, kept on the account until
    the first good code confirms it (the same one on every visit)."""
    if enrolled(user):
        raise DomainError(_l("A second factor is already set up for this account."), "status")
    if not user.totp_secret or user.totp_secret == DEMO_SECRET and not user.is_demo:
        user.totp_secret = pyotp.random_base32(32)
        session.flush()
    return user.totp_secret


def _take_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Accept a 6-digit code of a step later than the last used one, within
    the window; store its step. The update is conditional, so two requests
    with the same code cannot both succeed."""
    if not user.totp_secret or len(code) != DIGITS or not code.isdigit():
        return False
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(code_at(user.totp_secret, step), code):
            last = User.totp_last_step
            taken = session.execute(
                update(User)
                .where(User.id == user.id, (last.is_(None)) | (last < step))
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken:
                user.totp_last_step = step
            return bool(taken)
    return False


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _clean(code: str | None) -> str:
    return typed_code(code).lower().replace(" ", "").replace("-", "")


def new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the account's recovery codes with ten new ones; returns them
    (shown once, never stored in the clear)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw), created_at=now))
    session.flush()
    return codes


def confirm_enrolment(session: Session, user: User, code: str, now: datetime) -> list[str]:
    """The first good code confirms the secret; returns the recovery codes."""
    if enrolled(user):
        raise DomainError(_l("A second factor is already set up for this account."), "status")
    if not _take_code(session, user, _clean(code), now):
        raise DomainError(_l("The code is not correct. Enter the 6 digits your app shows now."), "code")
    user.totp_enrolled_at = now
    record_event(session, subject="account", actor=user, account=user, action="second_factor_enrolled", now=now)
    return new_recovery_codes(session, user, now)


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def check_code(session: Session, user: User, code: str, now: datetime) -> str:
    """Accept a one-time code or an unused recovery code; returns which
    (``"totp"`` or ``"recovery"``). Raises DomainError on ``code``."""
    cleaned = _clean(code)
    if _take_code(session, user, cleaned, now):
        return "totp"
    if len(cleaned) == 16:
        used = session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _recovery_hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if used:
            record_event(session, subject="account", actor=user, account=user, action="recovery_code_used", now=now)
            return "recovery"
    raise DomainError(WRONG_CODE, "code")


def reset(session: Session, user: User) -> None:
    """Forget the second factor: the next sign-in enrols again when required."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    user.second_factor_nonce = None
    user.second_factor_failures = 0
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


def enrol_demo(session: Session, user: User, now: datetime) -> None:
    """Enrol a demo account with the published demo secret."""
    if not user.is_demo:
        raise DomainError(_l("Only demo accounts use the demo secret."), "status")
    user.totp_secret = DEMO_SECRET
    user.totp_enrolled_at = now
    session.flush()


def demo_secret_present(session: Session) -> bool:
    return bool(session.scalar(select(User.id).where(User.totp_secret == DEMO_SECRET).limit(1)))


# The pending sign-in ----------------------------------------------------


@dataclass(frozen=True)
class Pending:
    user: User
    enrolling: bool


def _serializer(key: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT)


def begin_pending(session: Session, user: User, now: datetime, key: str | bytes) -> str:
    """After a good password: the signed marker the session keeps until the
    code (or the enrolment) is given. Replaces any earlier pending sign-in."""
    user.second_factor_nonce = secrets.token_urlsafe(16)
    user.second_factor_failures = 0
    session.flush()
    return _serializer(key).dumps([user.id, user.second_factor_nonce, int(now.timestamp())])


def find_pending(session: Session, marker: str | None, now: datetime, key: str | bytes, policy: str) -> Pending | None:
    """The sign-in a marker stands for, or None when it is missing,
    tampered with, older than ``PENDING_MAX_AGE``, replaced, used up by
    wrong codes, or its account was disabled since."""
    if not marker or len(marker) > 300:
        return None
    try:
        user_id, nonce, issued = _serializer(key).loads(marker)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(nonce, str) or not isinstance(issued, int):
        return None
    if not 0 <= now.timestamp() - issued <= PENDING_MAX_AGE:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or not user.second_factor_nonce:
        return None
    if not hmac.compare_digest(user.second_factor_nonce, nonce):
        return None
    return Pending(user, enrolling=not enrolled(user) and required(user, policy))


def give_code(session: Session, user: User, code: str, now: datetime) -> tuple[str | None, bool]:
    """The code step: ``(kind, False)`` for a good code, ``(None, used_up)``
    for a wrong one, counted so that it is kept when the caller commits."""
    try:
        kind = check_code(session, user, code, now)
    except DomainError:
        return None, wrong_code(session, user)
    finish_pending(session, user)
    return kind, False


def pending_user_id(marker: str | None, key: str | bytes) -> int | None:
    """The account a marker names, unchecked (for counting attempts per account)."""
    try:
        user_id = _serializer(key).loads(marker or "")[0]
    except (BadData, TypeError, ValueError, IndexError, KeyError):
        return None
    return user_id if isinstance(user_id, int) else None


def wrong_code(session: Session, user: User) -> bool:
    """Count a wrong code; True when the pending sign-in is used up (the
    person goes back to the password)."""
    user.second_factor_failures += 1
    if user.second_factor_failures >= MAX_FAILURES:
        user.second_factor_nonce = None
        user.second_factor_failures = 0
    session.flush()
    return user.second_factor_nonce is None


def finish_pending(session: Session, user: User) -> None:
    user.second_factor_nonce = None
    user.second_factor_failures = 0
    session.flush()
