"""Applying once: a draft collects the answers and the materials, the
applicant reviews it, and the final submit turns it into exactly one case
(the draft's token is the case's idempotency key, unique in the database)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import DomainError, permits
from portal.domain.case_files import current_files
from portal.domain.identity import normalise_id_number, normalise_mobile
from portal.domain.lifecycle import open_case
from portal.domain.numbering import new_query_code, next_case_number
from portal.domain.routing import check_facts, involved_counties
from portal.domain.text import person_name
from portal.models import (
    ApplicationDraft,
    Case,
    CaseFile,
    CaseInvolvement,
    County,
    Role,
    Service,
    User,
)
from portal.models.enums import Channel


def new_token() -> str:
    return secrets.token_urlsafe(32)


def case_for_token(session: Session, token: str) -> Case | None:
    return session.scalar(select(Case).where(Case.idempotency_key == token))


def find_draft(session: Session, token: str, owner: User) -> ApplicationDraft | None:
    return session.scalar(
        select(ApplicationDraft).where(ApplicationDraft.token == token, ApplicationDraft.owner_id == owner.id)
    )


def save_draft(
    session: Session,
    *,
    token: str,
    owner: User,
    service: Service,
    channel: Channel,
    answers: dict[str, Any],
    now: datetime,
) -> ApplicationDraft:
    """Create or update the draft this form rendering belongs to."""
    if not token or len(token) > 64:
        raise DomainError(_l("This form has expired. Open the service again and resend it."))
    draft = find_draft(session, token, owner)
    if draft is None:
        if session.scalar(select(ApplicationDraft.id).where(ApplicationDraft.token == token)):
            raise DomainError(_l("This form has expired. Open the service again and resend it."))
        draft = ApplicationDraft(token=token, owner=owner, service=service, channel=channel, created_at=now)
        session.add(draft)
    elif draft.service_id != service.id:
        raise DomainError(_l("This form belongs to another service."))
    draft.answers = answers
    draft.updated_at = now
    session.flush()
    return draft


def missing_materials(service: Service, files: list[CaseFile], licences: dict | None = None) -> list[dict]:
    """Required materials with neither an upload nor an electronic licence standing in (免提交)."""
    have = set(current_files(files)) | set(licences or {})
    return [m for m in service.materials if m["required"] and m["code"] not in have]


def submit_draft(session: Session, draft: ApplicationDraft, actor: User, now: datetime) -> tuple[Case, bool]:
    """Turn the draft into a case. Returns (case, created); a repeat of the
    same submit returns the case the first one created."""
    existing = case_for_token(session, draft.token)
    if existing is not None:
        return existing, False
    if not draft.answers.get("complete"):
        raise DomainError(_l("The application form still has problems. Go back and correct them."), "answers")
    missing = missing_materials(draft.service, draft.files, draft.answers.get("licences"))
    if missing:
        raise DomainError(_l("Some required materials are missing. Go back and upload them."), "materials")
    case, created = open_application(
        session, service=draft.service, channel=draft.channel, answers=draft.answers,
        idempotency_key=draft.token, actor=actor, now=now,
    )
    if not created:
        return case, False
    for file in list(draft.files):
        file.case = case
        file.draft = None
    session.delete(draft)
    session.flush()
    return case, True


def open_application(
    session: Session,
    *,
    service: Service,
    channel: Channel,
    answers: dict[str, Any],
    idempotency_key: str,
    actor: User | None,
    now: datetime,
    event_data: dict | None = None,
) -> tuple[Case, bool]:
    """Make checked answers a case: numbered at its window, submitted
    (已接件) through the lifecycle, visible to the counties involved.
    ``idempotency_key`` is unique among cases: when another request made
    the case with it first, that case is returned with created False."""
    existing = case_for_token(session, idempotency_key)
    if existing is not None:
        return existing, False
    applicant = answers["applicant"]
    county = County(answers["receiving_county"])
    extra = {"licences": answers["licences"]} if answers.get("licences") else {}
    if answers.get("material_references"):
        extra["material_references"] = answers["material_references"]
    case = Case(
        number=next_case_number(session, county, now),
        query_code=new_query_code(),
        service=service,
        channel=channel,
        receiving_county=county,
        applicant_user_id=applicant.get("user_id"),
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        applicant_mobile=applicant["mobile"],
        hukou_county=answers["hukou_county"],
        hukou_province=answers.get("hukou_province", ""),
        residence_county=answers["residence_county"],
        residence_province=answers.get("residence_province", ""),
        business_county=answers.get("business_county"),
        business_province=answers.get("business_province", ""),
        form_data={**answers.get("fields", {}), **extra},
        created_by_id=actor.id if actor is not None else None,
        identity_checked=bool(answers.get("identity_checked")),
        idempotency_key=idempotency_key,
        submitted_at=now,
    )
    try:
        with session.begin_nested():
            open_case(session, case, actor, now, data=event_data)
    except IntegrityError:
        # The same submit arrived twice at once; the other one won.
        return case_for_token(session, idempotency_key), False
    for county_involved in involved_counties(case):
        session.add(CaseInvolvement(case_id=case.id, county=county_involved))
    session.flush()
    return case, True


NAME_MAX = 50


def walk_in_applicant(
    session: Session, name: str, id_number: str, mobile: str, today, *, identity_checked: bool = True
) -> tuple[dict, list[DomainError]]:
    """The applicant a clerk or a window system files for (异地代收):
    name, ID number and mobile checked like a resident's own, the identity
    card checked in person, linked to the resident's account when the ID
    number has one. Returns the applicant and every problem found, each
    naming its field."""
    problems, number, checked_mobile = [], None, None
    try:
        name = person_name(name, "applicant_name", NAME_MAX)
    except DomainError as error:
        problems.append(error)
        name = ""
    else:
        if not name:
            problems.append(DomainError(_l("Enter the applicant's name."), "applicant_name"))
    if not (id_number or "").strip():
        problems.append(DomainError(_l("Enter the applicant's resident ID number."), "applicant_id_number"))
    else:
        try:
            number = normalise_id_number(id_number, today)
        except DomainError as error:
            problems.append(DomainError(error.message, "applicant_id_number"))
    if not (mobile or "").strip():
        problems.append(DomainError(_l("Enter the applicant's mobile number."), "applicant_mobile"))
    else:
        try:
            checked_mobile = normalise_mobile(mobile)
        except DomainError as error:
            problems.append(DomainError(error.message, "applicant_mobile"))
    if not identity_checked:
        problems.append(DomainError(_l("Check the applicant's identity card in person before filing."), "identity_checked"))
    resident = None
    if number:
        resident = session.scalar(select(User).where(User.id_number == number, User.role == Role.resident))
        if resident is not None and name and resident.real_name != name:
            problems.append(
                DomainError(
                    _l("This ID number belongs to a registered resident with another name. Check the name against the ID card."),
                    "applicant_name",
                )
            )
    applicant = {"user_id": resident.id if resident else None, "name": name, "id_number": number, "mobile": checked_mobile}
    return applicant, problems


def application_rules(session: Session, service: Service, answers: dict[str, Any], today) -> list[DomainError]:
    """The rules an application must meet beyond its form: facts the
    routing plan can serve and the residence-permit rules. Records a valid
    permit the applicant holds as standing in for its upload (免提交)."""
    problems = []
    try:
        check_facts(service.code, answers["receiving_county"], answers)
    except DomainError as error:
        problems.append(error)
    id_number = answers.get("applicant", {}).get("id_number")
    licence = None
    if any(m["code"] == permits.PERMIT_MATERIAL for m in service.materials):
        licence = permits.reusable_permit(session, id_number, today)
    answers["licences"] = {permits.PERMIT_MATERIAL: licence.number} if licence else {}
    problems.extend(permits.application_problems(session, service.code, id_number, answers, today))
    return problems


def sweep_drafts(session: Session, older_than: datetime) -> tuple[int, list[str]]:
    """Delete drafts not touched since ``older_than``; returns how many and
    the stored names of their files, to remove from disk after commit."""
    drafts = session.scalars(select(ApplicationDraft).where(ApplicationDraft.updated_at < older_than)).all()
    stored = []
    for draft in drafts:
        for file in list(draft.files):
            stored.append(file.stored_name)
            session.delete(file)
        session.delete(draft)
    session.flush()
    return len(drafts), stored
