from datetime import datetime, timezone

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import db
from portal.domain.access import find_visible_case
from portal.domain.staff import centre_overview
from portal.domain.workflow import transfer_task
from portal.models import Role
from portal.security import role_required
from portal.web.forms import commit_or_flash

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/")
@role_required(Role.supervisor, Role.admin)
def index():
    return render_template("supervisor/index.html", **centre_overview(db.session))


@bp.post("/cases/<number>/tasks/<int:task_id>/transfer")
@role_required(Role.supervisor, Role.admin)
def transfer(number: str, task_id: int):
    """Move a wrongly routed task to another agency, with the reason."""
    from flask_wtf.csrf import validate_csrf

    case = find_visible_case(db.session, current_user, number)
    task = next((t for t in case.tasks if t.id == task_id), None) if case else None
    if task is None:
        abort(404)
    validate_csrf(request.form.get("csrf_token"))
    commit_or_flash(
        lambda: transfer_task(
            db.session, task, current_user, datetime.now(timezone.utc),
            request.form.get("agency", ""), request.form.get("reason", ""),
        ),
        _("The task has been transferred."),
    )
    return redirect(url_for("cases.detail", number=number))
