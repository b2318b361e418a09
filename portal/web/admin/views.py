from flask import Blueprint, render_template

from portal.db import db
from portal.domain.staff import centre_overview, demo_accounts_present, staff_accounts
from portal.models import Role
from portal.security import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.admin)
def index():
    return render_template(
        "admin/index.html",
        accounts=staff_accounts(db.session),
        demo_present=demo_accounts_present(db.session),
        **centre_overview(db.session),
    )
