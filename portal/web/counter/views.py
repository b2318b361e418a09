"""The window: the clerk's desk and the intake decision on each case."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from portal.db import db
from portal.domain import DomainError
from portal.domain.access import find_visible_case, may_decide
from portal.domain.catalog import CatalogFilter, list_services
from portal.domain.clock import WorkCalendar
from portal.domain.desk import minutes_waiting, returned_count, window_queue
from portal.domain.intake import accept_case, accept_with_pending, refuse_intake, request_correction
from portal.domain.staff import window_overview
from portal.domain.workflow import deliver_case, reopen_task
from portal.i18n import localized
from portal.models import CaseStatus, Role
from portal.security import role_required
from portal.web.counter.forms import AcceptForm, DeliverForm, PendingForm, QueueFilterForm, RefuseForm
from portal.web.forms import CONCURRENT_CHANGE, attach_error, commit_or_flash

bp = Blueprint("counter", __name__, url_prefix="/counter")
PER_PAGE = 20


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
@role_required(Role.clerk)
def index():
    services = list_services(db.session, CatalogFilter())
    form = QueueFilterForm(request.args, meta={"csrf": False})
    form.service.choices = [SelectChoice("", _("All services"))] + [SelectChoice(s.code, localized(s, "name")) for s in services]
    status, service_code = "waiting", None
    if form.validate():
        status, service_code = form.status.data or "waiting", form.service.data or None
    page = db.paginate(window_queue(current_user, status, service_code), per_page=PER_PAGE, error_out=False)
    now = _now()
    return render_template(
        "counter/index.html",
        form=form,
        page=page,
        waited={case.id: minutes_waiting(case, now) for case in page.items},
        returned=returned_count(db.session, current_user),
        to_deliver=db.session.scalar(select(func.count()).select_from(window_queue(current_user, "deliver").subquery())),
        **window_overview(db.session, current_user),
    )


def _decidable_case(number: str):
    case = find_visible_case(db.session, current_user, number)
    if case is None or not may_decide(current_user, case):
        abort(404)
    return case


def _pending_form(case):
    form = PendingForm()
    form.pending.choices = [SelectChoice(m["code"], localized(m, "name")) for m in case.service.materials]
    return form


def _render_decision(case, status=200, **forms):
    forms.setdefault("accept_form", AcceptForm())
    forms.setdefault("pending_form", _pending_form(case))
    forms.setdefault("refuse_form", RefuseForm())
    forms.setdefault("correction_errors", {})
    forms.setdefault("correction_chosen", {})
    return render_template("counter/decide.html", case=case, **forms), status


@bp.get("/cases/<number>/decide")
@role_required(Role.clerk)
def decide(number: str):
    case = _decidable_case(number)
    if case.status is not CaseStatus.submitted:
        flash(_("This case is not waiting for a decision."), "info")
        return redirect(url_for("cases.detail", number=number))
    return _render_decision(case)


def _apply(case, decide_fn, success: str):
    """Run one decision; commit once or roll back whole. A case that is no
    longer waiting (another clerk decided first) goes back to its page."""
    try:
        notice = decide_fn()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(str(CONCURRENT_CHANGE), "error")
        return redirect(url_for("cases.detail", number=case.number))
    except DomainError as error:
        if error.field not in ("status", "actor"):
            raise
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("cases.detail", number=case.number))
    flash(success, "success")
    return redirect(url_for("cases.notice", number=case.number, notice_id=notice.id))


@bp.post("/cases/<number>/accept")
@role_required(Role.clerk)
def accept(number: str):
    case = _decidable_case(number)
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        return _apply(
            case,
            lambda: accept_case(db.session, case, current_user, _now(), WorkCalendar.load(db.session)),
            _("The case is accepted; the clock has started."),
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("cases.detail", number=number))


@bp.post("/cases/<number>/accept-pending")
@role_required(Role.clerk)
def accept_pending(number: str):
    case = _decidable_case(number)
    form = _pending_form(case)
    if form.validate_on_submit():
        try:
            return _apply(
                case,
                lambda: accept_with_pending(
                    db.session,
                    case,
                    current_user,
                    _now(),
                    WorkCalendar.load(db.session),
                    form.pending.data,
                    form.follow_up_by.data,
                ),
                _("The case is accepted with materials to follow; the clock has started."),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    return _render_decision(case, 400, pending_form=form)


@bp.post("/cases/<number>/correction")
@role_required(Role.clerk)
def correction(number: str):
    case = _decidable_case(number)
    form = AcceptForm()  # carries the CSRF check
    # An item counts as chosen when ticked or when a reason was written for it.
    ticked = set(request.form.getlist("item"))
    written = {k[len("reason-") :] for k, v in request.form.items() if k.startswith("reason-") and v.strip()}
    chosen = {key: request.form.get(f"reason-{key}", "") for key in sorted(ticked | written)}
    errors = {}
    if form.validate_on_submit():
        try:
            return _apply(
                case,
                lambda: request_correction(db.session, case, current_user, _now(), chosen),
                _("The correction notice has been issued."),
            )
        except DomainError as error:
            db.session.rollback()
            errors[error.field or "items"] = error.message
    else:
        abort(400)
    return _render_decision(case, 400, correction_errors=errors, correction_chosen=chosen)


@bp.post("/cases/<number>/refuse")
@role_required(Role.clerk)
def refuse(number: str):
    case = _decidable_case(number)
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            return _apply(
                case,
                lambda: refuse_intake(db.session, case, current_user, _now(), form.reason.data),
                _("The notice of non-acceptance has been issued."),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    return _render_decision(case, 400, refuse_form=form)


def deliver_form():
    from portal import labels

    form = DeliverForm()
    form.method.choices = [SelectChoice(k, v) for k, v in labels.DELIVERY_METHODS.items()]
    return form


@bp.post("/cases/<number>/deliver")
@role_required(Role.clerk)
def deliver(number: str):
    """出件: hand over the result of a completed or refused case."""
    case = _decidable_case(number)
    form = deliver_form()
    if not form.validate_on_submit():
        flash(_("Choose how the result is handed over."), "error")
        return redirect(url_for("cases.detail", number=number))
    commit_or_flash(
        lambda: deliver_case(db.session, case, current_user, _now(), form.method.data),
        _("The result has been handed over; the case is closed."),
    )
    return redirect(url_for("cases.detail", number=number))


@bp.post("/cases/<number>/tasks/<int:task_id>/reopen")
@role_required(Role.clerk)
def reopen(number: str, task_id: int):
    """The window has dealt with what the agency asked for; the task goes back."""
    case = _decidable_case(number)
    task = next((t for t in case.tasks if t.id == task_id), None)
    if task is None or not AcceptForm().validate_on_submit():
        abort(404 if task is None else 400)
    commit_or_flash(
        lambda: reopen_task(db.session, task, current_user, _now(), request.form.get("note", "")),
        _("The task is back with %(agency)s.", agency=localized(task.agency, "name")),
    )
    return redirect(url_for("cases.detail", number=number))
