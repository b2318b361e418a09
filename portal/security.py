"""Sign-in state, access checks and response headers — in one place."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import inspect, select

from portal.config import ConfigError
from portal.db import db
from portal.domain.second_factor import demo_secret_present
from portal.extensions import login_manager
from portal.models import Role, User

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
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


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
    app.after_request(set_security_headers)
