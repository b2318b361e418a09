"""A case as its applicant and the window see it: the page with its
timeline, the receipt, the notices, the files; the applicant's correction
and withdrawal; public tracking by case number and query code."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from portal.db import db
from portal.domain import DomainError
from portal.domain.access import find_visible_case, may_decide, public_case, public_events, public_view
from portal.domain.case_files import current_files
from portal.domain.catalog import list_agencies
from portal.domain.deadlines import case_level
from portal.domain.events import case_timeline
from portal.domain.intake import open_correction, resubmit_correction, withdraw_case
from portal.domain.lifecycle import allowed_actions
from portal.domain.limits import CASE_NUMBER_MAX
from portal.domain.paper_files import whereabouts
from portal.domain.permits import ENDORSE, ISSUE, REPLACE, case_permit
from portal.domain.postal import postal_delivery_of, prefilled_address
from portal.domain.returns import answer_request, open_request
from portal.domain.text import typed_code
from portal.domain.tracking import track_by_code, track_by_link, tracking_token
from portal.extensions import limiter, tracking_key, upload_store
from portal.models import Case, CaseStatus, Event, Role
from portal.models.enums import NoticeKind
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.cases.forms import CorrectionAnswerForm, TrackForm, WithdrawForm
from portal.web.clock import request_calendar, request_now
from portal.web.forms import DeliverForm, send_stored
from portal.web.fragments import work_fragment, work_page
from portal.web.navigation import external_url
from portal.web.return_files import ReturnAnswerForm

bp = Blueprint("cases", __name__)


STAFF_AND_RESIDENTS = (Role.resident, Role.clerk, Role.officer, Role.supervisor, Role.admin)


def case_or_404(number: str) -> Case:
    case = find_visible_case(db.session, current_user, number)
    if case is None:
        abort(404)
    return case


PERMIT_CODES = (ISSUE, ENDORSE, REPLACE)


def tracking_url(case: Case) -> str:
    """The absolute address of the case's signed tracking link, for the
    receipt's QR code: it opens the case without the query code."""
    return external_url("cases.track_link", token=tracking_token(case, tracking_key()))


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, dark="#1b1f24", light="#ffffff", title=_("QR code to track this case")))


@bp.get("/cases/<number>")
@role_required(*STAFF_AND_RESIDENTS)
def detail(number: str):
    case = case_or_404(number)
    return render_template(
        "cases/detail.html",
        case=case,
        events=case_timeline(db.session, case),
        files=current_files(case.files),
        correction=open_correction(case),
        supplement=open_request(case),
        lapsed=next((n for n in case.notices if n.kind is NoticeKind.correction_lapsed), None),
        level=case_level(request_calendar(), case, request_now()) if case.due_at else None,
        actions=allowed_actions(case),
        is_applicant=case.applicant_user_id == current_user.id,
        may_decide=may_decide(current_user, case),
        withdraw_form=WithdrawForm(),
        deliver_form=DeliverForm.for_methods((case.form_data or {}).get("delivery"), prefilled_address(case))
        if may_decide(current_user, case)
        else None,
        paper=whereabouts(case),
        postal=postal_delivery_of(case),
        returned_reasons=returned_reasons(case),
        results=[f for f in case.files if f.material_code.startswith("result-")],
        agencies=list_agencies(db.session) if current_user.role in (Role.supervisor, Role.admin) else [],
        permit=case_permit(db.session, case) if case.service.code in PERMIT_CODES else None,
    )


def returned_reasons(case: Case) -> dict[int, str]:
    """Why each returned task came back, from its latest return event."""
    events = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.action == "task_return").order_by(Event.id)
    )
    return {event.task_id: event.note for event in events}


@bp.get("/cases/<number>/receipt")
@role_required(*STAFF_AND_RESIDENTS)
def receipt(number: str):
    case = case_or_404(number)
    url = tracking_url(case)
    return render_template("cases/receipt.html", case=case, tracking_url=url, qr=qr_svg(url))


@bp.get("/cases/<number>/notices/<int:notice_id>")
@role_required(*STAFF_AND_RESIDENTS)
def notice(number: str, notice_id: int):
    case = case_or_404(number)
    found = next((n for n in case.notices if n.id == notice_id), None)
    if found is None:
        abort(404)
    return render_template("cases/notice.html", case=case, notice=found)


@bp.get("/cases/<number>/files/<int:file_id>")
@role_required(*STAFF_AND_RESIDENTS)
def download(number: str, file_id: int):
    case = case_or_404(number)
    found = next((f for f in case.files if f.id == file_id), None)
    if found is None:
        abort(404)
    return send_stored(found)


@bp.post("/cases/<number>/withdraw")
@role_required(Role.resident, Role.clerk)
def withdraw(number: str):
    case = case_or_404(number)
    form = WithdrawForm()
    if form.validate_on_submit():
        run_action(
            lambda: withdraw_case(db.session, case, current_user, request_now(), form.reason.data),
            _("The application has been withdrawn."),
        )
    else:
        for message in form.reason.errors:
            flash(str(message), "error")
    return redirect(url_for("cases.detail", number=number))


@bp.route("/cases/<number>/correction", methods=["GET", "POST"])
@role_required(Role.resident, Role.clerk)
def correction(number: str):
    """Answer a correction notice: only the items it lists can be changed."""
    case = case_or_404(number)
    notice = open_correction(case)
    if notice is None or case.status is not CaseStatus.correction_requested:
        flash(_("This case has no open correction notice."), "info")
        return redirect(url_for("cases.detail", number=number))
    if current_user.role is Role.clerk and not may_decide(current_user, case):
        abort(404)
    form_class = CorrectionAnswerForm.for_notice(case, notice)
    form = form_class()
    if request.method == "GET":
        form.prefill(case)
    if request.method == "POST":
        valid = form.validate_on_submit()
        uploads = {}
        for item in notice.items:
            if item["kind"] != "material":
                continue
            field = form[f"material_{item['key'].replace('-', '_')}"]
            upload = field.data
            if not upload or not getattr(upload, "filename", ""):
                field.errors = list(field.errors) + [_("Upload a new file for this material.")]
                continue
            material = next(m for m in case.service.materials if m["code"] == item["key"])
            try:
                uploads[item["key"]] = upload_store().check(upload.filename, upload.read(), material["file_types"])
            except DomainError as error:
                field.errors = list(field.errors) + [error.message]
        if valid and not any(f.errors for f in form):
            outcome = run_action(
                lambda writes: resubmit_correction(
                    db.session, case, current_user, request_now(), writes, form.field_values(request.form), uploads
                ),
                _("Your correction has been sent back to the window."),
                form=form,
                stores_files=True,
            )
            if outcome:
                return redirect(url_for("cases.detail", number=number))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/correction.html", case=case, notice=notice, form=form), status


def _supplement_form_class(case, staff: bool):
    label = _("What the applicant says") if staff else _("Your answer")
    hint = _("Write an answer, upload files, or both.")
    return ReturnAnswerForm.for_case(case, label, False, hint)


@bp.route("/cases/<number>/supplement", methods=["GET", "POST"])
@role_required(Role.resident, Role.clerk)
def supplement(number: str):
    """Answer a request to the applicant: online by the applicant, or
    recorded by the window when they bring it there."""
    case = case_or_404(number)
    if current_user.role is Role.clerk and not may_decide(current_user, case):
        abort(404)
    if current_user.role is Role.resident and case.applicant_user_id != current_user.id:
        abort(404)
    waiting = open_request(case)
    if waiting is None:
        flash(_("This case has no open request to the applicant."), "info")
        return redirect(url_for("cases.detail", number=number))
    form = _supplement_form_class(case, current_user.role is Role.clerk)()
    if request.method == "POST":
        valid = form.validate_on_submit()
        uploads, added = form.checked_files(upload_store())
        if valid and not form.file_errors():
            outcome = run_action(
                lambda writes: answer_request(
                    db.session, case, current_user, request_now(), request_calendar(), writes, form.note.data, uploads, added
                ),
                _("Your answer has been sent; the case is being handled again."),
                form=form,
                stores_files=True,
            )
            if outcome:
                return redirect(url_for("cases.detail", number=number))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/supplement.html", case=case, request_notice=waiting, form=form), status


def track_limit() -> str:
    return current_app.config.get("PORTAL_TRACK_LIMIT", "30 per minute")


# A tracking page is kept by no browser cache or proxy, and a signed link's
# token is not sent on as a referrer.
TRACKING_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _track_result(found: Case) -> str:
    case = public_case(db.session, found)
    if case is None:  # removed since the lookup found it
        abort(404)
    return render_template(
        "cases/_track_result.html", case=public_view(case), events=public_events(db.session, case),
        paper=whereabouts(case), postal=postal_delivery_of(case),
    )


def tracking_page(form: TrackForm | None, case: Case | None = None, status: int = 200, language_next: str | None = None, **context):
    """The tracking page; its language switch comes back to ``language_next``
    (the form by default), never to an address with a query code in it.
    What it shows of a case is the same for everyone who may see it and
    nothing in it changes with the clock, so the process keeps it per case
    while the work is unchanged; for a visitor who is not signed in, the
    whole page."""
    language_next = language_next or url_for("cases.track")

    def page(result=None) -> str:
        return render_template("cases/track.html", form=form, result=result, language_next=language_next, **context)

    if case is None:
        return page(), status, TRACKING_HEADERS

    def with_result() -> str:
        return page(work_fragment("track", lambda: _track_result(case), case.id))

    return work_page("track-page", with_result, case.id, language_next), status, TRACKING_HEADERS


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(track_limit)
def track():
    """Public tracking without login: status and timeline, a masked name,
    nothing else personal. The lookup posts, so the query code stays out of
    addresses, history and logs; an old link's number fills the form, its
    code is neither used nor shown."""
    if request.method == "GET":
        number = typed_code(request.args.get("number")).upper()[:CASE_NUMBER_MAX]
        return tracking_page(TrackForm(formdata=None, number=number), code_in_link="code" in request.args)
    form = TrackForm()
    if not form.validate_on_submit():
        return tracking_page(form.without_code(), status=400)
    lookup = track_by_code(db.session, form.number.data, form.code.data, request_now())
    if lookup.case is not None:  # a right code writes nothing: the case loaded stays loaded
        return tracking_page(form, case=lookup.case)
    db.session.commit()  # a wrong code is counted even though nothing is shown
    form = form.without_code()
    if lookup.locked_until is not None:
        until = format_datetime(lookup.locked_until, "yyyy-MM-dd HH:mm")
        form.form_errors.append(
            _(
                "Too many wrong query codes have been tried for this case, so it cannot be tracked by query code "
                "until %(time)s. Whoever holds the receipt can still open it with the receipt's QR code.",
                time=until,
            )
        )
        seconds = max(1, int((lookup.locked_until - request_now()).total_seconds()))
        page, status, headers = tracking_page(form, status=429)
        return page, status, {**headers, "Retry-After": str(seconds)}
    form.code.errors = list(form.code.errors) + [
        _("No case matches this case number and query code. Check both on your receipt.")
    ]
    return tracking_page(form, status=400)


@bp.get("/track/<token>")
@limiter.limit(track_limit)
def track_link(token: str):
    """The receipt's QR code: its signed link opens the case without typing.
    A link that does not verify is not found, like a wrong code."""
    case = track_by_link(db.session, token, tracking_key())
    if case is None:
        form = TrackForm(formdata=None)
        form.form_errors.append(_("This tracking link is not valid. Enter the case number and query code from your receipt."))
        return tracking_page(form, status=404)
    return tracking_page(None, case=case, language_next=request.path)
