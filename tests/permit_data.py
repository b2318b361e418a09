"""Residence permit cases run through the real workflow, for the permit tests."""

import secrets

from portal.domain.clock import WorkCalendar
from portal.domain.intake import accept_case
from portal.domain.workflow import claim_task, complete_task
from portal.models import CaseFile
from tests.factories import at, create_case, create_user

# Registered in Yushan, living in Changshan since January.
MOVED_IN = dict(hukou_county="yushan", residence_county="changshan")


def add_file(session, case, material_code, when):
    from portal.extensions import upload_store
    from tests.uploads import PNG

    stored_name = secrets.token_hex(16)
    path = upload_store().path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    session.add(CaseFile(
        case=case, material_code=material_code, filename=f"{material_code}.png", stored_name=stored_name,
        content_type="image/png", size=100, sha256="0" * 64, uploaded_at=when,
    ))
    session.flush()


def finish(session, case, when):
    """Every open task claimed and completed by an officer of its agency."""
    calendar = WorkCalendar.load(session)
    while any(t.status.is_active for t in case.tasks):
        task = next(t for t in case.tasks if t.status.is_active)
        officer = create_user(session, "officer", agency_code=task.agency.code)
        claim_task(session, task, officer, when)
        complete_task(session, task, officer, when, calendar, "材料齐全，准予")
    session.commit()
    return case


def permit_case(session, code="psb-rp-apply", *, applicant=None, day="2026-11-02", fields=None, facts=MOVED_IN, proof=True):
    """A case of ``code`` received and accepted at the Changshan window on ``day``."""
    form = {"address": "常山县天马街道文峰路1号", "residence_basis": "housing", "residence_since": "2026-01-10"}
    if code != "psb-rp-apply":
        form = {}
    form.update(fields or {})
    case = create_case(
        session, code, status="submitted", applicant=applicant, submitted_at=at(day, 9), form_data=form, **facts
    )
    add_file(session, case, "photo", at(day, 9))
    if proof:
        add_file(session, case, "residence-proof", at(day, 9))
    clerk = create_user(session, "clerk")
    accept_case(session, case, clerk, at(day, 9).replace(minute=15), WorkCalendar.load(session))
    return case


def issued_permit(session, applicant=None, day="2026-11-02"):
    from portal.domain.permits import case_permit

    case = finish(session, permit_case(session, applicant=applicant, day=day), at(day, 9).replace(minute=40))
    return case_permit(session, case)
