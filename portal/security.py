"""Sign-in state, access checks and response headers — in one place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import wraps

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from portal.config import ConfigError
from portal.db import db
from portal.domain.second_factor import demo_secret_present
from portal.domain.sessions import Ending, session_ending
from portal.extensions import login_manager, session_limits
from portal.models import Role, User
from portal.web.clock import request_now

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The cookie names a user and a session version; an old version (the
    user has logged out since) no longer signs anyone in."""
    try:
        user_id, version = (int(part) for part in identity.split(":"))
    except ValueError:
        return None
    # An officer's pages all name their agency: it comes with the user.
    user = db.session.get(User, user_id, options=[joinedload(User.agency)])
    if user is None or user.session_version != version or not user.active:
        return None
    return user


# The session's two moments, as Unix seconds: when its owner signed in and
# when they were last seen. Last seen is rewritten at most once a minute,
# so not every page sends a new cookie.
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_EVERY = timedelta(minutes=1)
# Requests that neither end nor prolong a session: static files, and
# signing out (which ends it anyway); the API takes no session at all.
SESSION_CLOCK_EXEMPT = {"static", "auth.logout"}


def start_session_clock(now: datetime, signed_in_at: datetime | None = None) -> None:
    """Record the sign-in (or keep its moment when the same person's
    session is renewed, e.g. after a password change) and that they were
    seen now."""
    session[SIGNED_IN_AT] = int((signed_in_at or now).timestamp())
    session[SEEN_AT] = int(now.timestamp())


def session_signed_in_at() -> datetime | None:
    return _moment(session.get(SIGNED_IN_AT))


def _moment(value) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None


def end_expired_session():
    """Sign out a session that was idle too long or is older than the
    absolute lifetime, and send its owner to sign in again, then back to
    where they were."""
    if request.endpoint in SESSION_CLOCK_EXEMPT or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return None
    now = request_now()
    seen_at = _moment(session.get(SEEN_AT))
    limits = session_limits()
    ending = session_ending(current_user.role, session_signed_in_at(), seen_at, now, limits)
    if ending is None:
        if now - seen_at >= SEEN_EVERY:
            session[SEEN_AT] = int(now.timestamp())
        return None
    if ending is Ending.idle:
        minutes = int(limits.idle_for(current_user.role).total_seconds() // 60)
        message = _("You have been inactive for more than %(n)d minutes. Please sign in again.", n=minutes)
    else:
        hours = int(limits.lifetime.total_seconds() // 3600)
        message = _("You signed in more than %(n)d hours ago. Please sign in again.", n=hours)
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(message, "info")
    # A form sent after the session ended is not carried out; the way back
    # is the page it was on (forms post to their own page).
    back = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("auth.login", next=back))


def role_required(*roles: Role):
    """Let only signed-in users with one of ``roles`` through; others get
    the login page (anonymous) or 403 (signed in with another role)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["PORTAL_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and getattr(current_user, "is_authenticated", False):
        headers.setdefault("Cache-Control", "no-store")
    return response


def refuse_unsafe_production(app) -> None:
    """Production must not run with demo accounts (known passwords) or an
    account holding the demo second-factor secret (published in README)."""
    with app.app_context():
        if not inspect(db.engine).has_table(User.__tablename__):
            return
        if db.session.scalar(select(User.id).where(User.is_demo.is_(True)).limit(1)):
            raise ConfigError(
                "demo accounts are present; remove them (flask --app portal demo remove) "
                "before running in production"
            )
        if demo_secret_present(db.session):
            raise ConfigError(
                "an account's second factor uses the published demo secret; reset it "
                "(/admin/staff) before running in production"
            )


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(end_expired_session)
    app.after_request(set_security_headers)
