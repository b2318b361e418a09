"""The administrator's API tokens page: list, create (the plaintext shown
once, in the response to the create), revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal import labels
from portal.db import db
from portal.domain.catalog import list_agencies
from portal.domain.staff import staff_accounts
from portal.domain.tokens import create_token, find_token, list_tokens, revoke_token, token_kind
from portal.i18n import localized
from portal.models import Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.admin import bp
from portal.web.clock import request_now

KIND_LABELS = {
    "agency": _l("An agency's own case system"),
    "window": _l("A window system that files cases for walk-in applicants"),
    "staff": _l("A member of staff (sees what they see)"),
}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(_l("Give the token a name that says which system uses it.")), Length(max=100)],
        description=_l("For example: Yushan market regulation case system."),
    )
    kind = RadioField(
        _l("The token is for"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        validators=[InputRequired(_l("Choose what the token is for."))],
    )
    agency = SelectField(_l("Agency"), default="", description=_l("For an agency's system."))
    county = SelectField(_l("Window"), default="", description=_l("For a window system."))
    user = SelectField(_l("Member of staff"), default="", description=_l("For a member of staff."))


class RevokeForm(FlaskForm):
    """Revoking needs only the CSRF token."""


def _token_form(empty: bool = False) -> TokenForm:
    form = TokenForm(formdata=None) if empty else TokenForm()
    choose = [SelectChoice("", _("Choose…"))]
    form.agency.choices = choose + [SelectChoice(a.code, localized(a, "name")) for a in list_agencies(db.session)]
    form.county.choices = choose + [SelectChoice(k, v) for k, v in labels.WINDOWS.items()]
    form.user.choices = choose + [
        SelectChoice(str(u.id), f"{u.real_name} ({u.username}, {labels.ROLES[u.role.value]})")
        for u in staff_accounts(db.session)
        if u.active
    ]
    return form


def _render(form: TokenForm, status: int = 200, created=None, plaintext: str | None = None):
    response = render_template(
        "admin/tokens.html",
        form=form,
        tokens=list_tokens(db.session),
        kinds=KIND_LABELS,
        token_kind=token_kind,
        revoke_form=RevokeForm(),
        created=created,
        plaintext=plaintext,
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/tokens")
@role_required(Role.admin)
def tokens():
    return _render(_token_form())


@bp.post("/tokens")
@role_required(Role.admin)
def create_api_token():
    form = _token_form()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: create_token(
                db.session,
                name=form.name.data,
                kind=form.kind.data,
                created_by=current_user,
                now=request_now(),
                agency_code=form.agency.data or None,
                county=form.county.data or None,
                user_id=int(form.user.data) if (form.user.data or "").isdigit() else None,
            ),
            form=form,
        )
        if outcome:
            token, plaintext = outcome.value
            # Shown in this response only: never stored, never in a cookie.
            return _render(_token_form(empty=True), 200, created=token, plaintext=plaintext)
    return _render(form, 400)


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(Role.admin)
def revoke_api_token(token_id: int):
    token = find_token(db.session, token_id)
    if token is None:
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    if revoke_token(db.session, token, request_now()):
        db.session.commit()
        flash(_("Token “%(name)s” is revoked; systems using it are refused from now on.", name=token.name), "success")
    else:
        flash(_("Token “%(name)s” was already revoked.", name=token.name), "info")
    return redirect(url_for("admin.tokens"))
