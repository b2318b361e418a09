"""Filing a walk-in case for a window system (异地代收), shared by
POST /api/v1/cases and Open311's POST requests.json.

The checks are the counter's own: :func:`portal.domain.answers.read_answers`
checks the service's fields and the routing facts, the same functions
check the applicant and the permit rules, and ``open_application`` makes
the case exactly as the counter's submit does. Messages are in the
caller's language; the API asks for English."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.answers import FACTS, read_answers
from portal.domain.applications import application_rules, case_for_token, open_application, walk_in_applicant
from portal.domain.catalog import find_service
from portal.domain.clock import local_date
from portal.domain.tokens import Principal
from portal.models import Case
from portal.models.enums import Channel


@dataclass
class WalkIn:
    """A walk-in application as a partner sends it, whatever the protocol."""

    service_code: str
    name: str
    id_number: str
    mobile: str
    identity_checked: bool
    facts: dict[str, str | None]
    fields: dict[str, str] = field(default_factory=dict)
    materials: list[tuple[str, str]] = field(default_factory=list)  # (code, reference)


class FilingErrors(Exception):
    """What is wrong with a walk-in, as (name, message) pairs. Names are
    the counter form's: ``service``, ``applicant_name``, ``hukou_county``,
    ``field_<name>``, ``material:<code>``, or "" for the application as a whole."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1])
        self.errors = errors


class IdempotencyConflict(Exception):
    """The key was used before for a different application."""

    def __init__(self, case: Case):
        super().__init__(case.number)
        self.case = case


def idempotency_key(principal: Principal, client_key: str | None) -> str:
    """The case's unique key: the client's key, scoped to its token (one
    partner cannot collide with another's keys), or a fresh one. 64 chars."""
    if client_key:
        return "api-" + hashlib.sha256(f"{principal.token_id}:{client_key}".encode()).hexdigest()[:60]
    return "api-" + secrets.token_hex(30)


def _same_application(case: Case, walk_in: WalkIn) -> bool:
    return case.service.code == walk_in.service_code and case.applicant_id_number == walk_in.id_number.strip().upper()


def file_walk_in(
    session: Session, principal: Principal, walk_in: WalkIn, key: str, now: datetime
) -> tuple[Case, bool]:
    """Make the case at the principal's window, or return the one the same
    key made before (created False). Raises FilingErrors listing every
    problem, or IdempotencyConflict when the key made a different case."""
    existing = case_for_token(session, key)
    if existing is not None:
        if not _same_application(existing, walk_in):
            raise IdempotencyConflict(existing)
        return existing, False
    service = find_service(session, walk_in.service_code)
    if service is None:
        raise FilingErrors([("service", "No service has this code; GET /api/v1/services lists them.")])
    errors: list[tuple[str, str]] = []
    known = {spec["name"] for spec in service.fields}
    errors += [(f"field_{name}", "Not a field of this service.") for name in walk_in.fields if name not in known]
    materials = {m["code"] for m in service.materials}
    references: dict[str, str] = {}
    for code, reference in walk_in.materials:
        if code not in materials:
            errors.append((f"material:{code}", "Not a material of this service."))
        elif code in references:
            errors.append((f"material:{code}", "Given twice."))
        references[code] = reference
    today = local_date(now)
    values = {
        **{name: walk_in.facts.get(name) or "" for name in FACTS},
        **{f"field_{name}": value for name, value in walk_in.fields.items()},
    }
    answers, problems = read_answers(service, values, today)
    applicant, applicant_problems = walk_in_applicant(
        session, walk_in.name, walk_in.id_number, walk_in.mobile, today, identity_checked=walk_in.identity_checked
    )
    problems += applicant_problems
    answers["applicant"] = applicant
    answers["identity_checked"] = walk_in.identity_checked
    answers["receiving_county"] = principal.filing_county.value
    if not errors and not problems:
        problems += application_rules(session, service, answers, today)
    errors += [(p.field or "", str(p.message)) for p in problems]
    if errors:
        raise FilingErrors(errors)
    answers["material_references"] = references
    return open_application(
        session,
        service=service,
        channel=Channel.counter,
        answers=answers,
        idempotency_key=key,
        actor=principal.user,
        now=now,
        event_data={"api_token": principal.token_id, "api_token_name": principal.name},
    )
