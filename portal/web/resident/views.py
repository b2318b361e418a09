from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.db import db
from portal.domain.access import visible_cases
from portal.models import Case, Role
from portal.security import role_required

bp = Blueprint("resident", __name__, url_prefix="/resident")


@bp.get("/")
@role_required(Role.resident)
def index():
    cases = db.session.scalars(
        visible_cases(current_user).options(selectinload(Case.service)).order_by(Case.submitted_at.desc())
    ).all()
    return render_template("resident/index.html", user=current_user, cases=cases)
