"""The staff's case search: one box on the desk, the agency's queue and
the supervision page, and its results page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import db
from portal.domain import DomainError, search
from portal.domain.access import agency_task_of
from portal.extensions import tracking_key
from portal.models import Role
from portal.security import role_required

bp = Blueprint("search", __name__)
STAFF = (Role.clerk, Role.officer, Role.supervisor, Role.admin)


@bp.app_template_global()
def case_number_prefix_min() -> int:
    """The shortest prefix of a case number the search takes, for the box's hint."""
    return search.NUMBER_PREFIX_MIN


@bp.app_template_global()
def search_query_max() -> int:
    return search.QUERY_MAX


def case_page(case) -> str | None:
    """The page the searcher works the case on: an officer their agency's
    task, everyone else the case page."""
    if current_user.role is Role.officer:
        task = agency_task_of(current_user, case)
        return url_for("agency.task", task_id=task.id) if task else None
    return url_for("cases.detail", number=case.number)


@bp.route("/search", methods=["GET", "POST"])
@role_required(*STAFF)
def results():
    """Find a case by number, receipt QR code, ID number, mobile or name;
    one exact hit opens the case. The box and the pager post (what was
    typed stays out of addresses); an address with ``q`` works too."""
    asked = request.form if request.method == "POST" else request.args
    text = asked.get("q")
    error, found = None, None
    if text is not None:
        # A read, so not through run_action: its commit would expire the
        # cases found and the page would load each one again.
        try:
            found = search.find_cases(db.session, current_user, text, tracking_key(), asked.get("page", 1, type=int))
        except DomainError as refused:
            error = refused.message
        target = case_page(found.single_exact) if found is not None and found.single_exact is not None else None
        if target:
            return redirect(target)
    # An ID or mobile number found is not shown again in full, in the box
    # or in the language switch's link back here.
    personal = found is not None and found.query.kind in search.PERSONAL
    return render_template(
        "search/results.html",
        text="" if personal else text or "",
        asked=text or "",
        language_next=url_for("search.results") if personal else None,
        error=error,
        found=found,
        per_page=search.PER_PAGE,
        links={case.id: case_page(case) for case in found.cases} if found else {},
    ), 400 if error else 200
