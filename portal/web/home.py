"""Send each signed-in user to the landing page of their role."""


from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.db import db
from portal.domain.alerts import alerts_for, mark_alerts_seen, unseen_alert_count
from portal.models import Role
from portal.web.clock import request_now
from portal.web.fragments import work_count

bp = Blueprint("home", __name__)

ROLE_HOMES = {
    Role.resident: "resident.index",
    Role.clerk: "counter.index",
    Role.officer: "agency.index",
    Role.supervisor: "supervisor.index",
    Role.admin: "admin.index",
}


def role_home(user) -> str:
    return url_for(ROLE_HOMES[user.role])


@bp.get("/me")
@login_required
def dashboard():
    return redirect(role_home(current_user))


@bp.get("/alerts")
@login_required
def alerts():
    """Work that is due within 1 working day or overdue, addressed to this
    member of staff; opening the page marks the alerts seen."""
    if not current_user.role.is_staff:
        abort(404)
    found = alerts_for(db.session, current_user)
    seen_before = current_user.alerts_seen_at
    mark_alerts_seen(current_user, request_now())
    db.session.commit()
    return render_template("alerts.html", alerts=found, seen_before=seen_before)


@bp.app_context_processor
def alert_badge():
    """The count of new alerts shown in the header, for staff."""
    if current_user.is_authenticated and current_user.role.is_staff:
        user = current_user._get_current_object()
        return {"new_alerts": work_count("new-alerts", lambda: unseen_alert_count(db.session, user), user.id)}
    return {"new_alerts": 0}
