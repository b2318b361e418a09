
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import selectinload

from portal.db import db
from portal.domain.access import find_visible_case, visible_cases
from portal.domain.catalog import LISTED_SERVICE
from portal.domain.staff import centre_overview
from portal.domain.workflow import transfer_task
from portal.models import Case, Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.clock import request_now

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/")
@role_required(Role.supervisor, Role.admin)
def index():
    """The centre at a glance, the case search and the latest cases."""
    latest = db.session.scalars(
        visible_cases(current_user).options(selectinload(Case.service).options(*LISTED_SERVICE)).order_by(Case.submitted_at.desc()).limit(20)
    ).all()
    return render_template("supervisor/index.html", latest=latest, **centre_overview(db.session))


@bp.post("/cases/<number>/tasks/<int:task_id>/transfer")
@role_required(Role.supervisor, Role.admin)
def transfer(number: str, task_id: int):
    """Move a wrongly routed task to another agency, with the reason."""
    case = find_visible_case(db.session, current_user, number)
    task = next((t for t in case.tasks if t.id == task_id), None) if case else None
    if task is None:
        abort(404)
    validate_csrf(request.form.get("csrf_token"))
    run_action(
        lambda: transfer_task(
            db.session, task, current_user, request_now(),
            request.form.get("agency", ""), request.form.get("reason", ""),
        ),
        _("The task has been transferred."),
    )
    return redirect(url_for("cases.detail", number=number))



from portal.web.supervisor import dashboard as _dashboard  # noqa: E402,F401  (registers its routes on bp)
