"""Register, sign in, sign out and the profile."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from portal.db import db
from portal.domain.accounts import authenticate, change_password, end_sessions, register_resident
from portal.domain.text import typed_code
from portal.extensions import limiter, password_hasher
from portal.web.actions import run_action
from portal.web.auth.forms import ChangePasswordForm, LoginForm, LogoutForm, RegisterForm
from portal.web.clock import request_now
from portal.web.navigation import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["PORTAL_LOGIN_LIMIT"]


def _login_account_key() -> str:
    return "login-account:" + typed_code(request.form.get("login")).lower()


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limit (a window hall shares one address)."""
    return response.status_code != 302


def _start_session(user) -> None:
    """A fresh session at sign-in, keeping only the chosen language."""
    locale = session.get("locale") or user.locale
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: register_resident(
                db.session,
                real_name=form.real_name.data,
                id_number=form.id_number.data,
                mobile=form.mobile.data,
                password=form.password.data,
                passwords=password_hasher(),
                locale=session.get("locale"),
                now=request_now(),
            ),
            form=form,
        )
        if outcome:
            user = outcome.value
            _start_session(user)
            flash(_("Your account is ready. Welcome, %(name)s.", name=user.real_name), "success")
            return redirect(url_for("home.dashboard"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_account_key, deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.login.data, form.password.data, request_now(), passwords=password_hasher())
        if user is None:
            form.password.errors = [_l("The login or the password is not correct.")]
        else:
            db.session.commit()
            second_step = second_factor.after_password(user, request.args.get("next"))
            if second_step is not None:
                return second_step
            _start_session(user)
            return redirect(safe_next(request.args.get("next")) if request.args.get("next") else url_for("home.dashboard"))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        end_sessions(db.session, current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: change_password(
                db.session, current_user, form.current_password.data, form.new_password.data, passwords=password_hasher()
            ),
            form=form,
        )
        if outcome:
            _start_session(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form), 400 if form.errors else 200


from portal.web.auth import second_factor  # noqa: E402  (the code step; its routes register on bp)
