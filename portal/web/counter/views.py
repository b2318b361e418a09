from flask import Blueprint, render_template
from flask_login import current_user

from portal.db import db
from portal.domain.staff import window_overview
from portal.models import Role
from portal.security import role_required

bp = Blueprint("counter", __name__, url_prefix="/counter")


@bp.get("/")
@role_required(Role.clerk)
def index():
    return render_template("counter/index.html", **window_overview(db.session, current_user))
