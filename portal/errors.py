"""Generic error pages in the user's language, and problem+json for the API.
Nothing here shows a stack trace or the request's data."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.db import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Page not found"), _l("Check the address, or start again from the home page.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than the portal accepts. Send smaller files."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The portal could not finish your request. Nothing was saved; please try again."),
    ),
    503: (
        _l("Briefly unavailable"),
        _l("The portal cannot reach its records at the moment. Nothing was saved; try again in a minute."),
    ),
}
RETRY_AFTER_SECONDS = 30
CSRF_MESSAGE = _l(
    "This form has expired or did not come from this portal. Open the page again and resend it."
)


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def wants_open311_errors() -> bool:
    return request.path.startswith("/open311/")


def open311_errors(status: int, description: str, headers: dict | None = None):
    """Open311 GeoReport v2 errors: an array of {code, description}."""
    response = jsonify([{"code": status, "description": str(description)}])
    response.status_code = status
    response.content_type = "application/json; charset=utf-8"
    response.headers.update(headers or {})
    return response


# Stable problem types for errors raised outside the API's own views.
PROBLEM_TYPES = {
    400: "/api/v1/problems/bad-request",
    404: "/api/v1/problems/not-found",
    405: "/api/v1/problems/method-not-allowed",
    413: "/api/v1/problems/too-large",
    429: "/api/v1/problems/too-many-requests",
    500: "/api/v1/problems/internal-error",
    503: "/api/v1/problems/unavailable",
}


def problem(status: int, title: str, detail: str, type_: str | None = None, **extra):
    """An RFC 9457 problem document; ``extra`` adds members (e.g. ``errors``).
    Title and detail are in English, whatever the request's language: a
    translatable message given here is rendered in English."""
    with force_locale("en"):
        title, detail = str(title), str(detail)
    body = {
        "type": type_ or PROBLEM_TYPES.get(status, f"/api/v1/problems/{status}"),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def render_error(status: int, detail=None):
    title, message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if request_ctx.url_adapter is None:
        # The Host named no site of ours (TRUSTED_HOSTS): no page is built
        # for it, since a page links to the portal's own addresses.
        return current_app.response_class(f"{status} {title}\n", status=status, mimetype="text/plain")
    if wants_problem_json() or wants_open311_errors():
        # Machine-facing answers are in English, whatever the session's language.
        with force_locale("en"):
            title, message = str(title), str(detail or message)
        if wants_open311_errors():
            return open311_errors(status, message)
        return problem(status, title, message)
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def handle_http_error(error: HTTPException):
    response = render_error(error.code or 500)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers = {"Allow": ", ".join(error.valid_methods)}
        if isinstance(response, tuple):
            return response[0], response[1], headers
        response.headers.update(headers)
    return response


def handle_csrf_error(error: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def _route() -> str:
    """The route's rule, not the path: paths may carry numbers and tokens."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def handle_unexpected(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, _route())
    return render_error(500)


def handle_database_away(error: Exception):
    """The database cannot be reached (down, restarting, network): 503 with
    Retry-After, in the user's language or as problem+json — not a 500."""
    try:
        db.session.rollback()
    except Exception:  # the rollback needs the connection that is gone
        pass
    current_app.logger.warning("database unreachable on %s %s: %s", request.method, _route(), error.__class__.__name__)
    response = current_app.make_response(render_error(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_away)
    app.register_error_handler(InterfaceError, handle_database_away)
    app.register_error_handler(Exception, handle_unexpected)
