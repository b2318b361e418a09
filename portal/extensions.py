"""Flask extensions, created unbound and initialised in create_app(), and
the values the domain is given from the app's configuration (the domain
never reads ``current_app`` itself)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from portal.db import db
from portal.domain.passwords import Passwords
from portal.domain.sessions import SessionLimits
from portal.domain.sms import Gateway, gateway_from_config
from portal.domain.uploads import UploadStore

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

PASSWORDS = "portal.passwords"


def init_app(app: Flask) -> None:
    migrate.init_app(app, db, directory=str(Path(__file__).with_name("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions[PASSWORDS] = Passwords(**app.config["ARGON2_PARAMETERS"])


def password_hasher() -> Passwords:
    """The app's password hasher, built once from ARGON2_PARAMETERS."""
    return current_app.extensions[PASSWORDS]


def upload_store() -> UploadStore:
    """Where uploaded materials are kept and how large one may be. Built per
    call from the configuration as it stands: it is two values."""
    config = current_app.config
    return UploadStore(Path(config["PORTAL_UPLOAD_FOLDER"]), config["PORTAL_MAX_UPLOAD_BYTES"])


def permit_key() -> str | bytes:
    """The key of the permits' verification codes: the app's secret key, so
    codes printed on permits already issued stay valid."""
    return current_app.config["SECRET_KEY"]


def tracking_key() -> str | bytes:
    """The key that signs the receipts' tracking links: the app's secret
    key (its own salt keeps these tokens apart from sessions and CSRF)."""
    return current_app.config["SECRET_KEY"]


def device_key() -> str | bytes:
    """The key that signs device cookies: the app's secret key (the salt in
    domain/devices.py keeps them apart from sessions and tracking links)."""
    return current_app.config["SECRET_KEY"]


def session_limits() -> SessionLimits:
    """How long sign-ins last (PORTAL_*_IDLE_MINUTES, PORTAL_SESSION_HOURS)."""
    config = current_app.config
    return SessionLimits(
        staff_idle=timedelta(minutes=config["PORTAL_STAFF_IDLE_MINUTES"]),
        resident_idle=timedelta(minutes=config["PORTAL_RESIDENT_IDLE_MINUTES"]),
        lifetime=timedelta(hours=config["PORTAL_SESSION_HOURS"]),
    )


def verification_key() -> str | bytes:
    """The key of the texted verification codes' HMAC: the app's secret
    key (each code's purpose and number are in what is hashed)."""
    return current_app.config["SECRET_KEY"]


def sms_gateway() -> Gateway:
    """The SMS gateway PORTAL_SMS_GATEWAY names, logging to the app's log."""
    return gateway_from_config(current_app.config, current_app.logger)


def account_key() -> str | bytes:
    """The key of the pending sign-in marker and of the staff's one-time
    password links: the app's secret key (each has its own salt)."""
    return current_app.config["SECRET_KEY"]


def second_factor_policy() -> str:
    """PORTAL_STAFF_SECOND_FACTOR: ``oversight`` or ``all``."""
    return current_app.config["PORTAL_STAFF_SECOND_FACTOR"]


def paper_transit_workdays() -> int:
    """收受分离: working days a paper file may be in transit before it is alerted."""
    return current_app.config["PORTAL_PAPER_TRANSIT_WORKDAYS"]
