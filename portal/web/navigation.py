"""Where a page may send the browser next, and the portal's addresses as
they are given to people outside it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute address for a receipt, a QR code or a text, built on the
    configured ``PORTAL_BASE_URL``, never on the request's Host header, which
    the client chooses. A base with a path is where the portal is mounted."""
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]
    return current_app.config["PORTAL_BASE_URL"] + path


def safe_next(target: str | None) -> str:
    """A ``next`` address only when it is a path on this site, never
    another host (an open redirect); the home page otherwise."""
    if not target:
        return url_for("public.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("public.home")
    return target
