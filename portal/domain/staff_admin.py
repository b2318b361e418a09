"""Staff administration: an administrator creates staff accounts, changes
their role or binding, disables and enables them, and resets their
password or second factor. Every change is an event on the account.

A new account gets no password anyone knows: the administrator is shown a
one-time link to hand over, and the person sets their own password with
it. The link is signed with the app's key and carries the account and a
nonce stored on it; it works once (the nonce is cleared) and until
``LINK_HOURS`` after it was issued. Issuing a new link (a password reset)
makes the old one useless. An initial password would have to travel to
the person and be changed at once; the link never tells the administrator
the password at all.

Disabling ends the account's sessions at once (the session version moves
on, and ``security.load_user`` refuses inactive users anyway) and its API
tokens stop working (``tokens.authenticate`` refuses a token whose staff
member is not active). The last active administrator cannot be disabled
or given another role, and no administrator can do either to themselves.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.domain import DomainError
from portal.domain import second_factor as factor
from portal.domain.accounts import create_staff, end_sessions
from portal.domain.events import record_event
from portal.domain.identity import check_password
from portal.domain.passwords import Passwords
from portal.models import Agency, County, Role, User

LINK_HOURS = 72
LINK_MAX = 300
_SALT = "staff-password-link"
STAFF_ROLES = (Role.clerk, Role.officer, Role.supervisor, Role.admin)


def list_staff(session: Session) -> list[User]:
    """Every staff account, by role then username, with its agency."""
    return list(
        session.scalars(
            select(User)
            .where(User.role != Role.resident)
            .options(selectinload(User.agency))
            .order_by(User.role, User.username)
        )
    )


def find_staff(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.role.is_staff else None


def _event(session: Session, actor: User, account: User, action: str, now: datetime, **data) -> None:
    record_event(session, subject="account", actor=actor, account=account, action=action, now=now, data=data)


def _unusable_password(passwords: Passwords) -> str:
    """A hash of a random password nobody is told: the account cannot sign
    in until its password is set through the link."""
    return passwords.hash(secrets.token_urlsafe(32))


def _issue_link(session: Session, user: User, now: datetime, key: str | bytes) -> str:
    user.password_setup_nonce = secrets.token_urlsafe(16)
    user.password_setup_until = now + timedelta(hours=LINK_HOURS)
    session.flush()
    return URLSafeSerializer(key, salt=_SALT).dumps([user.id, user.password_setup_nonce])


def _role(value: str | Role | None) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise DomainError(_l("Choose the role of the account."), "role")
    return role


def _binding(session: Session, role: Role, window: str | None, agency_code: str | None):
    """The window county and agency the role needs (one or none)."""
    if role is Role.clerk:
        try:
            return County(window or ""), None
        except ValueError:
            raise DomainError(_l("A clerk must be bound to the Changshan or Yushan window."), "window") from None
    if role is Role.officer:
        agency = session.scalar(select(Agency).where(Agency.code == (agency_code or "")))
        if agency is None:
            raise DomainError(_l("An officer must be bound to a known agency."), "agency")
        return None, agency
    return None, None


def _describe_binding(user: User) -> str | None:
    if user.window_county is not None:
        return user.window_county.value
    if user.agency is not None:
        return user.agency.code
    return None


def _guard_admin(session: Session, actor: User, user: User, field: str) -> None:
    """Refuse to take away an administrator that is the actor or the last one."""
    if user.id == actor.id:
        raise DomainError(_l("You cannot disable your own account or change your own role."), field)
    if user.role is Role.admin and user.active:
        # Lock the administrators' rows (PostgreSQL) so two admins cannot
        # remove each other at the same moment.
        admins = session.scalars(
            select(User.id).where(User.role == Role.admin, User.active.is_(True)).with_for_update()
        ).all()
        if len(admins) <= 1:
            raise DomainError(_l("This is the last active administrator; make another administrator first."), field)


def create_account(
    session: Session,
    *,
    actor: User,
    username: str,
    real_name: str,
    role: str,
    window: str | None,
    agency_code: str | None,
    now: datetime,
    key: str | bytes,
    passwords: Passwords,
) -> tuple[User, str]:
    """Create a staff account without a usable password; returns it and
    the token of its one-time password link."""
    chosen = _role(role)
    county, agency = _binding(session, chosen, window, agency_code)
    user = create_staff(
        session,
        username=username,
        real_name=real_name,
        role=chosen,
        password=secrets.token_urlsafe(32),
        passwords=passwords,
        now=now,
        window_county=county,
        agency_code=agency.code if agency is not None else None,
    )
    token = _issue_link(session, user, now, key)
    _event(session, actor, user, "staff_created", now, role=chosen.value, binding=_describe_binding(user))
    return user, token


def change_role(
    session: Session, *, actor: User, user: User, role: str, window: str | None, agency_code: str | None, now: datetime
) -> bool:
    """Give ``user`` another role or binding; False when nothing changed.
    Their sessions end, so what the new role requires (a second factor)
    applies at their next sign-in."""
    chosen = _role(role)
    county, agency = _binding(session, chosen, window, agency_code)
    if chosen is user.role and county == user.window_county and (agency.id if agency else None) == user.agency_id:
        return False
    if chosen is not user.role:
        _guard_admin(session, actor, user, "role")
    before = {"role": user.role.value, "binding": _describe_binding(user)}
    user.role, user.window_county, user.agency = chosen, county, agency
    session.flush()
    end_sessions(session, user)
    _event(session, actor, user, "staff_role_changed", now, before=before, role=chosen.value, binding=_describe_binding(user))
    return True


def disable(session: Session, *, actor: User, user: User, now: datetime) -> None:
    """Disable at once: sessions end and the account's API tokens are refused."""
    if not user.active:
        raise DomainError(_l("This account is already disabled."), "status")
    _guard_admin(session, actor, user, "status")
    user.active = False
    end_sessions(session, user)
    _event(session, actor, user, "staff_disabled", now)


def enable(session: Session, *, actor: User, user: User, now: datetime) -> None:
    if user.active:
        raise DomainError(_l("This account is already enabled."), "status")
    user.active = True
    session.flush()
    _event(session, actor, user, "staff_enabled", now)


def reset_password(
    session: Session, *, actor: User, user: User, now: datetime, key: str | bytes, passwords: Passwords
) -> str:
    """The old password stops working and sessions end; returns the token of
    a new one-time link for the person to set a new one."""
    user.password_hash = _unusable_password(passwords)
    end_sessions(session, user)
    token = _issue_link(session, user, now, key)
    _event(session, actor, user, "staff_password_reset", now)
    return token


def reset_second_factor(session: Session, *, actor: User, user: User, now: datetime) -> None:
    """Forget the second factor (a lost phone); sessions end and the next
    sign-in enrols again when the role requires it."""
    if user.is_demo:
        raise DomainError(_l("Demo accounts keep the demo secret published in README."), "status")
    if user.totp_secret is None and user.totp_enrolled_at is None:
        raise DomainError(_l("This account has no second factor to reset."), "status")
    factor.reset(session, user)
    end_sessions(session, user)
    _event(session, actor, user, "staff_second_factor_reset", now)


def link_account(session: Session, token: str, now: datetime, key: str | bytes) -> User | None:
    """The account a password link names, while the link is unused and
    unexpired and the account active; None otherwise."""
    if not token or len(token) > LINK_MAX:
        return None
    try:
        user_id, nonce = URLSafeSerializer(key, salt=_SALT).loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(nonce, str):
        return None
    user = find_staff(session, user_id)
    if user is None or not user.active or not user.password_setup_nonce or user.password_setup_until is None:
        return None
    if not secrets.compare_digest(user.password_setup_nonce, nonce) or now >= user.password_setup_until:
        return None
    return user


def set_password_by_link(
    session: Session, *, token: str, password: str, now: datetime, key: str | bytes, passwords: Passwords
) -> User:
    """Set the password a link allows, once."""
    user = link_account(session, token, now, key)
    if user is None:
        raise DomainError(_l("This link has been used, has expired or is not valid. Ask an administrator for a new one."), "status")
    check_password(password, "password", personal=(user.username,))
    user.password_hash = passwords.hash(password)
    user.password_setup_nonce = None
    user.password_setup_until = None
    end_sessions(session, user)
    record_event(session, subject="account", actor=user, account=user, action="password_set", now=now)
    return user


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.role == Role.admin, User.active.is_(True))) or 0
