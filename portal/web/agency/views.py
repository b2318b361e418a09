"""The agency officer's queue and task page, and the task actions."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.db import db
from portal.domain import DomainError, permits
from portal.domain.access import find_agency_task, may_receive_originals
from portal.domain.case_files import current_files
from portal.domain.catalog import service_outlines
from portal.domain.deadlines import task_level
from portal.domain.events import case_timeline
from portal.domain.lifecycle import task_actions
from portal.domain.paper_files import confirm_receipt, report_missing, whereabouts
from portal.domain.queue import agency_queue
from portal.domain.returns import files_from_returns, return_events, return_to_applicant
from portal.domain.staff import agency_overview
from portal.domain.workflow import TaskRequest, act_on_task, attach_result
from portal.extensions import upload_store
from portal.i18n import localized
from portal.models import PhraseUse, Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.agency.forms import (
    ActionForm,
    CompleteForm,
    MissingOriginalsForm,
    QueueFilterForm,
    ReceiptForm,
    RefuseTaskForm,
    ReturnForm,
    SuspendForm,
)
from portal.web.clock import request_calendar, request_now, request_today
from portal.web.forms import CONCURRENT_CHANGE
from portal.web.fragments import second_of, work_fragment
from portal.web.phrases import phrase_options, with_picked_phrase

bp = Blueprint("agency", __name__, url_prefix="/agency")
PER_PAGE = 20


@bp.get("/")
@role_required(Role.officer)
def index():
    """The queue below the search box is kept per officer and address for
    the second, while the work is unchanged (``work_fragment``): a task a
    colleague claims or finishes renews the stamp, and leaves this page at
    the next request."""
    now = request_now()

    def render() -> str:
        calendar = request_calendar()
        form = QueueFilterForm(request.args, meta={"csrf": False})
        outlines = service_outlines(db.session)
        form.service.choices = [SelectChoice("", _("All services"))] + [SelectChoice(s.code, localized(s, "name")) for s in outlines]
        criteria = {"status": "active"}
        if form.validate():
            criteria = {"status": form.status.data or "active", "level": form.level.data or None, "service_code": form.service.data or None}
        mine = request.args.get("mine") == "1"
        page = db.paginate(agency_queue(current_user, now, calendar, mine=mine, **criteria), per_page=PER_PAGE, error_out=False)
        return render_template(
            "agency/_queue.html",
            form=form,
            page=page,
            mine=mine,
            levels={task.id: task_level(calendar, task, now) for task in page.items},
            **agency_overview(db.session, current_user, outlines),
        )

    content = work_fragment("agency-queue", render, current_user.id, request.full_path, clock=second_of(now))
    return render_template("agency/index.html", agency=current_user.agency, content=content)


def _task_or_404(task_id: int):
    task = find_agency_task(db.session, current_user, task_id)
    if task is None:
        abort(404)
    return task


def _permit_problems(case):
    """For a first residence permit: the rules of art. 2 the case fails
    (an empty list when it meets them all); None for other services."""
    if case.service.code != permits.ISSUE or not case.status.clock_running:
        return None
    return permits.eligibility_problems(db.session, case, request_today())


def _render_task(task, status=200, **forms):
    now, calendar = request_now(), request_calendar()
    forms.setdefault("action_form", ActionForm())
    forms.setdefault("complete_form", CompleteForm())
    forms.setdefault("refuse_form", RefuseTaskForm())
    forms.setdefault("suspend_form", SuspendForm())
    forms.setdefault("return_form", ReturnForm())
    paper = whereabouts(task.case)
    receiving = paper is not None and paper.paper is not None and may_receive_originals(current_user, paper.paper.agency_id)
    if receiving:
        forms.setdefault("receipt_form", ReceiptForm())
        missing = forms.setdefault("missing_form", MissingOriginalsForm())
        missing.missing_items.choices = [SelectChoice(m["code"], localized(m, "name")) for m in paper.held]
    return (
        render_template(
            "agency/task.html",
            task=task,
            case=task.case,
            paper=paper,
            receiving_originals=receiving,
            events=case_timeline(db.session, task.case),
            files=current_files(task.case.files),
            from_returns=files_from_returns(return_events(db.session, task.case)),
            level=task_level(calendar, task, now),
            actions=task_actions(task, current_user),
            permit_problems=_permit_problems(task.case),
            opinion_phrases=phrase_options(task.case.service, PhraseUse.task_opinion),
            refusal_phrases=phrase_options(task.case.service, PhraseUse.task_refusal),
            **forms,
        ),
        status,
    )


@bp.get("/tasks/<int:task_id>")
@role_required(Role.officer)
def task(task_id: int):
    return _render_task(_task_or_404(task_id))


def _claimed_by_another(task_id: int) -> str:
    """Why a task action lost a race: usually another officer claimed it."""
    fresh = find_agency_task(db.session, current_user, task_id)
    if fresh is not None and fresh.assignee is not None and fresh.assignee_id != current_user.id:
        return _("%(name)s has already claimed this task.", name=fresh.assignee.real_name)
    return str(CONCURRENT_CHANGE)


def _act(task_id: int, action: str, form, success: str, note_field: str | None = None, form_name: str | None = None):
    """One task action through the workflow's single entry point: commit
    once, or show the rule's message next to its field (the form is shown
    again) or at the top of the task page."""
    task = _task_or_404(task_id)
    if not form.validate_on_submit():
        if form_name is None:
            abort(400)
        return _render_task(task, 400, **{form_name: form})
    upload = getattr(form, "result_file", None)
    checked = None
    if upload is not None and upload.data and getattr(upload.data, "filename", ""):
        try:
            checked = upload_store().check(upload.data.filename, upload.data.read(), ["pdf"])
        except DomainError as error:
            upload.errors = [error.message]
            return _render_task(task, 400, **{form_name: form})
    request_fields = TaskRequest(
        note=getattr(form, note_field).data if note_field else "",
        expected_workdays=getattr(getattr(form, "expected_workdays", None), "data", None),
        result_number=getattr(getattr(form, "result_number", None), "data", None) or "",
        originals_reason=getattr(getattr(form, "originals_reason", None), "data", None) or "",
    )
    now, calendar = request_now(), request_calendar()

    def run(writes):
        if checked is not None:
            attach_result(db.session, writes, task, checked, current_user, now)
        act_on_task(db.session, task, action, current_user, now, calendar, request_fields)

    outcome = run_action(
        run, success, form=form if form_name else None, fields={"note": note_field} if note_field else None,
        conflict=lambda: _claimed_by_another(task_id), stores_files=True,
    )
    if outcome.on_form:
        return _render_task(task, 400, **{form_name: form})
    return redirect(url_for("agency.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/claim")
@role_required(Role.officer)
def claim(task_id: int):
    return _act(task_id, "claim", ActionForm(), _("You have claimed the task."))


@bp.post("/tasks/<int:task_id>/release")
@role_required(Role.officer)
def release(task_id: int):
    return _act(task_id, "release", ActionForm(), _("The task is back in the agency's queue."))


@bp.post("/tasks/<int:task_id>/resume")
@role_required(Role.officer)
def resume(task_id: int):
    return _act(task_id, "resume", ActionForm(), _("The special procedure has ended; the clock runs again."))


@bp.post("/tasks/<int:task_id>/complete")
@role_required(Role.officer)
def complete(task_id: int):
    form = with_picked_phrase(CompleteForm(), "opinion", request.form)
    return _act(task_id, "complete", form, _("The task is complete."), "opinion", "complete_form")


@bp.post("/tasks/<int:task_id>/return")
@role_required(Role.officer)
def return_to_window(task_id: int):
    form = ReturnForm()
    if not form.needs_applicant.data:
        return _act(
            task_id, "return", form, _("The task has gone back to the receiving window."), "return_reason", "return_form"
        )
    task = _task_or_404(task_id)
    if not form.validate_on_submit():
        return _render_task(task, 400, return_form=form)
    outcome = run_action(
        lambda: return_to_applicant(db.session, task, current_user, request_now(), request_calendar(), form.return_reason.data),
        _("The applicant has been asked; the clock is stopped until they answer. The task comes back to you then."),
        form=form, fields={"note": "return_reason", "needed": "return_reason"}, conflict=lambda: _claimed_by_another(task_id),
    )
    if outcome.on_form:
        return _render_task(task, 400, return_form=form)
    return redirect(url_for("agency.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/refuse")
@role_required(Role.officer)
def refuse(task_id: int):
    return _act(
        task_id, "refuse", with_picked_phrase(RefuseTaskForm(), "reason", request.form),
        _("The case is refused; the applicant will receive the reason."), "reason", "refuse_form",
    )


@bp.post("/tasks/<int:task_id>/suspend")
@role_required(Role.officer)
def suspend(task_id: int):
    return _act(
        task_id, "suspend", SuspendForm(), _("The special procedure has started; the clock is stopped."), "procedure", "suspend_form"
    )


@bp.post("/tasks/<int:task_id>/originals/receipt")
@role_required(Role.officer)
def confirm_originals(task_id: int):
    """收受分离: the case's originals arrived at the agency."""
    task = _task_or_404(task_id)
    form = ReceiptForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = run_action(
        lambda: confirm_receipt(db.session, task.case, current_user, request_now()),
        _("Receipt of the originals is confirmed."),
        form=form,
        fields={"receipt": ""},
    )
    if outcome.on_form:
        return _render_task(task, 400, receipt_form=form)
    return redirect(url_for("agency.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/originals/missing")
@role_required(Role.officer)
def originals_missing(task_id: int):
    """Originals missing from the parcel: back to the sending window to resolve."""
    task = _task_or_404(task_id)
    form = MissingOriginalsForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_task(task, 400, missing_form=form)
    outcome = run_action(
        lambda: report_missing(
            db.session, task.case, current_user, request_now(), form.missing_items.data, form.missing_note.data
        ),
        _("The missing originals are reported; the sending window is asked to resolve it."),
        form=form,
    )
    if outcome.on_form:
        return _render_task(task, 400, missing_form=form)
    return redirect(url_for("agency.task", task_id=task_id))
