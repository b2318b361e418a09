"""Apply once: the form, the review page and the final submit, for a
resident online or a clerk filing a walk-in application (异地代收)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import db
from portal.domain import DomainError, permits
from portal.domain.answers import read_answers
from portal.domain.applications import (
    application_rules,
    case_for_token,
    find_draft,
    missing_materials,
    new_token,
    save_draft,
    submit_draft,
    walk_in_applicant,
)
from portal.domain.case_files import attach_file, current_files
from portal.domain.catalog import CatalogFilter, find_service, list_services
from portal.domain.identity import home_county
from portal.extensions import upload_store
from portal.models import Role
from portal.models.enums import Channel
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.apply.forms import application_form_class, fill_from
from portal.web.clock import request_now, request_today
from portal.web.forms import attach_error, send_stored
from portal.web.service_fields import material_field_name

bp = Blueprint("apply", __name__)


def _service_or_404(code: str):
    service = find_service(db.session, code)
    if service is None:
        abort(404)
    return service


def _licence_for_resident(service):
    """A signed-in resident's permit that stands in for the upload, if the service asks for one."""
    if _counter() or not any(m["code"] == permits.PERMIT_MATERIAL for m in service.materials):
        return None
    return permits.reusable_permit(db.session, current_user.id_number, request_today())


def _counter() -> bool:
    return current_user.role is Role.clerk


def _applicant(form) -> tuple[dict, list[DomainError]]:
    """Who applies: the signed-in resident, or the walk-in the clerk
    records. Returns the applicant and every problem found, not just the first."""
    if not _counter():
        return {
            "user_id": current_user.id,
            "name": current_user.real_name,
            "id_number": current_user.id_number,
            "mobile": current_user.mobile,
        }, []
    return walk_in_applicant(
        db.session,
        form.applicant_name.data or "",
        form.applicant_id_number.data or "",
        form.applicant_mobile.data or "",
        request_today(),
        identity_checked=bool(form.identity_checked.data),
    )


@bp.get("/counter/intake")
@role_required(Role.clerk)
def choose_service():
    return render_template("apply/choose.html", services=list_services(db.session, CatalogFilter()))


@bp.route("/apply/<code>", methods=["GET", "POST"])
@role_required(Role.resident, Role.clerk)
def application(code: str):
    service = _service_or_404(code)
    token = request.form.get("token") or request.args.get("draft") or new_token()
    draft = find_draft(db.session, token, current_user)
    if case_for_token(db.session, token) is not None:
        flash(_("This application was already submitted; here is its receipt."), "info")
        return redirect(url_for("cases.receipt", number=case_for_token(db.session, token).number))
    uploaded = current_files(draft.files) if draft else {}
    form = application_form_class(service, _counter(), set(uploaded))()
    if request.method == "GET":
        form.token.data = token
        if draft:
            fill_from(form, draft.answers, service)
        elif not _counter() and current_user.window_county is None:
            form.receiving_county.data = "changshan"
            form.hukou_county.data = home_county(current_user.id_number) or ""
        return render_template(
            "apply/form.html", form=form, service=service, uploaded=uploaded, counter=_counter(),
            licence=_licence_for_resident(service),
        )

    valid = form.validate_on_submit()
    applicant, problems = _applicant(form)
    for problem in problems:
        if not getattr(form, problem.field).errors:
            attach_error(form, problem)
        valid = False
    today = request_today()
    licence = None
    if any(m["code"] == permits.PERMIT_MATERIAL for m in service.materials):
        licence = permits.reusable_permit(db.session, applicant.get("id_number"), today)
    checked = {}
    for material in service.materials:
        field = form[material_field_name(material["code"])]
        upload = field.data
        if material["code"] == permits.PERMIT_MATERIAL and licence and not getattr(upload, "filename", ""):
            continue  # 免提交: the electronic licence stands in for the upload
        if upload and getattr(upload, "filename", ""):
            try:
                checked[material["code"]] = upload_store().check(upload.filename, upload.read(), material["file_types"])
            except DomainError as error:
                field.errors = list(field.errors) + [error.message]
                valid = False
        elif material["required"] and material["code"] not in uploaded:
            field.errors = list(field.errors) + [_("Upload %(name)s.", name=field.label.text)]
            valid = False

    answers, problems = read_answers(service, request.form, today)
    for problem in problems:
        attach_error(form, problem)
        valid = False
    answers["applicant"] = applicant or {}
    if _counter():
        answers["identity_checked"] = bool(form.identity_checked.data)
    answers["receiving_county"] = (
        current_user.window_county.value if _counter() else (form.receiving_county.data or "changshan")
    )
    for problem in application_rules(db.session, service, answers, today):
        attach_error(form, problem)
        valid = False
    # Only a form that passed every check may be reviewed and submitted.
    answers["complete"] = valid

    def save(writes):
        saved = save_draft(
            db.session, token=token, owner=current_user, service=service,
            channel=Channel.counter if _counter() else Channel.online, answers=answers, now=request_now(),
        )
        for code_, file in checked.items():
            attach_file(db.session, writes, file, code_, current_user, request_now(), draft=saved)
        return saved

    outcome = run_action(save, form=form, stores_files=True)
    if outcome:
        draft = outcome.value
    else:
        valid = False  # the reason is next to its field, or in the message above the form
    if not valid:
        uploaded = current_files(draft.files) if draft else {}
        return (
            render_template(
                "apply/form.html", form=form, service=service, uploaded=uploaded, counter=_counter(), licence=licence
            ),
            400,
        )
    return redirect(url_for("apply.review", token=token))


def _draft_or_404(token: str):
    draft = find_draft(db.session, token, current_user)
    if draft is None:
        abort(404)
    return draft


@bp.get("/apply/review/<token>")
@role_required(Role.resident, Role.clerk)
def review(token: str):
    existing = case_for_token(db.session, token)
    if existing is not None:
        return redirect(url_for("cases.receipt", number=existing.number))
    draft = _draft_or_404(token)
    if not draft.answers.get("complete"):
        return redirect(url_for("apply.application", code=draft.service.code, draft=token))
    return render_template(
        "apply/review.html",
        draft=draft,
        service=draft.service,
        files=current_files(draft.files),
        missing=missing_materials(draft.service, draft.files, draft.answers.get("licences")),
        licences=draft.answers.get("licences") or {},
    )


@bp.post("/apply/submit/<token>")
@role_required(Role.resident, Role.clerk)
def submit(token: str):
    existing = case_for_token(db.session, token)
    if existing is not None:
        flash(_("This application was already submitted; here is its receipt."), "info")
        return redirect(url_for("cases.receipt", number=existing.number))
    draft = _draft_or_404(token)
    outcome = run_action(lambda: submit_draft(db.session, draft, current_user, request_now()))
    if not outcome:
        return redirect(url_for("apply.review", token=token))
    case, created = outcome.value
    if created:
        flash(_("Your application has been submitted. Keep the case number and query code."), "success")
    return redirect(url_for("cases.receipt", number=case.number))


@bp.get("/apply/review/<token>/files/<int:file_id>")
@role_required(Role.resident, Role.clerk)
def draft_file(token: str, file_id: int):
    draft = _draft_or_404(token)
    found = next((f for f in draft.files if f.id == file_id), None)
    if found is None:
        abort(404)
    return send_stored(found)
