"""The portal's one way of calling another system over HTTP (a partner
agency's system, the SMS gateway): a POST with a connect and a read timeout,
no redirects followed, no session kept between calls, and an answer that
says what the attempt produced instead of raising."""

from __future__ import annotations

from dataclasses import dataclass

import requests

CONNECT_TIMEOUT = 3.0
ERROR_MAX = 300


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt produced: delivered, worth retrying later
    (the other side is down, slow or busy), or refused for good."""

    delivered: bool
    retry: bool = False
    status_code: int | None = None
    error: str = ""

    @classmethod
    def refused(cls, error: str, status_code: int | None = None) -> Attempt:
        return cls(False, False, status_code, short(error))


def short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def classify(status_code: int, body: bytes) -> Attempt:
    """2xx delivered; 429 and 5xx retried; anything else (4xx, a redirect)
    will not change by sending again."""
    if 200 <= status_code < 300:
        return Attempt(True, status_code=status_code)
    snippet = body[: ERROR_MAX * 4].decode("utf-8", errors="replace")
    error = f"HTTP {status_code}: {snippet[:ERROR_MAX]}".rstrip(": ")
    return Attempt(False, status_code == 429 or status_code >= 500, status_code, short(error))


def post_json(url: str, body: bytes, headers: dict[str, str], read_timeout: float) -> Attempt:
    """POST ``body`` (JSON bytes, sent exactly as given) to ``url``. Connection
    errors and timeouts are retryable; a malformed URL is not."""
    try:
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=(CONNECT_TIMEOUT, read_timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            if 200 <= response.status_code < 300:
                return classify(response.status_code, b"")
            # Read only the start of an error answer: enough to explain it.
            head = next(response.iter_content(ERROR_MAX * 4), b"")
            return classify(response.status_code, head)
    except requests.Timeout as error:
        kind = "connect" if isinstance(error, requests.ConnectTimeout) else "read"
        return Attempt(False, True, None, short(f"timeout: no {kind} answer within the limit ({error.__class__.__name__})"))
    except requests.ConnectionError as error:
        return Attempt(False, True, None, short(f"connection failed: {_reason(error)}"))
    except requests.RequestException as error:
        return Attempt.refused(f"request not sent: {error.__class__.__name__}: {_reason(error)}")


def _reason(error: Exception) -> str:
    """The innermost cause of a requests error, without the long wrapper text."""
    cause: BaseException = error
    for _ in range(5):
        inner = cause.__cause__ or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        if inner is None:
            break
        cause = inner
    return str(cause) or cause.__class__.__name__
