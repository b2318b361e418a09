"""Device cookies (OWASP's "device cookies" against account lockout):
a browser in which an account has signed in successfully is given a
long-lived token naming the account and a random nonce, signed with the
app's secret key under a salt of its own. A sign-in for that account from
that browser is counted per device, not against the account or the
address, so someone guessing the account's password elsewhere cannot lock
its owner out of their own phone."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

DEVICE_SALT = "portal.device-cookie"
# How long a browser stays known without a new sign-in in it.
DEVICE_LIFETIME = timedelta(days=365)
# Longer tokens than ours are not worth verifying.
DEVICE_TOKEN_MAX = 200


@dataclass(frozen=True)
class Device:
    account_id: int
    nonce: str


def _signer(key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=DEVICE_SALT)


def issue_device_token(account_id: int, key: str | bytes) -> str:
    """A new token for a browser in which ``account_id`` just signed in."""
    return _signer(key).dumps({"a": account_id, "n": secrets.token_urlsafe(16)})


def read_device_token(token: str | None, key: str | bytes) -> Device | None:
    """The device a token names; None for a missing, tampered, expired or
    foreign token (the same for each: nothing to tell apart)."""
    if not token or len(token) > DEVICE_TOKEN_MAX:
        return None
    try:
        payload = _signer(key).loads(token, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    account_id, nonce = payload.get("a"), payload.get("n")
    if not isinstance(account_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    return Device(account_id, nonce)
