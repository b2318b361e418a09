"""The second step of a staff sign-in (a one-time code), enrolment of the
second factor, and the one-time link with which staff set their password.

The password step (``views.login``) hands over to ``after_password``: when
the account asks for a code, the session keeps only a signed pending
marker and the person is sent here; they are signed in only once the code
is given (or, when enrolment is required, once enrolled)."""

from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from markupsafe import Markup

from portal.db import db
from portal.domain import second_factor as factor
from portal.domain.staff_admin import link_account, set_password_by_link
from portal.extensions import account_key, limiter, password_hasher, second_factor_policy
from portal.web.actions import run_action
from portal.web.auth.forms import EnrolForm, SecondFactorForm, SetPasswordForm
from portal.web.auth.views import _remember_device, _start_session, bp
from portal.web.clock import request_now
from portal.web.navigation import safe_next

PENDING = "second_factor"
PENDING_NEXT = "second_factor_next"
# Pages a session that must enrol may still reach (enforce_enrolment).
_OPEN_ENDPOINTS = {"static", "auth.logout", "auth.login", "auth.enrol", "auth.second_factor", "public.home"}


def after_password(user, next_url: str | None):
    """Called by the password step after a good password: a redirect to the
    code step or the enrolment when the account needs one, else None (the
    password alone signs in)."""
    if not factor.asks_for_code(user, second_factor_policy()):
        return None
    marker = factor.begin_pending(db.session, user, request_now(), account_key())
    db.session.commit()
    locale = session.get("locale") or user.locale
    session.clear()
    if locale:
        session["locale"] = locale
    session[PENDING] = marker
    if next_url:
        session[PENDING_NEXT] = next_url
    if factor.enrolled(user):
        return redirect(url_for("auth.second_factor"))
    return redirect(url_for("auth.enrol"))


def _pending():
    return factor.find_pending(db.session, session.get(PENDING), request_now(), account_key(), second_factor_policy())


def _back_to_password(message):
    session.pop(PENDING, None)
    session.pop(PENDING_NEXT, None)
    flash(str(message), "info")
    return redirect(url_for("auth.login"))


def _signed_in(user):
    """Sign in for real: a fresh session, the pending marker gone."""
    next_url = session.get(PENDING_NEXT)
    _start_session(user)
    return safe_next(next_url) if next_url else url_for("home.dashboard")


def _login_limit() -> str:
    return current_app.config["PORTAL_LOGIN_LIMIT"]


def _code_account_key() -> str:
    return f"second-factor:{factor.pending_user_id(session.get(PENDING), account_key())}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_code_account_key, deduct_when=_failed)
def second_factor():
    pending = _pending()
    if pending is None:
        return _back_to_password(_l("Sign in again: the sign-in waiting for its code has ended."))
    if pending.enrolling:
        return redirect(url_for("auth.enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        user = pending.user
        outcome = run_action(lambda: factor.give_code(db.session, user, form.code.data, request_now()), form=form)
        if outcome:
            kind, used_up = outcome.value
            if kind is not None:
                target = _signed_in(user)
                if kind == "recovery":
                    left = factor.remaining_recovery_codes(db.session, user)
                    flash(_(
                        "You signed in with a recovery code; %(left)d are left. "
                        "Ask an administrator to reset your second factor if your phone is lost.",
                        left=left,
                    ), "warning")
                return _remember_device(redirect(target), user)
            if used_up:
                return _back_to_password(_l("Too many wrong codes. Sign in again with your password."))
            form.code.errors = [factor.WRONG_CODE]
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


def _qr_svg(uri: str) -> Markup:
    qr = segno.make(uri, error="m")
    return Markup(qr.svg_inline(scale=4, dark="#1b1f24", light="#ffffff", title=_("QR code to add the account to an authenticator app")))


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_code_account_key, deduct_when=_failed)
def enrol():
    pending = _pending()
    if pending is None:
        return _back_to_password(_l("Sign in again: the sign-in waiting for its code has ended."))
    if not pending.enrolling:
        return redirect(url_for("auth.second_factor"))
    user = pending.user
    secret = factor.start_enrolment(db.session, user)
    db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        outcome = run_action(lambda: factor.confirm_enrolment(db.session, user, form.code.data, request_now()), form=form)
        if outcome:
            factor.finish_pending(db.session, user)
            db.session.commit()
            target = _signed_in(user)
            # The codes are in this response only, never stored in the clear.
            page = render_template("auth/recovery_codes.html", codes=outcome.value, target=target)
            return page, 200, {"Cache-Control": "no-store"}
    page = render_template(
        "auth/enrol.html",
        form=form,
        qr=_qr_svg(factor.provisioning_uri(user, secret)),
        secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        user=user,
    )
    return page, 400 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    user = link_account(db.session, token, request_now(), account_key())
    if user is None:
        return render_template("auth/set_password.html", form=None), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: set_password_by_link(
                db.session, token=token, password=form.password.data, now=request_now(),
                key=account_key(), passwords=password_hasher(),
            ),
            form=form,
        )
        if outcome:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is set. Sign in with your username and the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user), 400 if form.errors else 200


@bp.before_app_request
def enforce_enrolment():
    """A session signed in before a second factor became required (a
    setting changed, or the factor was reset) is ended: the person signs in
    again and enrols."""
    if request.endpoint in _OPEN_ENDPOINTS or request.blueprint in ("api", "open311", "ops"):
        return None
    if not current_user.is_authenticated or not current_user.role.is_staff:
        return None
    if factor.enrolled(current_user) or not factor.required(current_user, second_factor_policy()):
        return None
    logout_user()
    session.clear()
    flash(_("Your account now needs a second factor. Sign in again to set it up."), "info")
    return redirect(url_for("auth.login"))
