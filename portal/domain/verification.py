"""Codes texted to a mobile number: at registration (an account exists
only once its mobile is proved), to reset a forgotten password, and to
give an account a new mobile number.

A code has 6 digits, lives 5 minutes, allows 5 tries (then it is dead and
a new one must be asked for), and a new one may be asked for 60 seconds
after the last. One code is live per number and purpose: a new one
replaces the old. Only its HMAC-SHA256 (with the key the app passes in)
is stored; the text that carries it is worded when queued, goes out
through the outbox like every text, and is blanked once sent.

The pages never say whether a number or an ID is registered: a request
for a registered number (registration), an unknown login (reset) or a
number of another account (mobile change) gets a *decoy* code row that
answers exactly like a real one — the same timers and tries — but opens
nothing. Instead of a code, the holder of a registered number is told by
text that the number has an account; nobody is texted for an unknown
login or for another account's number.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import datetime, timedelta
from hashlib import sha256

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.domain.accounts import (
    change_mobile,
    check_resident,
    create_resident,
    find_resident,
    registered,
    reset_password,
)
from portal.domain.identity import PASSWORD_MAX, check_password, mask_mobile, normalise_mobile
from portal.domain.passwords import Passwords
from portal.domain.sms import SIGNATURE, enqueue_text
from portal.domain.text import typed_code
from portal.models import User, VerificationCode
from portal.models.enums import CodePurpose

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=5)
RESEND_AFTER = timedelta(seconds=60)
MAX_TRIES = 5
KEPT_FOR = timedelta(days=1)  # rows older than this past their expiry are deleted
LOGIN_MAX = 18

NO_CODE = _l("Ask for a code first.")
USED = _l("This code has been used already. Ask for a new one.")
EXPIRED = _l("This code has expired: codes work for 5 minutes. Ask for a new one.")
DEAD = _l("This code no longer works after 5 wrong tries. Ask for a new one.")
MALFORMED = _l("Enter the 6 digits of the code we texted you.")


class ResendTooSoon(DomainError):
    """A new code was asked for within a minute of the last one."""

    def __init__(self, seconds: int, field: str):
        super().__init__(
            _l("A code was sent less than a minute ago. Wait %(n)d seconds before asking for a new one.", n=seconds),
            field,
        )
        self.seconds = seconds


class CodeRefused(DomainError):
    """A wrong code: the try is counted, so the caller commits it."""


def code_hash(key: str | bytes, purpose: CodePurpose, mobile: str, code: str) -> str:
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"verification:{purpose.value}:{mobile}:{code}".encode(), sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_text(purpose: CodePurpose, code: str) -> str:
    doing = {
        CodePurpose.register: "注册账号",
        CodePurpose.reset: "找回密码",
        CodePurpose.mobile_change: "把账号的手机号改为本号码",
    }[purpose]
    return f"{SIGNATURE}您正在{doing}，验证码{code}，5分钟内有效。请勿把验证码告诉他人，工作人员不会向您索要。"


def account_exists_text(by_mobile: bool, recovery_url: str) -> str:
    """To the number given at registration when it (or the ID number given
    with it) already has an account: no code, no account."""
    what = "本手机号" if by_mobile else "您填写的身份证号码"
    how = "请直接登录" if by_mobile else "请用注册时的手机号登录"
    return f"{SIGNATURE}{what}已注册账号，无需再次注册。{how}；忘记密码可在此找回：{recovery_url}"


def mobile_changed_text(new_mobile: str, recovery_url: str) -> str:
    """To the old number once an account's mobile changed."""
    return (
        f"{SIGNATURE}您账号的手机号已改为{mask_mobile(new_mobile)}，本号码不再用于登录。"
        f"如非本人操作，请携身份证到常山或玉山窗口处理，或在此找回密码：{recovery_url}"
    )


# -- the code rows -------------------------------------------------------------


def _prune(session: Session, now: datetime) -> None:
    session.execute(
        delete(VerificationCode).where(VerificationCode.expires_at < now - KEPT_FOR)
        .execution_options(synchronize_session=False)
    )


def _issue(
    session: Session, purpose: CodePurpose, mobile: str, key, now: datetime, *, field: str, decoy: bool = False,
    row: VerificationCode | None = None, **fields,
) -> tuple[VerificationCode, str]:
    """A fresh code for (purpose, mobile), replacing the live one; refused
    within a minute of the last."""
    _prune(session, now)
    if row is None:
        row = session.scalar(
            select(VerificationCode).where(VerificationCode.purpose == purpose, VerificationCode.mobile == mobile)
        )
    if row is not None and now < row.sent_at + RESEND_AFTER:
        raise ResendTooSoon(math.ceil((row.sent_at + RESEND_AFTER - now).total_seconds()), field)
    if row is None:
        row = VerificationCode(purpose=purpose, mobile=mobile)
        session.add(row)
    code = new_code()
    row.code_hash, row.decoy, row.attempts = code_hash(key, purpose, mobile, code), decoy, 0
    row.sent_at, row.expires_at, row.used_at = now, now + CODE_LIFETIME, None
    for name in ("user_id", "real_name", "id_number", "password_hash", "locale"):
        setattr(row, name, fields.get(name))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another request made this number's code at the same moment.
        raise ResendTooSoon(math.ceil(RESEND_AFTER.total_seconds()), field) from None
    return row, code


def pending(session: Session, row_id, purpose: CodePurpose, user: User | None = None) -> VerificationCode | None:
    """The code row a page is waiting on (its id kept in the session), if
    it is still there, for this purpose and (mobile change) this account."""
    row = session.get(VerificationCode, row_id) if isinstance(row_id, int) else None
    if row is None or row.purpose is not purpose or (user is not None and row.user_id != user.id):
        return None
    return row


def use_code(session: Session, row: VerificationCode | None, code: str, key, now: datetime, field: str = "code"):
    """Check ``code`` against the row and mark it used. Refusals in order:
    no code asked for, used, dead after 5 wrong tries, expired, not 6
    digits (not counted), wrong (counted: CodeRefused, which the caller
    commits)."""
    if row is None:
        raise DomainError(NO_CODE, field)
    if row.used_at is not None:
        raise DomainError(USED, field)
    if row.attempts >= MAX_TRIES:
        raise DomainError(DEAD, field)
    if now >= row.expires_at:
        raise DomainError(EXPIRED, field)
    typed = typed_code(code)
    if len(typed) != CODE_DIGITS or not typed.isdigit():
        raise DomainError(MALFORMED, field)
    right = hmac.compare_digest(code_hash(key, row.purpose, row.mobile, typed), row.code_hash)
    if row.decoy or not right:
        session.execute(
            update(VerificationCode).where(VerificationCode.id == row.id)
            .values(attempts=VerificationCode.attempts + 1).execution_options(synchronize_session=False)
        )
        session.refresh(row)
        left = MAX_TRIES - row.attempts
        if left <= 0:
            raise CodeRefused(_l("This code is not right, and after 5 wrong tries it no longer works. Ask for a new one."), field)
        raise CodeRefused(_l("This code is not right. %(n)d tries left.", n=left), field)
    used = session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == row.id, VerificationCode.used_at.is_(None), VerificationCode.attempts < MAX_TRIES)
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:  # another request used it a moment ago
        raise DomainError(USED, field)
    session.refresh(row)
    return row


# -- registration --------------------------------------------------------------


def _registration_text(session: Session, row: VerificationCode, code: str, recovery_url: str, now: datetime) -> None:
    if row.decoy:
        by_mobile = registered(session, mobile=row.mobile) is not None
        enqueue_text(session, row.mobile, "account_exists", account_exists_text(by_mobile, recovery_url), now)
    else:
        enqueue_text(session, row.mobile, "verification_code", code_text(CodePurpose.register, code), now)


def start_registration(
    session: Session, *, real_name: str, id_number: str, mobile: str, password: str, passwords: Passwords, key,
    now: datetime, recovery_url: str, locale: str | None = None,
) -> VerificationCode:
    """Check the details and text a code to the mobile; the account waits
    in the code row. When the mobile or the ID number is registered
    already, the row is a decoy and the mobile is told so by text
    instead: the answer to the browser is the same."""
    name, number, phone = check_resident(
        real_name=real_name, id_number=id_number, mobile=mobile, password=password, now=now
    )
    taken = registered(session, id_number=number, mobile=phone) is not None
    password_hash = passwords.hash(password)  # hashed either way: the answer takes as long
    row, code = _issue(
        session, CodePurpose.register, phone, key, now, field="mobile", decoy=taken,
        real_name=name, id_number=number, password_hash=None if taken else password_hash, locale=locale,
    )
    _registration_text(session, row, code, recovery_url, now)
    return row


def resend(session: Session, row: VerificationCode | None, key, now: datetime, recovery_url: str) -> VerificationCode:
    """A new code for the number a page is waiting on (a registration's
    warning again for a decoy; nothing for the other decoys)."""
    if row is None:
        raise DomainError(NO_CODE, "code")
    if row.purpose is CodePurpose.register and not row.decoy and registered(session, id_number=row.id_number, mobile=row.mobile):
        row.decoy, row.password_hash = True, None  # registered meanwhile: warn instead
    fields = {name: getattr(row, name) for name in ("user_id", "real_name", "id_number", "password_hash", "locale")}
    row, code = _issue(session, row.purpose, row.mobile, key, now, field="code", decoy=row.decoy, row=row, **fields)
    if row.purpose is CodePurpose.register:
        _registration_text(session, row, code, recovery_url, now)
    elif not row.decoy:
        enqueue_text(session, row.mobile, "verification_code", code_text(row.purpose, code), now)
    return row


def confirm_registration(session: Session, row: VerificationCode | None, code: str, key, now: datetime) -> User:
    """The right code creates the account the row holds."""
    row = use_code(session, row, code, key, now)
    user = create_resident(
        session, real_name=row.real_name, id_number=row.id_number, mobile=row.mobile,
        password_hash=row.password_hash, locale=row.locale, now=now,
    )
    row.password_hash = None  # kept no longer than needed
    session.flush()
    return user


# -- password reset --------------------------------------------------------------


def start_reset(session: Session, login: str, key, now: datetime) -> VerificationCode:
    """A code to the registered mobile of the resident this mobile or ID
    number belongs to; for anything else a decoy and no text."""
    typed = typed_code(login).upper()
    if not typed or len(typed) > LOGIN_MAX:
        raise DomainError(_l("Enter the mobile number or ID number of your account."), "login")
    user = find_resident(session, typed)
    if user is None:
        row, _code = _issue(session, CodePurpose.reset, typed, key, now, field="login", decoy=True)
        return row
    row, code = _issue(session, CodePurpose.reset, user.mobile, key, now, field="login", user_id=user.id)
    enqueue_text(session, user.mobile, "verification_code", code_text(CodePurpose.reset, code), now)
    return row


def complete_reset(
    session: Session, row: VerificationCode | None, code: str, new_password: str, *, passwords: Passwords, key,
    now: datetime,
) -> User | None:
    """The right code sets the new password (the registration's rules)
    and ends every session of the account."""
    user = session.get(User, row.user_id) if row is not None and row.user_id else None
    # The password rules first, so a refused password does not spend the code.
    check_password(
        new_password, "new_password",
        personal=(user.id_number, user.mobile, user.username) if user else (row.mobile if row else "",),
        real_name=user.real_name if user else None,
    )
    row = use_code(session, row, code, key, now)
    if user is None or not user.active:
        raise DomainError(NO_CODE, "code")
    reset_password(session, user, new_password, passwords=passwords)
    return user


# -- a new mobile number -------------------------------------------------------------


def start_mobile_change(
    session: Session, user: User, new_mobile: str, current_password: str, *, passwords: Passwords, key,
    now: datetime,
) -> VerificationCode:
    """A code to the new number, after the current password. A number of
    another account gets a decoy: the page says the same, nobody is
    texted."""
    if not passwords.verify(user.password_hash, (current_password or "")[:PASSWORD_MAX]):
        raise DomainError(_l("Your current password is not correct."), "current_password")
    phone = normalise_mobile(new_mobile)
    if phone == user.mobile:
        raise DomainError(_l("This is already your mobile number."), "mobile")
    taken = registered(session, mobile=phone) is not None
    row, code = _issue(session, CodePurpose.mobile_change, phone, key, now, field="mobile", decoy=taken, user_id=user.id)
    if not taken:
        enqueue_text(session, phone, "verification_code", code_text(CodePurpose.mobile_change, code), now)
    return row


def confirm_mobile_change(
    session: Session, user: User, row: VerificationCode | None, code: str, key, now: datetime, recovery_url: str,
) -> str:
    """The right code gives the account the new number; the old number is
    told by text. Returns the new number."""
    row = use_code(session, row, code, key, now)
    old = change_mobile(session, user, row.mobile)
    if old:
        enqueue_text(session, old, "mobile_changed", mobile_changed_text(row.mobile, recovery_url), now)
    return row.mobile
