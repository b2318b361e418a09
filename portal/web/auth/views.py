"""Register (through a texted code), sign in, sign out, recover a
forgotten password by code, and the profile (password, a new mobile)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from portal.db import db
from portal.domain import DomainError, verification
from portal.domain.accounts import change_password, check_sign_in, end_sessions, find_by_login
from portal.domain.devices import DEVICE_LIFETIME, Device, issue_device_token, read_device_token
from portal.domain.identity import mask_mobile, normalise_mobile
from portal.domain.text import typed_code
from portal.domain.verification import CodeRefused, ResendTooSoon
from portal.errors import render_error
from portal.extensions import device_key, limiter, password_hasher, verification_key
from portal.models import Role, User, VerificationCode
from portal.models.enums import CodePurpose
from portal.security import session_signed_in_at, start_session_clock
from portal.web.actions import run_action
from portal.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotForm,
    LoginForm,
    LogoutForm,
    MobileForm,
    RegisterForm,
    ResendForm,
    ResetForm,
)
from portal.web.clock import request_now
from portal.web.navigation import external_url, safe_next

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


# -- texted codes: registration, password reset, a new mobile -------------------

CODE_STATE = "verification"  # the session keeps the id of the code row a page waits on, never the number


def _code_limit() -> str:
    return current_app.config["PORTAL_CODE_LIMIT"]


def _code_address_limit() -> str:
    return current_app.config["PORTAL_CODE_ADDRESS_LIMIT"]


def _code_number_key() -> str:
    """The number a request would text: typed in the form, or the one of
    the code row the page waits on (asking for a new code)."""
    sent = request.form.get("mobile") or request.form.get("login")
    if sent is None:
        state = session.get(CODE_STATE) or {}
        row = db.session.get(VerificationCode, state["id"]) if isinstance(state.get("id"), int) else None
        sent = row.mobile if row is not None else ""
    try:
        number = normalise_mobile(sent)
    except DomainError:
        number = typed_code(sent).upper()
    return "code-number:" + number


def _sent(response) -> bool:
    """Only requests that queued a text (or answered as if) count."""
    return response.status_code == 302


def _sends_codes(view):
    """Limits shared by every page that texts a code: per number and per
    client address, so nobody can text-bomb a number."""
    view = limiter.shared_limit(
        _code_limit, scope="texted-code-number", methods=["POST"], key_func=_code_number_key, deduct_when=_sent
    )(view)
    return limiter.shared_limit(_code_address_limit, scope="texted-code-address", methods=["POST"], deduct_when=_sent)(view)


def _remember(row) -> None:
    session[CODE_STATE] = {"id": row.id, "purpose": row.purpose.value}


def _pending(purpose: CodePurpose, user=None):
    state = session.get(CODE_STATE) or {}
    if state.get("purpose") != purpose.value:
        return None
    return verification.pending(db.session, state.get("id"), purpose, user)


def _status(outcome) -> int:
    return 429 if isinstance(outcome.error, ResendTooSoon) else 400


CODE_PAGES = {
    CodePurpose.register: ("auth.register_code", "auth.register_resend", "auth.register"),
    CodePurpose.reset: ("auth.forgot_code", "auth.forgot_resend", "auth.forgot"),
    CodePurpose.mobile_change: ("auth.profile_mobile_code", "auth.profile_mobile_resend", "auth.profile"),
}


def _code_page(purpose: CodePurpose, row, form, status: int = 200):
    action, resend, back = CODE_PAGES[purpose]
    return render_template(
        "auth/code.html", purpose=purpose.value, form=form, resend_form=ResendForm(),
        mobile=mask_mobile(row.mobile) if row is not None and purpose is not CodePurpose.reset else "",
        action=url_for(action), resend=url_for(resend), back=url_for(back),
    ), (status if status != 200 or not form.errors else 400)


def _resend(purpose: CodePurpose, form, user=None):
    row = _pending(purpose, user)
    if ResendForm().validate_on_submit():
        outcome = run_action(
            lambda: verification.resend(db.session, row, verification_key(), request_now(), external_url("auth.forgot")),
            form=form,
        )
        if outcome:
            flash(_("We sent a new code."), "info")
            return redirect(url_for(CODE_PAGES[purpose][0]))
        return _code_page(purpose, row, form, _status(outcome))
    return redirect(url_for(CODE_PAGES[purpose][0]))


@bp.route("/register", methods=["GET", "POST"])
@_sends_codes
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = RegisterForm()
    status = 400
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.start_registration(
                db.session,
                real_name=form.real_name.data,
                id_number=form.id_number.data,
                mobile=form.mobile.data,
                password=form.password.data,
                passwords=password_hasher(),
                key=verification_key(),
                now=request_now(),
                recovery_url=external_url("auth.forgot"),
                locale=session.get("locale"),
            ),
            form=form,
        )
        if outcome:
            _remember(outcome.value)
            return redirect(url_for("auth.register_code"))
        status = _status(outcome)
    return render_template("auth/register.html", form=form), status if form.errors else 200


@bp.route("/register/code", methods=["GET", "POST"])
def register_code():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    row = _pending(CodePurpose.register)
    if row is None and request.method == "GET":
        return redirect(url_for("auth.register"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.confirm_registration(db.session, row, form.code.data, verification_key(), request_now()),
            form=form,
            counted=(CodeRefused,),
        )
        if outcome:
            user = outcome.value
            _start_session(user)
            flash(_("Your account is ready. Welcome, %(name)s.", name=user.real_name), "success")
            return _remember_device(redirect(url_for("home.dashboard")), user)
    return _code_page(CodePurpose.register, row, form)


@bp.post("/register/code/resend")
@_sends_codes
def register_resend():
    return _resend(CodePurpose.register, CodeForm(formdata=None))


@bp.route("/forgot", methods=["GET", "POST"])
@_sends_codes
def forgot():
    form = ForgotForm()
    status = 400
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.start_reset(db.session, form.login.data, verification_key(), request_now()), form=form
        )
        if outcome:
            _remember(outcome.value)
            return redirect(url_for("auth.forgot_code"))
        status = _status(outcome)
    return render_template("auth/forgot.html", form=form), status if form.errors else 200


@bp.route("/forgot/code", methods=["GET", "POST"])
def forgot_code():
    row = _pending(CodePurpose.reset)
    if row is None and request.method == "GET":
        return redirect(url_for("auth.forgot"))
    form = ResetForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.complete_reset(
                db.session, row, form.code.data, form.new_password.data,
                passwords=password_hasher(), key=verification_key(), now=request_now(),
            ),
            form=form,
            counted=(CodeRefused,),
        )
        if outcome:
            # end_sessions raised the account's session version: a session of it here ends too.
            flash(_("Your password has been changed and every session of the account ended. Sign in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return _code_page(CodePurpose.reset, row, form)


@bp.post("/forgot/code/resend")
@_sends_codes
def forgot_resend():
    return _resend(CodePurpose.reset, ResetForm(formdata=None))


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
            second_step = second_factor.after_password(user, request.args.get("next"))
            if second_step is not None:
                return second_step
            _start_session(user)
            target = safe_next(request.args.get("next")) if request.args.get("next") else url_for("home.dashboard")
            return _remember_device(redirect(target), user)
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.errorhandler(429)
def too_many_sign_ins(error):
    """The sign-in page again, saying what happened and until when. Other
    pages here (texted codes) answer with the portal's own 429 page."""
    if request.endpoint != "auth.login":
        return render_error(429)
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
    return render_template(
        "auth/profile.html", form=form, mobile_form=MobileForm(formdata=None), sign_out_form=LogoutForm()
    ), 400 if form.errors else 200


def _resident_only() -> None:
    if current_user.role is not Role.resident:
        abort(404)


@bp.post("/profile/mobile")
@login_required
@_sends_codes
def profile_mobile():
    _resident_only()
    form = MobileForm()
    status = 400
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.start_mobile_change(
                db.session, current_user, form.mobile.data, form.password.data,
                passwords=password_hasher(), key=verification_key(), now=request_now(),
            ),
            form=form,
            fields={"current_password": "password"},
        )
        if outcome:
            _remember(outcome.value)
            return redirect(url_for("auth.profile_mobile_code"))
        status = _status(outcome)
    return render_template(
        "auth/profile.html", form=ChangePasswordForm(formdata=None), mobile_form=form, sign_out_form=LogoutForm()
    ), status


@bp.route("/profile/mobile/code", methods=["GET", "POST"])
@login_required
def profile_mobile_code():
    _resident_only()
    user = current_user._get_current_object()
    row = _pending(CodePurpose.mobile_change, user)
    if row is None and request.method == "GET":
        return redirect(url_for("auth.profile"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: verification.confirm_mobile_change(
                db.session, user, row, form.code.data, verification_key(), request_now(), external_url("auth.forgot")
            ),
            form=form,
            counted=(CodeRefused,),
        )
        if outcome:
            session.pop(CODE_STATE, None)
            flash(_("Your mobile number is now %(mobile)s.", mobile=mask_mobile(outcome.value)), "success")
            return redirect(url_for("auth.profile"))
    return _code_page(CodePurpose.mobile_change, row, form)


@bp.post("/profile/mobile/code/resend")
@login_required
@_sends_codes
def profile_mobile_resend():
    _resident_only()
    return _resend(CodePurpose.mobile_change, CodeForm(formdata=None), current_user._get_current_object())


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


from portal.web.auth import second_factor  # noqa: E402  (the code step; its routes register on bp)
