"""好差评 pages: the applicant rates a finished case online, the window's
clerk records a rating given on the window's device, and supervisors answer
the follow-ups that bad ratings open. The case page shows the rating
through ``case_rating(case)`` (templates/ratings/_case_panel.html)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import db
from portal.domain import DomainError
from portal.domain.access import find_visible_case
from portal.domain.ratings import (
    ALREADY_RATED,
    RATED_STATUSES,
    check_ratable,
    close_follow_up,
    follow_up_level,
    follow_ups_query,
    rate_case,
    rating_of,
    rating_source,
)
from portal.models import Case, Role
from portal.models.enums import Channel, RatingSource
from portal.models.rating import Rating, RatingFollowUp
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.clock import request_calendar, request_now
from portal.web.ratings.forms import CloseFollowUpForm, FollowUpFilterForm, RatingForm

bp = Blueprint("ratings", __name__)
PER_PAGE = 50
OVERSIGHT = (Role.supervisor, Role.admin)



# -- the case page's panel -------------------------------------------------

@dataclass(frozen=True)
class CaseRating:
    rating: Rating | None
    follow_up: RatingFollowUp | None
    rate_url: str | None  # where this viewer rates the case now, if they may


def case_rating(case: Case) -> CaseRating | None:
    """What the case page shows about the rating of ``case`` to the current
    user: nothing before the case is finished; then the rating and any
    follow-up, or the way to rate for whoever may. One statement per case
    and request."""
    if case is None or case.status not in RATED_STATUSES or not current_user.is_authenticated:
        return None
    cache = g.setdefault("case_ratings", {})
    if case.id not in cache:
        rating, follow_up = rating_of(db.session, case)
        rate_url = None
        if rating is None:
            source = rating_source(current_user, case)
            if source is RatingSource.applicant:
                rate_url = url_for("ratings.rate", number=case.number)
            elif source is RatingSource.device:
                rate_url = url_for("ratings.record", number=case.number)
        cache[case.id] = CaseRating(rating, follow_up, rate_url)
    return cache[case.id]


@bp.app_context_processor
def rating_helpers():
    return {"case_rating": case_rating}


# -- rating ----------------------------------------------------------------

def _back_to_case(case: Case):
    return redirect(url_for("cases.detail", number=case.number))


def _rating_page(case: Case, action: str):
    """The form for ``case`` and its submission, for the applicant and the
    clerk alike: a case that may not be rated now goes back to its page
    with the reason, and nothing is written."""
    try:
        check_ratable(db.session, case, current_user)
    except DomainError as error:
        flash(str(error.message), "info" if error.field == "status" else "error")
        return _back_to_case(case)
    form = RatingForm.for_channel(case.channel)()
    if request.method == "POST" and form.validate_on_submit():
        outcome = run_action(
            lambda: rate_case(
                db.session, case, current_user, request_now(), request_calendar(),
                form.score.data, form.sub_scores(), form.comment.data,
            ),
            form=form,
            duplicate=ALREADY_RATED,
        )
        if outcome:
            if current_user.role is Role.clerk:
                flash(_("The rating from the window's device has been recorded."), "success")
            else:
                flash(_("Thank you. Your rating has been recorded."), "success")
        if outcome or not outcome.on_form:
            return _back_to_case(case)
    status = 400 if request.method == "POST" else 200
    return render_template("ratings/rate.html", case=case, form=form, action=action), status


@bp.route("/cases/<number>/rating", methods=["GET", "POST"])
@role_required(Role.resident)
def rate(number: str):
    """The applicant rates their own finished case online."""
    case = find_visible_case(db.session, current_user, number)
    if case is None:
        abort(404)
    return _rating_page(case, url_for("ratings.rate", number=number))


@bp.route("/counter/cases/<number>/rating", methods=["GET", "POST"])
@role_required(Role.clerk)
def record(number: str):
    """The receiving window's clerk records the rating the applicant gave
    on the window's device, for a walk-in case."""
    case = find_visible_case(db.session, current_user, number)
    if case is None or case.receiving_county != current_user.window_county:
        abort(404)
    if case.channel is not Channel.counter:
        flash(_("Online applications are rated by the applicant online, not on the window's device."), "info")
        return _back_to_case(case)
    return _rating_page(case, url_for("ratings.record", number=number))


# -- follow-ups ------------------------------------------------------------

@bp.get("/supervisor/follow-ups")
@role_required(*OVERSIGHT)
def follow_ups():
    """Follow-ups of bad ratings: open ones first, soonest due first, each
    with its level; then the answered ones."""
    form = FollowUpFilterForm(request.args, meta={"csrf": False})
    show = form.show.data if form.validate() else "all"
    query = follow_ups_query(open_only=show == "open", closed_only=show == "closed")
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    calendar, now = request_calendar(), request_now()
    return render_template(
        "ratings/follow_ups.html",
        form=form,
        page=page,
        levels={f.id: follow_up_level(calendar, f, now) for f in page.items},
        show=show,
    )


def _follow_up_or_404(follow_up_id: int) -> RatingFollowUp:
    follow_up = db.session.scalar(
        follow_ups_query().where(RatingFollowUp.id == follow_up_id)
    )
    if follow_up is None:
        abort(404)
    return follow_up


@bp.route("/supervisor/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@role_required(*OVERSIGHT)
def follow_up(follow_up_id: int):
    """One follow-up with its case and rating; answering closes it."""
    follow_up = _follow_up_or_404(follow_up_id)
    form = CloseFollowUpForm()
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = run_action(
                lambda: close_follow_up(db.session, follow_up, current_user, request_now(), form.response.data),
                _("The follow-up is answered; the applicant sees the response on the case."),
                form=form,
            )
            if outcome:
                return redirect(url_for("ratings.follow_ups"))
            if not outcome.on_form:
                return redirect(url_for("ratings.follow_up", follow_up_id=follow_up_id))
        follow_up = _follow_up_or_404(follow_up_id)  # as stored, after any rollback
    level = follow_up_level(request_calendar(), follow_up, request_now())
    status = 400 if request.method == "POST" else 200
    return render_template("ratings/follow_up.html", follow_up=follow_up, form=form, level=level), status
