"""The agency officer's queue and task page, and the task actions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from portal.db import db
from portal.domain import DomainError
from portal.domain.access import find_agency_task
from portal.domain.applications import current_files
from portal.domain.catalog import CatalogFilter, list_services
from portal.domain.clock import WorkCalendar
from portal.domain.deadlines import task_level
from portal.domain.lifecycle import task_actions
from portal.domain.queue import agency_queue
from portal.domain.staff import agency_overview
from portal.domain.uploads import check_upload, file_writes
from portal.domain.workflow import (
    attach_result,
    claim_task,
    complete_task,
    refuse_task,
    release_task,
    resume_task,
    return_task,
    suspend_task,
)
from portal.i18n import localized
from portal.models import Role, Task
from portal.security import role_required
from portal.web.agency.forms import ActionForm, CompleteForm, QueueFilterForm, RefuseTaskForm, ReturnForm, SuspendForm
from portal.web.cases.views import timeline
from portal.web.forms import CONCURRENT_CHANGE, attach_error

bp = Blueprint("agency", __name__, url_prefix="/agency")
PER_PAGE = 20


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
@role_required(Role.officer)
def index():
    now, calendar = _now(), WorkCalendar.load(db.session)
    form = QueueFilterForm(request.args, meta={"csrf": False})
    form.service.choices = [SelectChoice("", _("All services"))] + [
        SelectChoice(s.code, localized(s, "name")) for s in list_services(db.session, CatalogFilter())
    ]
    criteria = {"status": "active"}
    if form.validate():
        criteria = {"status": form.status.data or "active", "level": form.level.data or None, "service_code": form.service.data or None}
    mine = request.args.get("mine") == "1"
    page = db.paginate(agency_queue(current_user, now, calendar, mine=mine, **criteria), per_page=PER_PAGE, error_out=False)
    return render_template(
        "agency/index.html",
        form=form,
        page=page,
        mine=mine,
        levels={task.id: task_level(calendar, task, now) for task in page.items},
        **agency_overview(db.session, current_user),
    )


def _task_or_404(task_id: int):
    task = find_agency_task(db.session, current_user, task_id)
    if task is None:
        abort(404)
    return task


def _permit_problems(case, now):
    """For a first residence permit: the rules of art. 2 the case fails
    (an empty list when it meets them all); None for other services."""
    from portal.domain import permits
    from portal.domain.clock import local_date

    if case.service.code != permits.ISSUE or not case.status.clock_running:
        return None
    return permits.eligibility_problems(db.session, case, local_date(now))


def _render_task(task, status=200, **forms):
    now = _now()
    calendar = WorkCalendar.load(db.session)
    forms.setdefault("action_form", ActionForm())
    forms.setdefault("complete_form", CompleteForm())
    forms.setdefault("refuse_form", RefuseTaskForm())
    forms.setdefault("suspend_form", SuspendForm())
    forms.setdefault("return_form", ReturnForm())
    return (
        render_template(
            "agency/task.html",
            task=task,
            case=task.case,
            events=timeline(task.case),
            files=current_files(task.case.files),
            level=task_level(calendar, task, now),
            actions=task_actions(task, current_user),
            permit_problems=_permit_problems(task.case, now),
            **forms,
        ),
        status,
    )


@bp.get("/tasks/<int:task_id>")
@role_required(Role.officer)
def task(task_id: int):
    return _render_task(_task_or_404(task_id))


def _run(task, action, success: str):
    """One task action: commit once, or roll back whole with a message."""
    try:
        action()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        fresh = find_agency_task(db.session, current_user, task.id)
        if fresh is not None and fresh.assignee is not None and fresh.assignee_id != current_user.id:
            flash(_("%(name)s has already claimed this task.", name=fresh.assignee.real_name), "error")
        else:
            flash(str(CONCURRENT_CHANGE), "error")
        return redirect(url_for("agency.task", task_id=task.id))
    flash(success, "success")
    return redirect(url_for("agency.task", task_id=task.id))


def _simple(task_id: int, func, success: str):
    task = _task_or_404(task_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return _run(task, lambda: func(task), success)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("agency.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/claim")
@role_required(Role.officer)
def claim(task_id: int):
    return _simple(task_id, lambda t: claim_task(db.session, t, current_user, _now()), _("You have claimed the task."))


@bp.post("/tasks/<int:task_id>/release")
@role_required(Role.officer)
def release(task_id: int):
    return _simple(task_id, lambda t: release_task(db.session, t, current_user, _now()), _("The task is back in the agency's queue."))


@bp.post("/tasks/<int:task_id>/resume")
@role_required(Role.officer)
def resume(task_id: int):
    return _simple(
        task_id, lambda t: resume_task(db.session, t, current_user, _now(), WorkCalendar.load(db.session)),
        _("The special procedure has ended; the clock runs again."),
    )


def _with_form(task_id: int, form, func, success: str, form_name: str):
    task = _task_or_404(task_id)
    if form.validate_on_submit():
        try:
            return _run(task, lambda: func(task, form), success)
        except DomainError as error:
            db.session.rollback()
            if error.field in ("status", "actor"):
                flash(str(error.message), "error")
                return redirect(url_for("agency.task", task_id=task_id))
            attach_error(form, error)
    return _render_task(task, 400, **{form_name: form})


@bp.post("/tasks/<int:task_id>/complete")
@role_required(Role.officer)
def complete(task_id: int):
    form = CompleteForm()
    checked = None
    upload = form.result_file.data
    if upload and getattr(upload, "filename", ""):
        try:
            checked = check_upload(upload.filename, upload.read(), ["pdf"])
        except DomainError as error:
            form.result_file.errors = [error.message]
            return _render_task(_task_or_404(task_id), 400, complete_form=form)
    with file_writes() as writes:

        def finish(task, f):
            if checked is not None:
                attach_result(db.session, writes, task, checked, current_user, _now())
            complete_task(
                db.session, task, current_user, _now(), WorkCalendar.load(db.session),
                f.opinion.data, f.result_number.data or "",
            )

        response = _with_form(task_id, form, finish, _("The task is complete."), "complete_form")
        writes.committed = db.session.get(Task, task_id).status.value == "completed"
    return response


@bp.post("/tasks/<int:task_id>/return")
@role_required(Role.officer)
def return_to_window(task_id: int):
    return _with_form(
        task_id, ReturnForm(),
        lambda t, f: return_task(db.session, t, current_user, _now(), f.return_reason.data),
        _("The task has gone back to the receiving window."), "return_form",
    )


@bp.post("/tasks/<int:task_id>/refuse")
@role_required(Role.officer)
def refuse(task_id: int):
    return _with_form(
        task_id, RefuseTaskForm(),
        lambda t, f: refuse_task(db.session, t, current_user, _now(), f.reason.data),
        _("The case is refused; the applicant will receive the reason."), "refuse_form",
    )


@bp.post("/tasks/<int:task_id>/suspend")
@role_required(Role.officer)
def suspend(task_id: int):
    return _with_form(
        task_id, SuspendForm(),
        lambda t, f: suspend_task(db.session, t, current_user, _now(), f.procedure.data, f.expected_workdays.data),
        _("The special procedure has started; the clock is stopped."), "suspend_form",
    )
