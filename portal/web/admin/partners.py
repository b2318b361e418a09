"""The administrator's partner connections: how each agency receives its
tasks (our queue, or its own system over signed HTTP), and the outbox of
messages still to deliver or given up on, with retries."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from portal.db import db
from portal.domain.catalog import list_agencies
from portal.domain.outbox import outbox_counts, outbox_query, retry_dead, retry_message, set_delivery_mode
from portal.models import Agency, Case, Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.admin import bp
from portal.web.clock import request_now

PER_PAGE = 50


class DeliveryForm(FlaskForm):
    delivery_mode = RadioField(
        _l("The agency receives its tasks"),
        choices=[
            SelectChoice("portal", _l("In the portal: its officers work the task queue here")),
            SelectChoice("http", _l("In its own system: the portal pushes each task over signed HTTP")),
        ],
        validate_choice=False,
    )
    endpoint_url = StringField(
        _l("Address of the agency's system"),
        description=_l("Where task messages are posted, e.g. https://hrss.example.org/portal/tasks. Needed for HTTP."),
    )
    signing_secret = PasswordField(
        _l("Signing secret"),
        description=_l(
            "At least 16 characters, shared with the agency's system; it signs "
            "messages both ways. Leave empty to keep the secret already set."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    timeout_seconds = StringField(
        _l("Timeout in seconds"),
        description=_l("How long the agency's system has to answer each message, from 1 to 60."),
        render_kw={"inputmode": "numeric"},
    )


class RetryForm(FlaskForm):
    """Retry buttons carry only the CSRF token."""


class OutboxFilterForm(FlaskForm):
    status = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("all", _l("Pending and dead")),
            SelectChoice("pending", _l("Pending only")),
            SelectChoice("dead", _l("Dead only")),
        ],
        default="all",
    )



def _agency_or_404(code: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        abort(404)
    return agency


def _render_agencies(editing: Agency | None = None, form: DeliveryForm | None = None, status: int = 200):
    return (
        render_template(
            "admin/agencies.html",
            agencies=list_agencies(db.session),
            counts=outbox_counts(db.session),
            editing=editing,
            form=form,
        ),
        status,
    )


@bp.get("/agencies")
@role_required(Role.admin)
def agencies():
    return _render_agencies()


@bp.get("/agencies/<code>/delivery")
@role_required(Role.admin)
def agency_delivery(code: str):
    agency = _agency_or_404(code)
    form = DeliveryForm(
        data={
            "delivery_mode": agency.delivery_mode.value,
            "endpoint_url": agency.endpoint_url,
            "timeout_seconds": str(agency.timeout_seconds),
        }
    )
    return _render_agencies(agency, form)


@bp.post("/agencies/<code>/delivery")
@role_required(Role.admin)
def change_agency_delivery(code: str):
    agency = _agency_or_404(code)
    form = DeliveryForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: set_delivery_mode(
                db.session,
                agency,
                form.delivery_mode.data or "",
                form.endpoint_url.data or "",
                form.signing_secret.data or agency.signing_secret,
                form.timeout_seconds.data,
                current_user,
                request_now(),
            ),
            form=form,
        )
        if outcome:
            change = outcome.value
            if change.enqueued:
                flash(
                    ngettext(
                        "Saved. %(num)d open task was queued for the agency's system.",
                        "Saved. %(num)d open tasks were queued for the agency's system.",
                        change.enqueued,
                    ),
                    "success",
                )
            elif change.abandoned:
                flash(
                    ngettext(
                        "Saved. %(num)d undelivered message was abandoned; the officers work the agency's tasks in the portal again.",
                        "Saved. %(num)d undelivered messages were abandoned; the officers work the agency's tasks in the portal again.",
                        change.abandoned,
                    ),
                    "success",
                )
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("admin.agencies"))
    return _render_agencies(_agency_or_404(code), form, 400)


@bp.get("/outbox")
@role_required(Role.admin)
def outbox():
    form = OutboxFilterForm(request.args, meta={"csrf": False})
    status = form.status.data if form.validate() else "all"
    page = db.paginate(outbox_query(status), per_page=PER_PAGE, error_out=False)
    case_ids = {m.case_id for m in page.items if m.case_id}
    numbers = dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all()) if case_ids else {}
    return render_template(
        "admin/outbox.html",
        page=page,
        form=form,
        status=status,
        numbers=numbers,
        counts=outbox_counts(db.session),
        retry_form=RetryForm(),
    )


@bp.post("/outbox/<message_id>/retry")
@role_required(Role.admin)
def retry_outbox_message(message_id: str):
    if not RetryForm().validate_on_submit():
        abort(400)
    run_action(
        lambda: retry_message(db.session, message_id, current_user, request_now()),
        _("The message will be sent again within moments."),
    )
    return redirect(url_for("admin.outbox", status=request.args.get("status", "all")))


@bp.post("/outbox/retry-dead")
@role_required(Role.admin)
def retry_dead_messages():
    if not RetryForm().validate_on_submit():
        abort(400)
    count = retry_dead(db.session, current_user, request_now())
    db.session.commit()
    if count:
        flash(ngettext("%(num)d dead message will be sent again.", "%(num)d dead messages will be sent again.", count), "success")
    else:
        flash(_("No dead message can be sent again."), "info")
    return redirect(url_for("admin.outbox"))
