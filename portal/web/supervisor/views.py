from flask import Blueprint, render_template

from portal.db import db
from portal.domain.staff import centre_overview
from portal.models import Role
from portal.security import role_required

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/")
@role_required(Role.supervisor, Role.admin)
def index():
    return render_template("supervisor/index.html", **centre_overview(db.session))
