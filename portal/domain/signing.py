"""Signatures on messages between the portal and partner systems, both ways.

The header ``X-Portal-Signature: t=<unix seconds>,v1=<hex>`` carries the
time of signing and HMAC-SHA256 over ``"<t>.<raw body>"`` with the agency's
signing secret (the scheme Stripe uses for its webhooks). A receiver
recomputes it over the exact bytes it got, compares in constant time, and
refuses a timestamp more than five minutes away from its own clock, so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

SIGNATURE_HEADER = "X-Portal-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """Why a signature was refused: missing, malformed, stale or wrong."""


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, now: datetime) -> str:
    """The header value for ``body`` sent at ``now``."""
    timestamp = int(now.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, body: bytes, header: str | None, now: datetime, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Raise SignatureError unless ``header`` signs ``body`` with ``secret``
    within ``tolerance`` seconds of ``now``."""
    if not header:
        raise SignatureError("signature missing")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureError("signature malformed") from None
    if abs(now.timestamp() - timestamp) > tolerance:
        raise SignatureError("timestamp too far from now")
    if not secret or not hmac.compare_digest(_digest(secret, timestamp, body), given):
        raise SignatureError("signature does not match")
