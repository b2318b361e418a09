"""Logs for operators: one line per request with its request id, and every
line as text or, with PORTAL_LOG_FORMAT=json, as JSON (python-json-logger).

A request line names the route's rule (``/cases/<number>``), never the
path with its values or the query string, so no case number, query code,
token, ID number or mobile number reaches a log through it."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the proxy is kept when it looks like one; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"

request_log = logging.getLogger("portal.request")


def current_request_id() -> str:
    """This request's id, or "-" outside a request (the worker, commands)."""
    if has_request_context():
        return getattr(g, "request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    """Every record carries the request id, so each line can be traced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """One handler on the root logger, to standard error, in ``log_format``;
    gunicorn's and the worker's lines go the same way."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "portal_handler", False)), None)
    if handler is None and root.handlers:
        return  # configured already, by gunicorn.conf.py's logconfig_dict
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.portal_handler = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin list, at every start


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    started = g.get("request_started")
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    request_log.info(
        "%s %s %s %.1fms",
        request.method,
        rule,
        response.status_code,
        elapsed,
        extra={
            "request_id": g.get("request_id", "-"),
            "method": request.method,
            "endpoint": request.endpoint or "",
            "route": rule,
            "status": response.status_code,
            "duration_ms": round(elapsed, 1),
            "client": request.remote_addr or "",
        },
    )
    return response


def init_app(app: Flask) -> None:
    if not app.testing:
        configure_logging(app.config["PORTAL_LOG_FORMAT"])
    app.before_request(_start)
    app.after_request(_finish)
