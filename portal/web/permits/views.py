"""The electronic residence permit: the holder's page with its QR code, and
verification by staff of either county (双向互认)."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal.db import db
from portal.domain import DomainError, permits
from portal.extensions import permit_key
from portal.models import CaseFile, Role
from portal.security import role_required
from portal.web.clock import request_now, request_today
from portal.web.forms import attach_error, send_stored
from portal.web.permits.forms import VerifyForm

bp = Blueprint("permits", __name__, url_prefix="/permits")
STAFF = (Role.clerk, Role.officer, Role.supervisor, Role.admin)



def _own_permit_or_404(number: str):
    """Only the holder opens the permit page; anyone else gets not found."""
    permit = permits.find_permit(db.session, number)
    if permit is None or current_user.role is not Role.resident or permit.holder_id_number != current_user.id_number:
        abort(404)
    return permit


@bp.get("/<number>")
@role_required(Role.resident)
def show(number: str):
    permit = _own_permit_or_404(number)
    payload = permits.qr_payload(permit, permit_key())
    qr = segno.make(payload, error="q")
    today = request_today()
    checks = permits.checks_of(db.session, permit)
    return render_template(
        "permits/show.html",
        permit=permit,
        state=permits.permit_state(permit, today),
        window=permits.endorsement_window(permit),
        code=permits.verification_code(permit.number, permit_key()),
        qr=Markup(qr.svg_inline(scale=5, dark="#1b1f24", light="#ffffff", title=_("QR code to verify this permit"))),
        payload=payload,
        checks=checks,
        units=permits.checker_units(db.session, checks),
        holders_permits=permits.holder_permits(db.session, permit.holder_id_number),
    )


@bp.get("/<number>/photo")
@role_required(Role.resident)
def photo(number: str):
    permit = _own_permit_or_404(number)
    found = db.session.get(CaseFile, permit.photo_file_id) if permit.photo_file_id else None
    if found is None:
        abort(404)
    return send_stored(found)


def _checker_unit(user) -> str:
    """Who checked, kept as a key and named in the reader's language when
    shown (``unit_names``): ``agency:<code>``, ``window:<county>``, or
    ``supervision``."""
    if user.agency is not None:
        return f"agency:{user.agency.code}"
    if user.window_county is not None:
        return f"window:{user.window_county.value}"
    return "supervision"


@bp.route("/verify", methods=["GET", "POST"])
@role_required(*STAFF)
def verify():
    form = VerifyForm()
    answer = None
    if form.validate_on_submit():
        number, code = (form.number.data or "").strip(), (form.code.data or "").strip()
        if form.scan.data and form.scan.data.strip():
            number, code = permits.parse_payload(form.scan.data)
            if not number:
                attach_error(form, DomainError(_("This is not the QR code of a residence permit issued here."), "scan"))
        elif not number or not code:
            attach_error(
                form,
                DomainError(_("Scan the QR code, or enter both the permit number and the verification code."), "number"),
            )
        if not form.errors:
            answer = permits.verify_permit(
                db.session, number, code, request_now(), key=permit_key(), checker=current_user, unit=_checker_unit(current_user)
            )
            db.session.commit()
            # Ready for the next card: the scanner types into an empty box.
            form.scan.data = form.number.data = form.code.data = ""
    status = 400 if form.errors else 200
    return render_template("permits/verify.html", form=form, answer=answer), status
