"""Prometheus text at /metrics (prometheus-client), for the operator's
monitoring: requests by endpoint and status with their latency, and the
operating figures counted from the database when scraped (the outbox,
alerts, open work by level).

Under gunicorn every worker process counts its own requests; with
PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it) the scrape adds
them up across the processes, whichever worker answers it."""

from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Flask, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from portal.config import metrics_multiprocess_dir
from portal.db import db
from portal.domain.figures import operating_figures
from portal.web.clock import request_calendar, request_now

REQUESTS = Counter("portal_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "portal_http_request_duration_seconds", "Time to answer an HTTP request", ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

bp = Blueprint("metrics", __name__)


class OperatingCollector:
    """The database's figures, read at each scrape."""

    def collect(self):
        figures = operating_figures(db.session, request_calendar(), request_now())
        outbox = GaugeMetricFamily("portal_outbox_messages", "Outbox messages by target kind and status", labels=["target", "status"])
        for (target, status), n in sorted(figures.outbox.items()):
            outbox.add_metric([target, status], n)
        attempts = GaugeMetricFamily(
            "portal_outbox_delivery_attempts", "Delivery attempts made, by target kind and the message's outcome",
            labels=["target", "status"],
        )
        for (target, status), n in sorted(figures.delivery_attempts.items()):
            attempts.add_metric([target, status], n)
        oldest = GaugeMetricFamily(
            "portal_outbox_oldest_due_seconds", "How long the oldest due message has waited", labels=["target"]
        )
        for target in ("sms", "partner"):
            oldest.add_metric([target], figures.oldest_pending_seconds.get(target, 0.0))
        alerts = GaugeMetricFamily("portal_sla_alerts_raised", "SLA alerts raised so far, by level", labels=["level"])
        for level, n in sorted(figures.alerts.items()):
            alerts.add_metric([level], n)
        cases = GaugeMetricFamily("portal_open_cases", "Cases on the clock, by level", labels=["level"])
        for level, n in figures.cases_by_level.items():
            cases.add_metric([level], n)
        tasks = GaugeMetricFamily("portal_open_tasks", "Tasks on the clock, by level", labels=["level"])
        for level, n in figures.tasks_by_level.items():
            tasks.add_metric([level], n)
        heartbeat = GaugeMetricFamily(
            "portal_worker_heartbeat_age_seconds", "Seconds since the newest worker heartbeat (-1: no worker has run)"
        )
        heartbeat.add_metric([], -1 if figures.heartbeat_seconds is None else figures.heartbeat_seconds)
        runs = GaugeMetricFamily(
            "portal_periodic_runs", "Periodic job runs kept (30 days), by job and outcome", labels=["job", "outcome"]
        )
        for (job, outcome), n in sorted(figures.periodic_runs.items()):
            runs.add_metric([job, outcome], n)
        yield from (outbox, attempts, oldest, alerts, cases, tasks, heartbeat, runs)


def _allowed() -> bool:
    """From a configured address, or with the configured bearer token."""
    token = current_app.config["PORTAL_METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in network for network in current_app.config["PORTAL_METRICS_NETWORKS"])


@bp.get("/metrics")
def metrics():
    if not _allowed():
        abort(404)
    registry = CollectorRegistry()
    directory = metrics_multiprocess_dir()
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(OperatingCollector())
    return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _counted(response):
    endpoint = request.endpoint or "(no route)"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    app.config["PORTAL_METRICS_NETWORKS"] = [
        ipaddress.ip_network(entry, strict=False) for entry in app.config["PORTAL_METRICS_ADDRESSES"]
    ]
    app.before_request(_started)
    app.after_request(_counted)
    app.register_blueprint(bp)
