"""Pages anyone may open: home, the catalog, a service's one-time notice,
the language switch and the health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

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
from portal.web.fragments import catalog_fragment, public_page, with_validator
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
    # The plain catalog has nothing to check: its form is made only when the
    # list is rendered, not on every visit the kept page answers.
    form = CatalogFilterForm(request.args, meta={"csrf": False}) if request.args else None
    valid = form is None or form.validate()
    criteria = form.criteria() if form is not None and valid else CatalogFilter()

    def render() -> str:
        shown = form if form is not None else CatalogFilterForm(request.args, meta={"csrf": False})
        return render_template(
            "public/_catalog_body.html", form=shown, services=list_services(db.session, criteria),
            county=criteria.county, agencies=list_agencies(db.session),
        )

    # The list is the same for everyone who asks the same: kept per filter
    # (a refused filter is rendered with its messages, never kept).
    def page() -> str:
        body = catalog_fragment("catalog", render, tuple(sorted(request.args.items(multi=True)))) if valid else Markup(render())
        return render_template("public/catalog.html", body=body)

    return public_page("catalog", page) if valid else with_validator(page())


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
    def page() -> str:
        found = find_service(db.session, code)
        if found is None:
            abort(404)
        notice = catalog_fragment(
            "service", lambda: render_template("public/_service_notice.html", service=found, acting=acting_agencies(db.session, found)),
            found.code,
        )
        return render_template("public/service.html", service=found, notice=notice)

    return public_page("service", page)


@bp.get("/language/<code>")
def switch_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next")))
