"""Static files with fingerprints: every address ``url_for('static', …)``
builds carries ``?v=`` and the first 12 hex digits of the file's SHA-256,
so a release that changes a file changes its address. A request that
names the current fingerprint may be kept by browsers and proxies for a
year; any other request for a static file is revalidated (ETag)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app, request

FOREVER = 365 * 24 * 3600
_fingerprints: dict[str, tuple[int, str]] = {}  # path -> (mtime_ns, fingerprint)


def fingerprint(filename: str) -> str | None:
    """The file's fingerprint, read once per change of its modification time."""
    folder = current_app.static_folder
    if folder is None:
        return None
    path = Path(folder, filename)
    try:
        changed = path.stat().st_mtime_ns
    except (OSError, ValueError):
        return None
    key = os.fspath(path)
    kept = _fingerprints.get(key)
    if kept is not None and kept[0] == changed:
        return kept[1]
    value = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _fingerprints[key] = (changed, value)
    return value


def add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        found = fingerprint(values["filename"])
        if found:
            values["v"] = found


def cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == fingerprint(filename):
        response.cache_control.public = True
        response.cache_control.max_age = FOREVER
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


def init_app(app) -> None:
    app.url_defaults(add_fingerprint)
    app.after_request(cache_static)
