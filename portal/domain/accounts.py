"""Accounts: resident self-registration, staff creation, sign-in and the
session version that lets logout end every copy of a session."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import Collector, DomainError
from portal.domain.clock import local_date
from portal.domain.identity import check_password, normalise_id_number, normalise_mobile
from portal.domain.passwords import Passwords
from portal.domain.text import person_name, typed_code
from portal.models import Agency, County, Role, User

NAME_MAX = 50


def _check_real_name(real_name: str) -> str:
    name = person_name(real_name, "real_name", NAME_MAX)
    if not name:
        raise DomainError(_l("Enter your real name as shown on your ID card."), "real_name")
    return name


def _resident_checks(real_name: str, id_number: str, mobile: str, password: str, now: datetime):
    checks = Collector()
    name = checks.check(_check_real_name, real_name)
    number = checks.check(normalise_id_number, id_number, local_date(now))
    phone = checks.check(normalise_mobile, mobile)
    checks.check(check_password, password, personal=(number, phone), real_name=name)
    return checks, name, number, phone


def check_resident(*, real_name: str, id_number: str, mobile: str, password: str, now: datetime):
    """The name, ID number and mobile of a new resident in canonical form,
    once they and the password pass the rules; every problem is reported
    at once (DomainErrors). Whether they are registered already is not
    checked here: the web registration must not say so."""
    checks, name, number, phone = _resident_checks(real_name, id_number, mobile, password, now)
    checks.raise_any()
    return name, number, phone


def registered(session: Session, *, id_number: str | None = None, mobile: str | None = None) -> User | None:
    """The account holding this ID number or this mobile number, if any."""
    if id_number:
        user = session.scalar(select(User).where(User.id_number == id_number))
        if user is not None:
            return user
    if mobile:
        return session.scalar(select(User).where(User.mobile == mobile))
    return None


def create_resident(
    session: Session, *, real_name: str, id_number: str, mobile: str, password_hash: str, now: datetime,
    locale: str | None = None,
) -> User:
    """Add the resident account of checked details (``check_resident``)."""
    user = User(
        role=Role.resident,
        real_name=real_name,
        id_number=id_number,
        mobile=mobile,
        password_hash=password_hash,
        locale=locale,
        created_at=now,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Someone registered the same ID or mobile between our check and now.
        raise DomainError(_l("An account with these details already exists."), "id_number") from None
    return user


def register_resident(
    session: Session,
    *,
    real_name: str,
    id_number: str,
    mobile: str,
    password: str,
    passwords: Passwords,
    now: datetime,
    locale: str | None = None,
) -> User:
    """Create a resident account at once, without a texted code: for staff,
    demo data and tests (the web registration goes through
    ``domain.verification``). ID number and mobile are each used once.
    Every problem is reported at once (DomainErrors)."""
    checks, name, number, phone = _resident_checks(real_name, id_number, mobile, password, now)
    if number and session.scalar(select(User.id).where(User.id_number == number)):
        checks.errors.append(
            DomainError(_l("An account with this ID number already exists. Sign in instead."), "id_number")
        )
    if phone and session.scalar(select(User.id).where(User.mobile == phone)):
        checks.errors.append(DomainError(_l("This mobile number is already registered."), "mobile"))
    checks.raise_any()
    return create_resident(
        session, real_name=name, id_number=number, mobile=phone, password_hash=passwords.hash(password),
        now=now, locale=locale,
    )


def create_staff(
    session: Session,
    *,
    username: str,
    real_name: str,
    role: Role,
    password: str,
    passwords: Passwords,
    now: datetime,
    window_county: County | None = None,
    agency_code: str | None = None,
    is_demo: bool = False,
) -> User:
    """Create a staff account: clerks are bound to a window's county,
    officers to one agency."""
    if role is Role.resident:
        raise DomainError(_l("Residents register themselves."), "role")
    username = typed_code(username).lower()
    if not username or len(username) > 50:
        raise DomainError(_l("Enter a username of at most 50 characters."), "username")
    if session.scalar(select(User.id).where(User.username == username)):
        raise DomainError(_l("This username is taken."), "username")
    check_password(password, personal=(username,), real_name=real_name)
    agency = None
    if role is Role.clerk and window_county is None:
        raise DomainError(_l("A clerk must be bound to the Changshan or Yushan window."), "window")
    if role is Role.officer:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise DomainError(_l("An officer must be bound to a known agency."), "agency")
    user = User(
        role=role,
        username=username,
        real_name=_check_real_name(real_name),
        password_hash=passwords.hash(password),
        window_county=window_county if role is Role.clerk else None,
        agency=agency,
        is_demo=is_demo,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_by_login(session: Session, login: str) -> User | None:
    """Staff sign in by username; residents by mobile or ID number."""
    login = typed_code(login)
    if not login:
        return None
    return session.scalar(
        select(User).where(
            or_(
                User.username == login.lower(),
                User.mobile == login,
                User.id_number == login.upper(),
            )
        )
    )


def authenticate(session: Session, login: str, password: str, now: datetime, *, passwords: Passwords) -> User | None:
    """Return the active user these credentials belong to, or None."""
    return check_sign_in(session, find_by_login(session, login), password, now, passwords=passwords)


def check_sign_in(session: Session, user: User | None, password: str, now: datetime, *, passwords: Passwords) -> User | None:
    """The sign-in of ``user`` (found by find_by_login, None when the login
    named nobody) if the password is theirs and the account active.

    Whether the login exists must not show in the time taken: each way
    costs one argon2 verification, an unknown login against a dummy hash.
    Only a right password costs more (the rehash after a parameter change,
    the last sign-in's time), which no one guessing can observe."""
    if user is None:
        passwords.dummy_verify(password)
        return None
    if not passwords.verify(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_login_at = now
    session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie issued to this user so far."""
    user.session_version += 1
    session.flush()


def change_password(session: Session, user: User, current: str, new: str, *, passwords: Passwords) -> None:
    if not passwords.verify(user.password_hash, current):
        raise DomainError(_l("Your current password is not correct."), "current_password")
    check_password(new, "new_password", personal=(user.id_number, user.mobile, user.username), real_name=user.real_name)
    user.password_hash = passwords.hash(new)
    end_sessions(session, user)


def find_resident(session: Session, login: str) -> User | None:
    """The active resident whose mobile or ID number this is (staff do not
    reset their passwords here: an administrator does)."""
    user = find_by_login(session, login)
    if user is None or user.role is not Role.resident or not user.active:
        return None
    return user


def reset_password(session: Session, user: User, new: str, *, passwords: Passwords, field: str = "new_password") -> None:
    """A new password for a resident who proved their mobile, under the
    same rules as any password; every session of the account ends."""
    check_password(new, field, personal=(user.id_number, user.mobile, user.username), real_name=user.real_name)
    user.password_hash = passwords.hash(new)
    end_sessions(session, user)


def change_mobile(session: Session, user: User, mobile: str) -> str:
    """Give the account the (verified) mobile number; returns the old one."""
    old = user.mobile
    user.mobile = mobile
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise DomainError(_l("This number cannot be used for your account. Choose another."), "code") from None
    return old
