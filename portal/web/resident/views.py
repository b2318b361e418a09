from flask import Blueprint, render_template
from flask_login import current_user

from portal.models import Role
from portal.security import role_required

bp = Blueprint("resident", __name__, url_prefix="/resident")


@bp.get("/")
@role_required(Role.resident)
def index():
    return render_template("resident/index.html", user=current_user)
