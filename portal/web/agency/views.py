from flask import Blueprint, render_template
from flask_login import current_user

from portal.db import db
from portal.domain.staff import agency_overview
from portal.models import Role
from portal.security import role_required

bp = Blueprint("agency", __name__, url_prefix="/agency")


@bp.get("/")
@role_required(Role.officer)
def index():
    return render_template("agency/index.html", **agency_overview(db.session, current_user))
