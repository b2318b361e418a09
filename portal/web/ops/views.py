"""For the machines that run the portal: liveness (/healthz) and
readiness (/readyz), as JSON, without login."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from portal.db import db
from portal.domain.heartbeats import newest_heartbeat
from portal.domain.outbox import oldest_due_age
from portal.extensions import limiter
from portal.web.clock import request_now
from portal.web.json import json_response

bp = Blueprint("ops", __name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. No dependency is asked, so a database
    outage never gets healthy web processes restarted."""
    return json_response({"status": "ok"}, headers=NO_STORE)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database: not ready
        db.session.rollback()
        return "unreachable"
    return "ok"


def _limiter() -> str:
    """The rate-limit storage, when one is configured; sign-in keeps
    working on the in-process fallback while it is away."""
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return "in-process"
    try:
        return "ok" if limiter.storage.check() else "degraded"
    except Exception:  # the storage's client raised: it is away
        return "degraded"


def _outbox() -> tuple[str, float | None]:
    """Whether the worker keeps up: texts and partner messages leave on time."""
    age = oldest_due_age(db.session, request_now())
    late = age is not None and age > current_app.config["PORTAL_READY_OUTBOX_AGE"]
    return ("late" if late else "ok"), (None if age is None else round(age, 1))


def _worker() -> tuple[str, float | None]:
    """Whether a worker is alive: its newest heartbeat is recent."""
    beat = newest_heartbeat(db.session)
    if beat is None:
        return "none", None
    age = max(0.0, (request_now() - beat).total_seconds())
    return ("ok" if age <= current_app.config["PORTAL_READY_HEARTBEAT_AGE"] else "stale"), round(age, 1)


@bp.get("/readyz")
def readyz():
    """Readiness: 503 while the database cannot be reached (take this
    process out of the proxy's rotation); the other checks report their
    state and turn the status to "degraded" without failing it."""
    checks = {"database": _database(), "rate_limit_storage": _limiter()}
    body: dict = {"checks": checks}
    if checks["database"] == "ok":
        checks["outbox"], body["oldest_due_outbox_seconds"] = _outbox()
        checks["worker"], body["worker_heartbeat_seconds"] = _worker()
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["rate_limit_storage"] == "degraded" or checks["outbox"] != "ok" or checks["worker"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    headers = {**NO_STORE, **({"Retry-After": "30"} if code == 503 else {})}
    return json_response({"status": status, **body}, code, headers)
