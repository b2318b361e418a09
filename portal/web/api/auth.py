"""Bearer tokens for the JSON API, and the API's problem types.

Every error the API answers is ``application/problem+json`` whose
``type`` names its kind; the kinds are stable and documented in the
OpenAPI document, so a partner can branch on them."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from portal.db import db
from portal.domain.tokens import Principal, authenticate
from portal.errors import problem
from portal.web.api.views import bp
from portal.web.clock import request_now

# kind → (status, stable English title)
PROBLEMS = {
    "unauthorized": (401, "Unauthorized"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "invalid-request": (422, "Invalid request"),
    "not-allowed-now": (409, "Not allowed now"),
    "conflict": (409, "Conflict"),
}


def problem_type(kind: str) -> str:
    return f"/api/v1/problems/{kind}"


def api_problem(kind: str, detail: str, *, headers: dict | None = None, **extra):
    status, title = PROBLEMS[kind]
    response = problem(status, title, detail, problem_type(kind), **extra)
    response.headers.update(headers or {})
    return response


def invalid(errors: list[dict], detail: str = "The request has errors; each is listed with where it is."):
    """422 with every error found: ``{"pointer": "/applicant/mobile", "detail": …}``
    for the body, ``{"parameter": "limit", "detail": …}`` for the query."""
    return api_problem("invalid-request", detail, errors=errors)


def unauthorized(detail: str):
    return api_problem(
        "unauthorized", detail,
        headers={"WWW-Authenticate": 'Bearer realm="portal-api", error="invalid_token"'},
    )


def forbidden(detail: str):
    return api_problem("forbidden", detail)


def not_found(detail: str):
    return api_problem("not-found", detail)


def current_principal() -> Principal:
    return g.api_principal


@bp.before_request
def refuse_nul_characters():
    """No database stores a NUL character in text: refuse it at the door,
    for every route of the API, rather than fail deep down."""
    if "\x00" in request.path:
        return not_found("Nothing here has a NUL character in its name.")
    bad = sorted({name for name, value in request.args.items(multi=True) if "\x00" in name + value})
    if bad:
        return invalid([{"parameter": name, "detail": "Contains a NUL character."} for name in bad])
    return None


def token_required(view):
    """Let a request through with a valid bearer token; ``current_principal()``
    is then who it acts as. Missing, unknown and revoked tokens get 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        principal = authenticate(db.session, request.headers.get("Authorization"), request_now())
        if principal is None:
            header = request.headers.get("Authorization")
            detail = (
                "Send the token as 'Authorization: Bearer <token>'."
                if not header
                else "The token is unknown or has been revoked."
            )
            db.session.rollback()
            return unauthorized(detail)
        db.session.commit()  # the token's last use, written at most once a minute
        g.api_principal = principal
        return view(*args, **kwargs)

    return wrapped
