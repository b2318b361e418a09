"""API tokens: created and revoked by administrators, stored as their
SHA-256 only, and resolved to the principal a request acts as.

A token is bound to exactly one of: an agency (that agency's own case
system), a window (a county's window system, which files cases for
walk-ins) or a member of staff (a personal token that sees what its
owner sees). What a principal may see is decided by the same access
rules as the web pages (``portal.domain.access``, ``portal.domain.queue``):
an agency system looks like an officer of its agency, a window system
like a clerk of its window.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal.domain import DomainError
from portal.domain.text import free_text
from portal.models import Agency, ApiToken, County, Role, User

PREFIX = "ksp_"
TOKEN_MAX = 200  # longer Authorization values are refused before hashing
NAME_MAX = 100
TOUCH_EVERY = timedelta(minutes=1)
KINDS = ("agency", "window", "staff")


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def token_kind(token: ApiToken) -> str:
    if token.agency_id is not None:
        return "agency"
    if token.window_county is not None:
        return "window"
    return "staff"


@dataclass(frozen=True)
class Viewer:
    """What the access rules read of a user, for a partner system that is
    not a user: the role it stands in for and what binds it."""

    role: Role
    window_county: County | None = None
    agency_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the token, and the user for a staff token."""

    token_id: int
    name: str
    kind: str
    user: User | None
    agency_id: int | None
    county: County | None

    @property
    def viewer(self) -> User | Viewer:
        """The argument for ``visible_cases`` and the queue functions."""
        if self.user is not None:
            return self.user
        if self.kind == "agency":
            return Viewer(Role.officer, agency_id=self.agency_id)
        return Viewer(Role.clerk, window_county=self.county)

    @property
    def filing_county(self) -> County | None:
        """The window at which this principal files walk-in cases, if any:
        a window system's, or a clerk's own."""
        if self.kind == "window":
            return self.county
        if self.user is not None and self.user.role is Role.clerk:
            return self.user.window_county
        return None

    @property
    def task_agency_id(self) -> int | None:
        """The agency whose tasks this principal works on, if any."""
        if self.kind == "agency":
            return self.agency_id
        if self.user is not None and self.user.role is Role.officer:
            return self.user.agency_id
        return None


def create_token(
    session: Session,
    *,
    name: str,
    kind: str,
    created_by: User,
    now: datetime,
    agency_code: str | None = None,
    county: str | None = None,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token bound to one agency, window or member of staff.
    Returns the record and the plaintext, which is never stored or shown again."""
    name = " ".join(free_text(name, "name", NAME_MAX, multiline=False).split())
    if not name:
        raise DomainError(_l("Give the token a name that says which system uses it."), "name")
    token = ApiToken(name=name, created_by_id=created_by.id, created_at=now)
    if kind == "agency":
        agency = session.scalar(select(Agency).where(Agency.code == (agency_code or "")))
        if agency is None:
            raise DomainError(_l("Choose the agency whose system uses the token."), "agency")
        token.agency_id = agency.id
    elif kind == "window":
        try:
            token.window_county = County(county or "")
        except ValueError:
            raise DomainError(_l("Choose the window whose system uses the token."), "county") from None
    elif kind == "staff":
        user = session.get(User, user_id) if user_id else None
        if user is None or not user.role.is_staff or not user.active:
            raise DomainError(_l("Choose an active member of staff."), "user")
        token.user_id = user.id
    else:
        raise DomainError(_l("Choose what the token is for."), "kind")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token.token_hash = token_hash(plaintext)
    token.prefix = plaintext[:12]
    session.add(token)
    session.flush()
    return token, plaintext


def revoke_token(session: Session, token: ApiToken, now: datetime) -> bool:
    """Revoke at once; returns False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    session.flush()
    return True


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first, with what it is bound to."""
    return list(
        session.scalars(
            select(ApiToken)
            .options(selectinload(ApiToken.agency), selectinload(ApiToken.user))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def bearer_value(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > TOKEN_MAX:
        return None
    return value


def authenticate(session: Session, header: str | None, now: datetime) -> Principal | None:
    """The principal of a bearer header, or None when the header is missing,
    malformed, unknown, revoked, or names a staff member no longer active.
    The lookup is by the hash of what was presented, so the comparison
    leaks nothing about stored tokens. ``last_used_at`` is written at most
    once a minute per token."""
    plaintext = bearer_value(header)
    if plaintext is None:
        return None
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(plaintext)).options(selectinload(ApiToken.user))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.user_id is not None and (token.user is None or not token.user.active):
        return None
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - TOUCH_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return Principal(
        token_id=token.id,
        name=token.name,
        kind=token_kind(token),
        user=token.user,
        agency_id=token.agency_id,
        county=token.window_county,
    )


def find_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)
