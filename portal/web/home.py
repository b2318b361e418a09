"""Send each signed-in user to the landing page of their role."""

from flask import Blueprint, redirect, url_for
from flask_login import login_required, current_user

from portal.models import Role

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
