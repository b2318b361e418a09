"""The one place where the portal reads its environment.

Every setting the portal understands is read by :func:`load_config`;
README's configuration table lists them.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from portal.domain.limits import PAPER_TRANSIT_WORKDAYS_DEFAULT

ENVIRONMENTS = ("development", "production", "test")
SMS_GATEWAYS = ("log", "http")
LOG_FORMATS = ("text", "json")
SECOND_FACTOR_POLICIES = ("oversight", "all")
RATE_LIMIT_SWITCH = ("on", "off")
SECRET_KEY_MIN_BYTES = 32
# argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane):
# about 25 ms a verification on one core, so 30 people signing in at once
# on two cores wait well under a second. Hashes made with other parameters
# are rehashed at the next sign-in.
ARGON2_OWASP = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
# Where ``make run`` serves (honcho's PORT, 5000 unless asked otherwise):
# the base of external links in development.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:{port}"
# Hosts a developer's browser or the test client may name.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ConfigError(RuntimeError):
    """The environment asks for something the portal refuses to run with."""


def _env(name: str, environ) -> str | None:
    value = environ.get(name)
    return value if value not in (None, "") else None


def _secret_key(instance_path: Path, environ) -> tuple[str, bool]:
    """Return the secret key and whether it was given explicitly."""
    explicit = _env("PORTAL_SECRET_KEY", environ)
    if explicit:
        return explicit, True
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip(), False
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key, encoding="ascii")
    key_file.chmod(0o600)
    return key, False


def _base_url(environ, production: bool) -> str:
    """The portal's public address, the base of every link and QR code that
    leaves the portal (receipts, texts, partner messages): never taken from
    a request's Host header, which a client chooses."""
    raw = _env("PORTAL_BASE_URL", environ)
    if raw is None:
        if production:
            raise ConfigError("PORTAL_BASE_URL must be set in production (e.g. https://ksbt.example.gov.cn)")
        port = _env("PORT", environ) or "5000"
        return DEVELOPMENT_BASE_URL.format(port=port if port.isdigit() else "5000")
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PORTAL_BASE_URL must be an http(s) address such as https://ksbt.example.gov.cn, not {raw!r}")
    if production and parts.scheme != "https":
        raise ConfigError("PORTAL_BASE_URL must be an https address in production")
    return raw.rstrip("/")


def _trusted_hosts(environ, base_url: str, production: bool) -> list[str]:
    """The host names requests may carry; any other Host is refused (400).
    By default the base URL's host, and in development loopback too. A
    name starting with a dot admits its subdomains (Werkzeug's rule)."""
    raw = _env("PORTAL_TRUSTED_HOSTS", environ)
    hosts = [h.strip().lower() for h in raw.split(",") if h.strip()] if raw else []
    base_host = urlsplit(base_url).hostname or ""
    hosts = hosts or [base_host]
    if not production:
        hosts += [h for h in LOOPBACK_HOSTS if h not in hosts]
    return hosts


def _rate_limits_enabled(environ, production: bool) -> bool:
    """Whether Flask-Limiter counts at all. ``off`` exists for the load
    benchmarks only (benchmarks/pages.py, benchmarks/load.py), which would
    otherwise measure 429s; production refuses it."""
    switch = _env("PORTAL_RATE_LIMITS", environ) or "on"
    if switch not in RATE_LIMIT_SWITCH:
        raise ConfigError(f"PORTAL_RATE_LIMITS must be one of {', '.join(RATE_LIMIT_SWITCH)}, not {switch!r}")
    if production and switch == "off":
        raise ConfigError("PORTAL_RATE_LIMITS=off is for benchmarks and refused in production")
    return switch == "on"


def _second_factor_policy(environ) -> str:
    """Who must give a one-time code at sign-in: ``oversight`` (supervisors
    and administrators) or ``all`` staff."""
    policy = _env("PORTAL_STAFF_SECOND_FACTOR", environ) or "oversight"
    if policy not in SECOND_FACTOR_POLICIES:
        raise ConfigError(
            f"PORTAL_STAFF_SECOND_FACTOR must be one of {', '.join(SECOND_FACTOR_POLICIES)}, not {policy!r}"
        )
    return policy


def _database_url(instance_path: Path, environ) -> str:
    url = _env("PORTAL_DATABASE_URL", environ)
    if url:
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'portal.sqlite3'}"


def _sms_settings(environ) -> dict:
    gateway = _env("PORTAL_SMS_GATEWAY", environ) or "log"
    if gateway not in SMS_GATEWAYS:
        raise ConfigError(f"PORTAL_SMS_GATEWAY must be one of {', '.join(SMS_GATEWAYS)}, not {gateway!r}")
    url = _env("PORTAL_SMS_URL", environ) or ""
    if gateway == "http" and not url.startswith(("https://", "http://")):
        raise ConfigError("PORTAL_SMS_URL must be the gateway's http(s) address when PORTAL_SMS_GATEWAY is http")
    return {"PORTAL_SMS_GATEWAY": gateway, "PORTAL_SMS_URL": url, "PORTAL_SMS_TOKEN": _env("PORTAL_SMS_TOKEN", environ) or ""}


def _whole_number(name: str, environ, default: int, least: int = 0) -> int:
    raw = _env(name, environ)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < least:
        raise ConfigError(f"{name} must be at least {least}, not {value}")
    return value


def _operations(environ) -> dict:
    """Running as a service: the proxies in front, the log format, readiness."""
    log_format = _env("PORTAL_LOG_FORMAT", environ) or "text"
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"PORTAL_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return {
        # Reverse proxies in front of the portal whose X-Forwarded-For and
        # X-Forwarded-Proto are believed; 0 believes none of them.
        "PORTAL_TRUSTED_PROXIES": _whole_number("PORTAL_TRUSTED_PROXIES", environ, 0),
        "PORTAL_LOG_FORMAT": log_format,
        # /readyz reports the outbox late when a due message waited longer.
        "PORTAL_READY_OUTBOX_AGE": _whole_number("PORTAL_READY_OUTBOX_AGE", environ, 600, least=1),
        # ... and the worker stale when no worker has beaten for this long.
        "PORTAL_READY_HEARTBEAT_AGE": _whole_number("PORTAL_READY_HEARTBEAT_AGE", environ, 60, least=1),
        # /metrics answers these addresses (or networks), or the bearer token.
        "PORTAL_METRICS_ADDRESSES": _addresses(_env("PORTAL_METRICS_ADDRESSES", environ) or "127.0.0.1,::1"),
        "PORTAL_METRICS_TOKEN": _env("PORTAL_METRICS_TOKEN", environ) or "",
    }


def _addresses(text: str) -> list[str]:
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"PORTAL_METRICS_ADDRESSES: {entry!r} is not an address or network") from None
    return entries


def metrics_multiprocess_dir(environ=None) -> str | None:
    """Where gunicorn's worker processes keep their request counts
    (prometheus-client's multiprocess mode); unset outside gunicorn."""
    environ = os.environ if environ is None else environ
    return _env("PROMETHEUS_MULTIPROC_DIR", environ)


def server_settings(environ=None, cpu_count: int | None = None) -> dict:
    """What gunicorn.conf.py gives gunicorn: address, workers and timeouts."""
    environ = os.environ if environ is None else environ
    cpus = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    proxies = _env("PORTAL_PROXY_ADDRESSES", environ) or "127.0.0.1"
    return {
        "bind": _env("PORTAL_BIND", environ) or "127.0.0.1:8000",
        "workers": _whole_number("PORTAL_WEB_WORKERS", environ, 2 * cpus + 1, least=1),
        "timeout": _whole_number("PORTAL_WEB_TIMEOUT", environ, 60, least=1),
        "graceful_timeout": _whole_number("PORTAL_WEB_GRACEFUL_TIMEOUT", environ, 30, least=1),
        "forwarded_allow_ips": proxies,
        "log_format": _operations(environ)["PORTAL_LOG_FORMAT"],
        "metrics_dir": _env("PORTAL_METRICS_DIR", environ) or "",
    }


def _session_settings(environ) -> dict:
    """How long a sign-in lasts: ended after this much idle time (staff
    sooner than residents: their pages show other people's data) and in
    any case this long after signing in."""
    hours = _whole_number("PORTAL_SESSION_HOURS", environ, 12, least=1)
    return {
        "PORTAL_STAFF_IDLE_MINUTES": _whole_number("PORTAL_STAFF_IDLE_MINUTES", environ, 30, least=1),
        "PORTAL_RESIDENT_IDLE_MINUTES": _whole_number("PORTAL_RESIDENT_IDLE_MINUTES", environ, 120, least=1),
        "PORTAL_SESSION_HOURS": hours,
        # The portal issues no remember-me cookie; should one ever be
        # issued, it must not outlive a session.
        "REMEMBER_COOKIE_DURATION": timedelta(hours=hours),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def _worker_settings(environ) -> dict:
    """The worker's schedule (``flask --app portal worker``)."""
    return {
        "PORTAL_SLA_SWEEP_MINUTES": _whole_number("PORTAL_SLA_SWEEP_MINUTES", environ, 5, least=1),
        "PORTAL_DRAFTS_MAX_DAYS": _whole_number("PORTAL_DRAFTS_MAX_DAYS", environ, 30, least=1),
    }


def load_config(instance_path: str, environ=None) -> dict:
    """Build the Flask configuration from the environment.

    Production refuses to start without an explicit secret key or with
    debug on; demo accounts are checked once the database is reachable.
    """
    environ = os.environ if environ is None else environ
    instance = Path(instance_path)
    env = _env("PORTAL_ENV", environ) or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    secret_key, explicit_key = _secret_key(instance, environ)
    debug = _env("PORTAL_DEBUG", environ) == "1"
    production = env == "production"
    if production and not explicit_key:
        raise ConfigError("PORTAL_SECRET_KEY must be set in production")
    if production and len(secret_key.encode("utf-8")) < SECRET_KEY_MIN_BYTES:
        raise ConfigError(
            f"PORTAL_SECRET_KEY must be at least {SECRET_KEY_MIN_BYTES} bytes in production "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if production and (debug or _env("FLASK_DEBUG", environ) in ("1", "true")):
        raise ConfigError("debug mode is refused in production")
    base_url = _base_url(environ, production)
    max_mb = int(_env("PORTAL_MAX_REQUEST_MB", environ) or 32)
    upload_mb = int(_env("PORTAL_MAX_UPLOAD_MB", environ) or 10)
    return {
        "PORTAL_ENV": env,
        "DEBUG": debug,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance, environ),
        "PORTAL_BASE_URL": base_url,
        "TRUSTED_HOSTS": _trusted_hosts(environ, base_url, production),
        "MAX_CONTENT_LENGTH": max_mb * 1024 * 1024,
        "PORTAL_MAX_UPLOAD_BYTES": upload_mb * 1024 * 1024,
        "PORTAL_UPLOAD_FOLDER": _env("PORTAL_UPLOAD_FOLDER", environ) or str(instance / "uploads"),
        "RATELIMIT_STORAGE_URI": _env("PORTAL_RATELIMIT_STORAGE_URL", environ) or "memory://",
        "RATELIMIT_ENABLED": _rate_limits_enabled(environ, production),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: count in this process and log a warning, never refuse
        # a sign-in with a 500 (/readyz reports the limiter degraded).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # A Redis that does not answer is given a second, not the request's whole time.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}
        if (_env("PORTAL_RATELIMIT_STORAGE_URL", environ) or "").startswith("redis")
        else {},
        # A connection the database dropped (a restart) is replaced before use.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PORTAL_LOGIN_LIMIT": _env("PORTAL_LOGIN_LIMIT", environ) or "10 per minute",
        # Texted codes (registration, password reset, a new mobile): per number, and per address.
        "PORTAL_CODE_LIMIT": _env("PORTAL_CODE_LIMIT", environ) or "5 per hour",
        "PORTAL_CODE_ADDRESS_LIMIT": _env("PORTAL_CODE_ADDRESS_LIMIT", environ) or "30 per hour",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "portal_session",
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "ARGON2_PARAMETERS": dict(ARGON2_OWASP),
        "PORTAL_OPEN311_JURISDICTION": _env("PORTAL_OPEN311_JURISDICTION", environ) or "330822-361123",
        "PORTAL_STAFF_SECOND_FACTOR": _second_factor_policy(environ),
        # 收受分离: working days a paper file may be in transit before the sweep raises an alert.
        "PORTAL_PAPER_TRANSIT_WORKDAYS": _whole_number("PORTAL_PAPER_TRANSIT_WORKDAYS", environ, PAPER_TRANSIT_WORKDAYS_DEFAULT, least=1),
        **_sms_settings(environ),
        **_operations(environ),
        **_worker_settings(environ),
        **_session_settings(environ),
        "REMEMBER_COOKIE_SECURE": production,
    }


def test_database_url(environ=None) -> str | None:
    """The database the test suite runs on, when not the default SQLite."""
    environ = os.environ if environ is None else environ
    return _env("PORTAL_TEST_DATABASE_URL", environ)


def chromium_for_tests(environ=None) -> str:
    """The Chromium the browser tests drive."""
    environ = os.environ if environ is None else environ
    return _env("PORTAL_CHROMIUM", environ) or "/usr/bin/chromium"


def running_in_ci(environ=None) -> bool:
    environ = os.environ if environ is None else environ
    return _env("CI", environ) in ("1", "true", "True")
