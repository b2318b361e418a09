
from flask import render_template

from portal.db import db
from portal.domain.calendar import years_needing_schedule
from portal.domain.staff import centre_overview, demo_accounts_present, staff_accounts
from portal.models import Role
from portal.security import role_required
from portal.web.admin import bp
from portal.web.clock import request_today


@bp.context_processor
def calendar_warning():
    """Every admin page warns while this or next year's schedule is an estimate."""
    return {"years_needing_schedule": years_needing_schedule(db.session, request_today())}


@bp.get("/")
@role_required(Role.admin)
def index():
    return render_template(
        "admin/index.html",
        accounts=staff_accounts(db.session),
        demo_present=demo_accounts_present(db.session),
        **centre_overview(db.session),
    )
