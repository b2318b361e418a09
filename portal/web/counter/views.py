"""The window: the clerk's desk and the intake decision on each case."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from portal.db import db
from portal.domain.access import find_visible_case, may_decide
from portal.domain.catalog import service_outlines
from portal.domain.desk import minutes_waiting, returned_count, window_queue
from portal.domain.intake import accept_case, accept_with_pending, refuse_intake, request_correction
from portal.domain.paper_files import Dispatch, hold_originals, originals_to_resolve, send_originals, whereabouts
from portal.domain.postal import Postage, prefilled_address
from portal.domain.returns import ask_applicant, default_request_by, latest_return, reply_to_return, request_for
from portal.domain.staff import window_overview
from portal.domain.workflow import deliver_case
from portal.extensions import paper_transit_workdays, upload_store
from portal.i18n import localized
from portal.models import CaseStatus, PhraseUse, Role
from portal.models.enums import TaskStatus
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.clock import request_calendar, request_now, request_today
from portal.web.counter.forms import (
    AcceptForm,
    AskApplicantForm,
    HoldOriginalsForm,
    PendingForm,
    QueueFilterForm,
    RefuseForm,
    SendOriginalsForm,
)
from portal.web.forms import DeliverForm, carrier_choices
from portal.web.fragments import second_of, work_fragment
from portal.web.phrases import PICKER_SUFFIX, phrase_options, picked_or_typed, with_picked_phrase
from portal.web.return_files import ReturnAnswerForm

bp = Blueprint("counter", __name__, url_prefix="/counter")
PER_PAGE = 20


@bp.get("/")
@role_required(Role.clerk)
def index():
    """The desk below the search box is kept per clerk and address for the
    second, while the work is unchanged (``work_fragment``)."""
    now = request_now()

    def render() -> str:
        form = QueueFilterForm(request.args, meta={"csrf": False})
        outlines = service_outlines(db.session)
        form.service.choices = [SelectChoice("", _("All services"))] + [SelectChoice(s.code, localized(s, "name")) for s in outlines]
        status, service_code = "waiting", None
        if form.validate():
            status, service_code = form.status.data or "waiting", form.service.data or None
        page = db.paginate(window_queue(current_user, status, service_code), per_page=PER_PAGE, error_out=False)
        return render_template(
            "counter/_desk.html",
            form=form,
            page=page,
            waited={case.id: minutes_waiting(case, now) for case in page.items},
            returned=returned_count(db.session, current_user),
            originals_missing=originals_to_resolve(db.session, current_user),
            to_deliver=db.session.scalar(select(func.count()).select_from(window_queue(current_user, "deliver").subquery())),
            **window_overview(db.session, current_user, outlines),
        )

    content = work_fragment("desk", render, current_user.id, request.full_path, clock=second_of(now))
    return render_template("counter/index.html", county=current_user.window_county, content=content)


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
    return render_template(
        "counter/decide.html", case=case,
        correction_phrases=phrase_options(case.service, PhraseUse.correction),
        refusal_phrases=phrase_options(case.service, PhraseUse.intake_refusal),
        **forms,
    ), status


@bp.get("/cases/<number>/decide")
@role_required(Role.clerk)
def decide(number: str):
    case = _decidable_case(number)
    if case.status is not CaseStatus.submitted:
        flash(_("This case is not waiting for a decision."), "info")
        return redirect(url_for("cases.detail", number=number))
    return _render_decision(case)


def _decided(case, outcome, form_name: str | None = None, **forms):
    """After a decision: its printable notice, or the case page with the
    message, or the decision page again with the error next to its field."""
    if outcome:
        return redirect(url_for("cases.notice", number=case.number, notice_id=outcome.value.id))
    if outcome.on_form:
        return _render_decision(case, 400, **forms)
    return redirect(url_for("cases.detail", number=case.number))


@bp.post("/cases/<number>/accept")
@role_required(Role.clerk)
def accept(number: str):
    case = _decidable_case(number)
    if not AcceptForm().validate_on_submit():
        abort(400)
    outcome = run_action(
        lambda: accept_case(db.session, case, current_user, request_now(), request_calendar()),
        _("The case is accepted; the clock has started."),
    )
    return _decided(case, outcome)


@bp.post("/cases/<number>/accept-pending")
@role_required(Role.clerk)
def accept_pending(number: str):
    case = _decidable_case(number)
    form = _pending_form(case)
    if not form.validate_on_submit():
        return _render_decision(case, 400, pending_form=form)
    outcome = run_action(
        lambda: accept_with_pending(
            db.session, case, current_user, request_now(), request_calendar(), form.pending.data, form.follow_up_by.data
        ),
        _("The case is accepted with materials to follow; the clock has started."),
        form=form,
    )
    return _decided(case, outcome, pending_form=form)


@bp.post("/cases/<number>/correction")
@role_required(Role.clerk)
def correction(number: str):
    case = _decidable_case(number)
    if not AcceptForm().validate_on_submit():  # carries the CSRF check
        abort(400)
    # An item counts as chosen when ticked or when a reason was written for it.
    ticked = set(request.form.getlist("item"))
    # A phrase picked beside an empty box (the page without its script) is its reason.
    written = {
        k[len("reason-") :].removesuffix(PICKER_SUFFIX) for k, v in request.form.items() if k.startswith("reason-") and v.strip()
    }
    chosen = {key: picked_or_typed(request.form, f"reason-{key}") for key in sorted(ticked | written)}
    errors = {}
    outcome = run_action(
        lambda: request_correction(db.session, case, current_user, request_now(), chosen, request_calendar()),
        _("The correction notice has been issued."),
        form=errors,
    )
    return _decided(case, outcome, correction_errors=errors, correction_chosen=chosen)


@bp.post("/cases/<number>/refuse")
@role_required(Role.clerk)
def refuse(number: str):
    case = _decidable_case(number)
    form = with_picked_phrase(RefuseForm(), "reason", request.form)
    if not form.validate_on_submit():
        return _render_decision(case, 400, refuse_form=form)
    outcome = run_action(
        lambda: refuse_intake(db.session, case, current_user, request_now(), form.reason.data),
        _("The notice of non-acceptance has been issued."),
        form=form,
    )
    return _decided(case, outcome, refuse_form=form)


def deliver_form(case) -> DeliverForm:
    """The hand-over form, with the applicant's choice and address from the application."""
    return DeliverForm.for_methods((case.form_data or {}).get("delivery"), prefilled_address(case))


@bp.route("/cases/<number>/deliver", methods=["GET", "POST"])
@role_required(Role.clerk)
def deliver(number: str):
    """出件: hand over the result of a completed or refused case; by post
    (邮寄送达) with the address, carrier and waybill number."""
    case = _decidable_case(number)
    form = deliver_form(case)
    if request.method == "GET":
        return render_template("counter/deliver.html", case=case, deliver_form=form)
    if not form.validate_on_submit():
        flash(_("Choose how the result is handed over."), "error")
        return redirect(url_for("cases.detail", number=number))
    postage = Postage(form.address.data or "", form.carrier.data or "", form.waybill.data or "")
    outcome = run_action(
        lambda: deliver_case(db.session, case, current_user, request_now(), form.method.data, postage),
        _("The result has been handed over; the case is closed."),
        form=form,
        duplicate=_("The hand-over of this result was already recorded."),
    )
    if outcome.on_form:
        return render_template("counter/deliver.html", case=case, deliver_form=form), 400
    return redirect(url_for("cases.detail", number=number))


def originals_forms(case, **forms) -> dict:
    """The window's forms for the case's originals (收受分离)."""
    paper = whereabouts(case)
    hold = forms.get("hold_form") or HoldOriginalsForm()
    hold.items.choices = [SelectChoice(m["code"], localized(m, "name")) for m in (paper.originals if paper else [])]
    if not hold.is_submitted() and paper and paper.paper:
        hold.items.data = list(paper.paper.items)
    send = forms.get("send_form") or SendOriginalsForm()
    send.carrier.choices = carrier_choices()
    if not send.is_submitted():
        send.sent_on.data = request_today()
    return {"paper": paper, "hold_form": hold, "send_form": send}


def _render_originals(case, status=200, **forms):
    return render_template("counter/originals.html", case=case, **originals_forms(case, **forms)), status


@bp.get("/cases/<number>/originals")
@role_required(Role.clerk)
def originals(number: str):
    """收受分离: the originals the window holds for the case and how they were sent."""
    case = _decidable_case(number)
    if whereabouts(case) is None:
        abort(404)
    return _render_originals(case)


@bp.post("/cases/<number>/originals/hold")
@role_required(Role.clerk)
def hold(number: str):
    case = _decidable_case(number)
    form = HoldOriginalsForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = run_action(
        lambda: hold_originals(db.session, case, current_user, request_now(), form.items.data),
        _("The originals the window holds are recorded."),
        form=form,
        duplicate=_("The originals the window holds were already recorded."),
    )
    if outcome.on_form:
        return _render_originals(case, 400, hold_form=form)
    if whereabouts(case) is None:  # refused for a case that posts no originals: its page says why
        return redirect(url_for("cases.detail", number=number))
    return redirect(url_for("counter.originals", number=number))


@bp.post("/cases/<number>/originals/send")
@role_required(Role.clerk)
def send(number: str):
    case = _decidable_case(number)
    form = SendOriginalsForm()
    form.carrier.choices = carrier_choices()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        form.sent_on.errors = [_("Enter the date the originals were sent, as YYYY-MM-DD.")]
        return _render_originals(case, 400, send_form=form)
    dispatch = Dispatch(form.carrier.data or "", form.waybill.data or "", form.sent_on.data)
    outcome = run_action(
        lambda: send_originals(
            db.session, case, current_user, request_now(), request_calendar(), dispatch, paper_transit_workdays()
        ),
        _("The originals are on their way to the competent agency."),
        form=form,
    )
    if outcome.on_form:
        return _render_originals(case, 400, send_form=form)
    return redirect(url_for("cases.detail", number=number))


def _returned_task(case, task_id: int):
    task = next((t for t in case.tasks if t.id == task_id), None)
    if task is None:
        abort(404)
    return task


def _reply_form_class(case):
    return ReturnAnswerForm.for_case(
        case, _("What the window has done"), True, _("The officer who returned the task reads this with the files.")
    )


def _render_reply(case, task, status=200, reply_form=None, ask_form=None):
    returned = latest_return(db.session, task)
    ask_form = ask_form or AskApplicantForm()
    ask_form.by.description = ngettext(
        "If left empty: %(date)s, %(num)d working day from today.",
        "If left empty: %(date)s, %(num)d working days from today.",
        case.service.correction_workdays,
        date=default_request_by(request_calendar(), case, request_now()).isoformat(),
    )
    return (
        render_template(
            "counter/reply.html",
            case=case,
            task=task,
            returned=returned,
            waiting=request_for(task),
            reply_form=reply_form or _reply_form_class(case)(),
            ask_form=ask_form,
        ),
        status,
    )


@bp.route("/cases/<number>/tasks/<int:task_id>/reply", methods=["GET", "POST"])
@role_required(Role.clerk)
def reply(number: str, task_id: int):
    """The window's reply to a returned task: what it did and any re-scanned
    or new documents; the task goes back to the officer who returned it."""
    case = _decidable_case(number)
    task = _returned_task(case, task_id)
    if request.method == "GET" or task.status is not TaskStatus.returned:
        if task.status is not TaskStatus.returned:
            flash(_("This task is not waiting at the window."), "info")
            return redirect(url_for("cases.detail", number=number))
        return _render_reply(case, task)
    form = _reply_form_class(case)()
    valid = form.validate_on_submit()
    uploads, added = form.checked_files(upload_store())
    if not valid or form.file_errors():
        return _render_reply(case, task, 400, reply_form=form)
    outcome = run_action(
        lambda writes: reply_to_return(
            db.session, task, current_user, request_now(), writes, form.note.data, uploads, added
        ),
        _("The task is back with %(agency)s.", agency=localized(task.agency, "name")),
        form=form,
        stores_files=True,
    )
    if outcome.on_form:
        return _render_reply(case, task, 400, reply_form=form)
    return redirect(url_for("cases.detail", number=number))


@bp.post("/cases/<number>/tasks/<int:task_id>/ask")
@role_required(Role.clerk)
def ask(number: str, task_id: int):
    """Only the applicant can supply what the agency asked for: a request
    to them, the clock stopped until they answer."""
    case = _decidable_case(number)
    task = _returned_task(case, task_id)
    form = AskApplicantForm()
    if not form.validate_on_submit():
        return _render_reply(case, task, 400, ask_form=form)
    outcome = run_action(
        lambda: ask_applicant(db.session, task, current_user, request_now(), request_calendar(), form.needed.data, form.by.data),
        _("The applicant has been asked; the clock is stopped until they answer."),
        form=form,
    )
    if outcome.on_form:
        return _render_reply(case, task, 400, ask_form=form)
    return redirect(url_for("cases.detail", number=number))
