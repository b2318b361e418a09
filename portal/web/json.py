"""JSON responses for the machine-facing endpoints (the API and Open311)."""

from __future__ import annotations

from flask import jsonify


def json_response(payload, status: int = 200, headers: dict | None = None):
    """``payload`` as UTF-8 JSON with ``status`` and extra ``headers``."""
    response = jsonify(payload)
    response.status_code = status
    response.content_type = "application/json; charset=utf-8"
    response.headers.update(headers or {})
    return response
