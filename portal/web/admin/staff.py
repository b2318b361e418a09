"""Staff administration (``/admin/staff``): the list, creating an account
(with a one-time link for the person to set their password, shown once to
the administrator), and each account's page: role and binding, disable and
enable, password and second-factor resets, and the account's events."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal import labels
from portal.db import db
from portal.domain import second_factor as factor
from portal.domain import staff_admin
from portal.domain.catalog import list_agencies
from portal.domain.events import account_events
from portal.extensions import account_key, password_hasher, second_factor_policy
from portal.i18n import localized
from portal.models import Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.admin import bp
from portal.web.clock import request_now
from portal.web.navigation import external_url

EVENT_LABELS = {
    "staff_created": _l("Account created"),
    "staff_role_changed": _l("Role or binding changed"),
    "staff_disabled": _l("Account disabled"),
    "staff_enabled": _l("Account enabled"),
    "staff_password_reset": _l("Password reset; a new link was issued"),
    "staff_second_factor_reset": _l("Second factor reset"),
    "password_set": _l("Password set with the one-time link"),
    "second_factor_enrolled": _l("Second factor set up"),
    "recovery_code_used": _l("Signed in with a recovery code"),
}


class _RoleFields(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose the role of the account."))])
    window = SelectField(_l("Window"), default="", description=_l("For a clerk."))
    agency = SelectField(_l("Agency"), default="", description=_l("For an agency officer."))


class CreateStaffForm(_RoleFields):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter a username of at most 50 characters.")), Length(max=50)],
        description=_l("What the person signs in with, for example clerk.cs2."),
    )
    real_name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your real name as shown on your ID card.")), Length(max=50)],
    )


class RoleForm(_RoleFields):
    pass


class AccountActionForm(FlaskForm):
    """Disable, enable and the resets need only the CSRF token."""


def _choices(form: _RoleFields) -> _RoleFields:
    choose = [SelectChoice("", _("Choose…"))]
    form.role.choices = choose + [SelectChoice(r.value, labels.ROLES[r.value]) for r in staff_admin.STAFF_ROLES]
    form.window.choices = choose + [SelectChoice(k, v) for k, v in labels.WINDOWS.items()]
    form.agency.choices = choose + [SelectChoice(a.code, localized(a, "name")) for a in list_agencies(db.session)]
    return form


def _account_or_404(user_id: int):
    user = staff_admin.find_staff(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _second_factor_state(user) -> str:
    if factor.enrolled(user):
        return _("Set up")
    if factor.required(user, second_factor_policy()):
        return _("Required, set up at next sign-in")
    return _("Not used")


def _render_list(form: CreateStaffForm, status: int = 200):
    return render_template(
        "admin/staff.html",
        form=form,
        accounts=staff_admin.list_staff(db.session),
        second_factor_state=_second_factor_state,
    ), status


def _render_account(user, status: int = 200, *, role_form=None, link: str | None = None, created: bool = False):
    if role_form is None:
        role_form = _choices(RoleForm(formdata=None))
        role_form.role.data = user.role.value
        role_form.window.data = user.window_county.value if user.window_county else ""
        role_form.agency.data = user.agency.code if user.agency else ""
    page = render_template(
        "admin/staff_account.html",
        account=user,
        role_form=role_form,
        action_form=AccountActionForm(),
        events=account_events(db.session, user),
        event_labels=EVENT_LABELS,
        second_factor_state=_second_factor_state(user),
        recovery_left=factor.remaining_recovery_codes(db.session, user) if factor.enrolled(user) else None,
        link=link,
        created=created,
        link_hours=staff_admin.LINK_HOURS,
    )
    # A response carrying a password link is never cached.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/staff")
@role_required(Role.admin)
def staff():
    return _render_list(_choices(CreateStaffForm()))


@bp.post("/staff")
@role_required(Role.admin)
def create_staff_account():
    form = _choices(CreateStaffForm())
    if form.validate_on_submit():
        outcome = run_action(
            lambda: staff_admin.create_account(
                db.session,
                actor=current_user,
                username=form.username.data,
                real_name=form.real_name.data,
                role=form.role.data,
                window=form.window.data or None,
                agency_code=form.agency.data or None,
                now=request_now(),
                key=account_key(),
                passwords=password_hasher(),
            ),
            form=form,
        )
        if outcome:
            user, token = outcome.value
            return _render_account(user, link=external_url("auth.set_password", token=token), created=True)
    return _render_list(form, 400)


@bp.get("/staff/<int:user_id>")
@role_required(Role.admin)
def staff_account(user_id: int):
    return _render_account(_account_or_404(user_id))


@bp.post("/staff/<int:user_id>/role")
@role_required(Role.admin)
def change_staff_role(user_id: int):
    user = _account_or_404(user_id)
    form = _choices(RoleForm())
    if form.validate_on_submit():
        outcome = run_action(
            lambda: staff_admin.change_role(
                db.session, actor=current_user, user=user, role=form.role.data,
                window=form.window.data or None, agency_code=form.agency.data or None, now=request_now(),
            ),
            form=form,
        )
        if outcome:
            return redirect(url_for("admin.staff_account", user_id=user.id))
    return _render_account(user, 400, role_form=form)


def _account_action(user_id: int, action, success):
    user = _account_or_404(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    run_action(lambda: action(user), success)
    return redirect(url_for("admin.staff_account", user_id=user.id))


@bp.post("/staff/<int:user_id>/disable")
@role_required(Role.admin)
def disable_staff(user_id: int):
    return _account_action(
        user_id,
        lambda user: staff_admin.disable(db.session, actor=current_user, user=user, now=request_now()),
        _l("The account is disabled: its sessions and API tokens no longer work."),
    )


@bp.post("/staff/<int:user_id>/enable")
@role_required(Role.admin)
def enable_staff(user_id: int):
    return _account_action(
        user_id,
        lambda user: staff_admin.enable(db.session, actor=current_user, user=user, now=request_now()),
        _l("The account is enabled."),
    )


@bp.post("/staff/<int:user_id>/reset-second-factor")
@role_required(Role.admin)
def reset_staff_second_factor(user_id: int):
    return _account_action(
        user_id,
        lambda user: staff_admin.reset_second_factor(db.session, actor=current_user, user=user, now=request_now()),
        _l("The second factor is reset; the person sets it up again at their next sign-in."),
    )


@bp.post("/staff/<int:user_id>/reset-password")
@role_required(Role.admin)
def reset_staff_password(user_id: int):
    user = _account_or_404(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    outcome = run_action(
        lambda: staff_admin.reset_password(
            db.session, actor=current_user, user=user, now=request_now(), key=account_key(), passwords=password_hasher()
        )
    )
    if not outcome:
        return redirect(url_for("admin.staff_account", user_id=user.id))
    return _render_account(user, link=external_url("auth.set_password", token=outcome.value))
