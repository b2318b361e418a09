"""Pages anyone may open: home, the catalog, a service's one-time notice,
the language switch and the health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, session
from flask_login import current_user

from portal.db import db
from portal.domain.catalog import (
    CatalogFilter,
    acting_agencies,
    find_service,
    list_agencies,
    list_services,
)
from portal.domain.clock import local_date
from portal.domain.performance import PERIOD_DAYS, performance_table
from portal.i18n import LANGUAGES
from portal.web.clock import request_now
from portal.web.navigation import safe_next
from portal.web.public.forms import CatalogFilterForm

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    services = list_services(db.session, CatalogFilter())
    agencies = list_agencies(db.session)
    return render_template("public/home.html", services=services, agencies=agencies)


@bp.get("/services")
def catalog():
    form = CatalogFilterForm(request.args, meta={"csrf": False})
    criteria = CatalogFilter()
    if form.validate():
        criteria = form.criteria()
    services = list_services(db.session, criteria)
    return render_template(
        "public/catalog.html",
        form=form,
        services=services,
        county=criteria.county,
        agencies=list_agencies(db.session),
    )


@bp.get("/performance")
def performance():
    """Cases decided in the last 90 days, per service and window: counts
    only, for anyone to check the three-day claim against."""
    now = request_now()
    rows, per_county, overall = performance_table(db.session, now)
    return render_template(
        "public/performance.html", rows=rows, per_county=per_county, overall=overall,
        period_days=PERIOD_DAYS, since=local_date(now - timedelta(days=PERIOD_DAYS)), today=local_date(now),
    )


@bp.get("/services/<code>")
def service(code: str):
    found = find_service(db.session, code)
    if found is None:
        abort(404)
    return render_template(
        "public/service.html", service=found, acting=acting_agencies(db.session, found)
    )


@bp.get("/language/<code>")
def switch_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next")))
