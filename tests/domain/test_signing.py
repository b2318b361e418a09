"""The signature header both ways: accepted as made, refused when the body,
the secret or the time is wrong."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.signing import SignatureError, sign, verify

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
BODY = '{"task": 1, "status": "完成"}'.encode()


def test_a_signature_verifies_over_the_exact_body():
    header = sign("s3cret", BODY, NOW)
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    verify("s3cret", BODY, header, NOW + timedelta(seconds=299))


@pytest.mark.parametrize(
    "secret, body, header_change, at, reason",
    [
        ("other", BODY, None, NOW, "does not match"),
        ("s3cret", BODY + b" ", None, NOW, "does not match"),
        ("s3cret", BODY, None, NOW + timedelta(minutes=6), "too far"),
        ("s3cret", BODY, None, NOW - timedelta(minutes=6), "too far"),
        ("s3cret", BODY, "", NOW, "missing"),
        ("s3cret", BODY, "v1=abc", NOW, "malformed"),
        ("", BODY, None, NOW, "does not match"),
    ],
)
def test_a_wrong_secret_body_time_or_header_is_refused(secret, body, header_change, at, reason):
    header = sign("s3cret", BODY, NOW) if header_change is None else header_change
    with pytest.raises(SignatureError, match=reason):
        verify(secret, body, header, at)
