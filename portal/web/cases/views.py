"""A case as its applicant and the window see it: the page with its
timeline, the receipt, the notices, the files; the applicant's correction
and withdrawal; public tracking by case number and query code."""

from __future__ import annotations

from datetime import UTC, datetime

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.db import db
from portal.domain import DomainError
from portal.domain.access import find_tracked_case, find_visible_case, may_decide, public_events, public_view
from portal.domain.applications import current_files
from portal.domain.catalog import list_agencies
from portal.domain.clock import WorkCalendar
from portal.domain.deadlines import case_level
from portal.domain.intake import open_correction, resubmit_correction, withdraw_case
from portal.domain.lifecycle import allowed_actions
from portal.domain.permits import ENDORSE, ISSUE, REPLACE, case_permit
from portal.domain.uploads import check_upload, file_writes
from portal.extensions import limiter
from portal.models import Case, CaseStatus, Event, Role, Task
from portal.security import role_required
from portal.web.cases.forms import CorrectionAnswerForm, TrackForm, WithdrawForm
from portal.web.forms import CONCURRENT_CHANGE, attach_error, commit_or_flash, send_stored

bp = Blueprint("cases", __name__)


def deliver_form():
    from portal.web.counter.views import deliver_form as build

    return build()
STAFF_AND_RESIDENTS = (Role.resident, Role.clerk, Role.officer, Role.supervisor, Role.admin)


def _now() -> datetime:
    return datetime.now(UTC)


def case_or_404(number: str) -> Case:
    case = find_visible_case(db.session, current_user, number)
    if case is None:
        abort(404)
    return case


def timeline(case: Case) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.case_id == case.id)
            .options(selectinload(Event.actor), selectinload(Event.task).selectinload(Task.agency))
            .order_by(Event.created_at, Event.id)
        )
    )


PERMIT_CODES = (ISSUE, ENDORSE, REPLACE)


def tracking_url(case: Case) -> str:
    return url_for("cases.track", number=case.number, code=case.query_code, _external=True)


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, dark="#1b1f24", light="#ffffff", title=_("QR code to track this case")))


@bp.get("/cases/<number>")
@role_required(*STAFF_AND_RESIDENTS)
def detail(number: str):
    case = case_or_404(number)
    calendar = WorkCalendar.load(db.session) if case.due_at else None
    return render_template(
        "cases/detail.html",
        case=case,
        events=timeline(case),
        files=current_files(case.files),
        correction=open_correction(case),
        level=case_level(calendar, case, _now()) if calendar else None,
        actions=allowed_actions(case),
        is_applicant=case.applicant_user_id == current_user.id,
        may_decide=may_decide(current_user, case),
        withdraw_form=WithdrawForm(),
        deliver_form=deliver_form() if may_decide(current_user, case) else None,
        returned_reasons=returned_reasons(case),
        results=[f for f in case.files if f.material_code.startswith("result-")],
        agencies=list_agencies(db.session) if current_user.role in (Role.supervisor, Role.admin) else [],
        permit=case_permit(db.session, case) if case.service.code in PERMIT_CODES else None,
    )


def returned_reasons(case: Case) -> dict[int, str]:
    """Why each returned task came back, from its latest return event."""
    events = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.action == "task_return").order_by(Event.id)
    )
    return {event.task_id: event.note for event in events}


@bp.get("/cases/<number>/receipt")
@role_required(*STAFF_AND_RESIDENTS)
def receipt(number: str):
    case = case_or_404(number)
    url = tracking_url(case)
    return render_template("cases/receipt.html", case=case, tracking_url=url, qr=qr_svg(url))


@bp.get("/cases/<number>/notices/<int:notice_id>")
@role_required(*STAFF_AND_RESIDENTS)
def notice(number: str, notice_id: int):
    case = case_or_404(number)
    found = next((n for n in case.notices if n.id == notice_id), None)
    if found is None:
        abort(404)
    return render_template("cases/notice.html", case=case, notice=found)


@bp.get("/cases/<number>/files/<int:file_id>")
@role_required(*STAFF_AND_RESIDENTS)
def download(number: str, file_id: int):
    case = case_or_404(number)
    found = next((f for f in case.files if f.id == file_id), None)
    if found is None:
        abort(404)
    return send_stored(found)


@bp.post("/cases/<number>/withdraw")
@role_required(Role.resident, Role.clerk)
def withdraw(number: str):
    case = case_or_404(number)
    form = WithdrawForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: withdraw_case(db.session, case, current_user, _now(), form.reason.data),
            _("The application has been withdrawn."),
        )
    else:
        for message in form.reason.errors:
            flash(str(message), "error")
    return redirect(url_for("cases.detail", number=number))


@bp.route("/cases/<number>/correction", methods=["GET", "POST"])
@role_required(Role.resident, Role.clerk)
def correction(number: str):
    """Answer a correction notice: only the items it lists can be changed."""
    case = case_or_404(number)
    notice = open_correction(case)
    if notice is None or case.status is not CaseStatus.correction_requested:
        flash(_("This case has no open correction notice."), "info")
        return redirect(url_for("cases.detail", number=number))
    if current_user.role is Role.clerk and not may_decide(current_user, case):
        abort(404)
    form_class = CorrectionAnswerForm.for_notice(case, notice)
    form = form_class()
    if request.method == "GET":
        form.prefill(case)
    if request.method == "POST":
        valid = form.validate_on_submit()
        uploads = {}
        for item in notice.items:
            if item["kind"] != "material":
                continue
            field = form[f"material_{item['key'].replace('-', '_')}"]
            upload = field.data
            if not upload or not getattr(upload, "filename", ""):
                field.errors = list(field.errors) + [_("Upload a new file for this material.")]
                continue
            material = next(m for m in case.service.materials if m["code"] == item["key"])
            try:
                uploads[item["key"]] = check_upload(upload.filename, upload.read(), material["file_types"])
            except DomainError as error:
                field.errors = list(field.errors) + [error.message]
        if valid and not any(f.errors for f in form):
            with file_writes() as writes:
                try:
                    resubmit_correction(
                        db.session, case, current_user, _now(), writes, form.field_values(request.form), uploads
                    )
                    db.session.commit()
                    writes.committed = True
                except DomainError as error:
                    db.session.rollback()
                    attach_error(form, error)
                except StaleDataError:
                    db.session.rollback()
                    form.form_errors.append(str(CONCURRENT_CHANGE))
                else:
                    flash(_("Your correction has been sent back to the window."), "success")
                    return redirect(url_for("cases.detail", number=number))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/correction.html", case=case, notice=notice, form=form), status


@bp.route("/track", methods=["GET"])
@limiter.limit(lambda: current_app.config.get("PORTAL_TRACK_LIMIT", "30 per minute"))
def track():
    """Public tracking without login: status and timeline, a masked name,
    nothing else personal."""
    form = TrackForm(request.args, meta={"csrf": False})
    case = None
    if request.args and form.validate():
        case = find_tracked_case(db.session, form.number.data.strip().upper(), form.code.data.strip())
        if case is None:
            form.code.errors = list(form.code.errors) + [
                _("No case matches this case number and query code. Check both on your receipt.")
            ]
    status = 400 if request.args and case is None else 200
    return (
        render_template(
            "cases/track.html", form=form, case=public_view(case) if case else None,
            events=public_events(db.session, case) if case else [],
        ),
        status,
    )
