"""Tokens and walk-in bodies for the JSON API and Open311 tests."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import db
from portal.domain.tokens import create_token
from portal.models import Role, Service, User
from tests import factories


def make_token(app, kind: str, **binding) -> str:
    """A token's plaintext: make_token(app, "agency", agency_code="ys-psb"),
    make_token(app, "window", county="changshan"), make_token(app, "staff", user_id=…)."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.admin).limit(1))
        if admin is None:
            admin = factories.create_user(db.session, "admin")
        _token, plaintext = create_token(
            db.session, name=f"{kind} system", kind=kind, created_by=admin, now=factories.now(), **binding
        )
        db.session.commit()
    return plaintext


def bearer(plaintext: str) -> dict:
    return {"Authorization": f"Bearer {plaintext}"}


def field_values(app, code: str) -> dict:
    """A valid value for every field of the service."""
    with app.app_context():
        specs = db.session.scalar(select(Service).where(Service.code == code)).fields
    values = {}
    for spec in specs:
        values[spec["name"]] = {
            "select": lambda s: s["choices"][0]["value"],
            "date": lambda s: "2026-11-02",
            "number": lambda s: 1000,
        }.get(spec["type"], lambda s: "测试内容")(spec)
    return values


def walk_in_body(app, code: str = "psb-no-record", **overrides) -> dict:
    body = {
        "service": code,
        "applicant": {"name": "赵六", "id_number": factories.valid_id_number("361123", "19850505"), "mobile": "13812345678"},
        "identity_checked": True,
        "facts": {"hukou_county": "yushan", "residence_county": "changshan"},
        "fields": field_values(app, code),
        "materials": [{"code": "id-card", "reference": "window-scan-0001"}],
    }
    body.update(overrides)
    return body
