"""Register, sign in, sign out and the profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from portal.db import db
from portal.domain.accounts import change_password, check_sign_in, end_sessions, find_by_login, register_resident
from portal.domain.devices import DEVICE_LIFETIME, Device, issue_device_token, read_device_token
from portal.domain.text import typed_code
from portal.extensions import device_key, limiter, password_hasher
from portal.models import User
from portal.security import session_signed_in_at, start_session_clock
from portal.web.actions import run_action
from portal.web.auth.forms import ChangePasswordForm, LoginForm, LogoutForm, RegisterForm
from portal.web.clock import request_now
from portal.web.navigation import safe_next

bp = Blueprint("auth", __name__)


DEVICE_COOKIE = "portal_device"


def _login_limit() -> str:
    return current_app.config["PORTAL_LOGIN_LIMIT"]


def _login_account() -> User | None:
    """The account the typed login names, looked up once per request (the
    limits' keys and the sign-in itself use it)."""
    if "login_account" not in g:
        g.login_account = find_by_login(db.session, request.form.get("login") or "")
    return g.login_account


def _login_account_key() -> str:
    """One counter per account, whether it is named by ID number, mobile or
    username; an unknown login is counted under what was typed, so it is
    limited like a real one and cannot tell which accounts exist."""
    user = _login_account()
    if user is not None:
        return f"login-account:{user.id}"
    return "login-name:" + typed_code(request.form.get("login")).lower()


def _known_device() -> Device | None:
    """The device cookie of this browser when it names the account being
    signed in to (a cookie for another account counts for nothing here)."""
    if "login_device" not in g:
        device = read_device_token(request.cookies.get(DEVICE_COOKIE), device_key())
        user = _login_account()
        g.login_device = device if device is not None and user is not None and device.account_id == user.id else None
    return g.login_device


def _from_known_device() -> bool:
    return _known_device() is not None


def _from_unknown_device() -> bool:
    return _known_device() is None


def _login_device_key() -> str:
    return "login-device:" + _known_device().nonce


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limit (a window hall shares one address)."""
    return response.status_code != 302


def _start_session(user, renewal: bool = False) -> None:
    """A fresh session at sign-in, keeping only the chosen language. A
    renewal for the same person (new password, others signed out) keeps
    the moment they signed in: it does not extend the session's lifetime."""
    signed_in_at = session_signed_in_at() if renewal else None
    locale = session.get("locale") or user.locale
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    start_session_clock(request_now(), signed_in_at)


def _remember_device(response, user):
    """Mark this browser as one in which ``user`` signed in (a new nonce at
    each sign-in)."""
    response.set_cookie(
        DEVICE_COOKIE,
        issue_device_token(user.id, device_key()),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


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
            return _remember_device(redirect(url_for("home.dashboard")), user)
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


# Failed sign-ins are limited per address and per account, except from a
# browser in which the account has signed in before: that browser has a
# limit of its own instead, so the owner still gets in while someone else
# guesses. README, "Sign-in and sessions".
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, exempt_when=_from_known_device)
@limiter.limit(
    _login_limit, methods=["POST"], key_func=_login_account_key, deduct_when=_failed, exempt_when=_from_known_device
)
@limiter.limit(
    _login_limit, methods=["POST"], key_func=_login_device_key, deduct_when=_failed, exempt_when=_from_unknown_device
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = check_sign_in(db.session, _login_account(), form.password.data, request_now(), passwords=password_hasher())
        if user is None:
            form.password.errors = [_l("The login or the password is not correct.")]
        else:
            db.session.commit()
            _start_session(user)
            target = safe_next(request.args.get("next")) if request.args.get("next") else url_for("home.dashboard")
            return _remember_device(redirect(target), user)
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.errorhandler(429)
def too_many_sign_ins(error):
    """The sign-in page again, saying what happened and until when."""
    limit = limiter.current_limit
    now = request_now()
    until = datetime.fromtimestamp(limit.reset_at, UTC) if limit is not None else now + timedelta(minutes=1)
    until = max(until, now + timedelta(seconds=1))
    seconds = int((until - now).total_seconds() + 0.999)
    when = {"time": format_time(until, "HH:mm:ss"), "minutes": max(1, round(seconds / 60))}
    if limit is not None and "login-device:" in limit.key:
        message = _(
            "Too many wrong passwords were tried in this browser. For the account's safety, signing in here is "
            "paused until %(time)s (about %(minutes)d min). Try again then.",
            **when,
        )
    else:
        message = _(
            "Too many wrong passwords were tried for this account or from this network. For the account's safety, "
            "signing in is paused until %(time)s (about %(minutes)d min). Try again then. In a browser where you "
            "have signed in to this account before, you can still sign in now.",
            **when,
        )
    form = LoginForm(formdata=None, login=request.form.get("login", "")[:50])
    page = render_template("auth/login.html", form=form, paused=message)
    return page, 429, {"Retry-After": str(seconds)}


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
            _start_session(current_user._get_current_object(), renewal=True)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, sign_out_form=LogoutForm()), 400 if form.errors else 200


@bp.post("/profile/sign-out-elsewhere")
@login_required
def sign_out_elsewhere():
    """End every other session of this account (a lost phone, a shared
    computer left signed in); this browser stays signed in."""
    form = LogoutForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        end_sessions(db.session, user)
        db.session.commit()
        _start_session(user, renewal=True)
        flash(_("You have been signed out on every other device and browser."), "success")
    return redirect(url_for("auth.profile"))
