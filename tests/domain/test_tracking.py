"""Public tracking: the query code must match, wrong codes are counted per
case and lock it, the applicant is texted once per lockout, and the
receipt's signed link opens the case without the code."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.sms import text_for
from portal.domain.tracking import (
    FAILURE_WINDOW,
    FAILURES_ALLOWED,
    LOCKOUT,
    track_by_code,
    track_by_link,
    tracking_token,
)
from portal.models import OutboxMessage, TrackingFailure, TrackingLockout
from portal.models.enums import OutboxChannel
from tests.factories import create_case, now

KEY = "test-secret-key"


def wrong_code(case) -> str:
    return "000000" if case.query_code != "000000" else "111111"


def texts(session, case) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.sms, OutboxMessage.case_id == case.id)))


def fail(session, case, times: int, at=None):
    return [track_by_code(session, case.number, wrong_code(case), at or now()) for _ in range(times)]


def test_tracking_needs_the_cases_own_query_code(session):
    case = create_case(session, status="submitted")
    assert track_by_code(session, case.number, case.query_code, now()).case is case
    assert track_by_code(session, f" {case.number.lower()} ", f" {case.query_code} ", now()).case is case
    assert track_by_code(session, case.number, wrong_code(case), now()).case is None


def test_an_unknown_number_answers_as_a_wrong_code_and_stores_nothing(session):
    case = create_case(session, status="submitted")
    unknown = track_by_code(session, "KSCS000000000000", case.query_code, now())
    wrong = track_by_code(session, case.number, wrong_code(case), now())
    assert unknown == wrong == type(unknown)()
    for _ in range(FAILURES_ALLOWED + 1):
        track_by_code(session, "KSCS000000000000", "123456", now())
    assert session.scalar(select(func.count()).select_from(TrackingFailure)) == 1  # the known case's one
    assert session.scalar(select(func.count()).select_from(TrackingLockout)) == 0


def test_the_tenth_wrong_code_within_the_hour_locks_the_case_and_the_right_code_is_refused(session):
    case = create_case(session, status="submitted")
    answers = fail(session, case, FAILURES_ALLOWED)
    assert all(a.case is None for a in answers)
    assert [a.locked_until for a in answers[:-1]] == [None] * (FAILURES_ALLOWED - 1)
    assert answers[-1].locked_until == now() + LOCKOUT
    refused = track_by_code(session, case.number, case.query_code, now() + timedelta(minutes=59))
    assert refused.case is None and refused.locked_until == now() + LOCKOUT
    assert track_by_code(session, case.number, case.query_code, now() + LOCKOUT).case is case


def test_wrong_codes_older_than_the_window_are_not_counted(session):
    case = create_case(session, status="submitted")
    fail(session, case, FAILURES_ALLOWED - 1)
    later = now() + FAILURE_WINDOW + timedelta(seconds=1)
    assert fail(session, case, 1, at=later)[0].locked_until is None
    assert session.scalar(select(func.count()).select_from(TrackingFailure)) == 1


def test_refused_lookups_during_a_lockout_do_not_extend_it(session):
    case = create_case(session, status="submitted")
    fail(session, case, FAILURES_ALLOWED)
    fail(session, case, 5, at=now() + timedelta(minutes=30))
    after = now() + LOCKOUT
    assert fail(session, case, 1, at=after)[0].locked_until is None  # counting starts again
    assert track_by_code(session, case.number, case.query_code, after).case is case


def test_the_applicant_is_texted_once_per_lockout_without_the_code(session):
    case = create_case(session, status="submitted")
    fail(session, case, FAILURES_ALLOWED + 5)
    (text,) = texts(session, case)
    assert text.payload["mobile"] == case.applicant_mobile and text.payload["action"] == "tracking_locked"
    words = text_for(session, text.payload)
    assert case.number in words and case.query_code not in words and "回执" in words
    assert "11:00" in words  # locked until 11:00 Shanghai time (the fixed now is 10:00)
    fail(session, case, FAILURES_ALLOWED, at=now() + LOCKOUT)
    assert len(texts(session, case)) == 2  # a second lockout, a second text


def test_a_case_without_a_mobile_number_is_locked_without_a_text(session):
    case = create_case(session, status="submitted", applicant_mobile="")
    assert fail(session, case, FAILURES_ALLOWED)[-1].locked_until is not None
    assert texts(session, case) == []


def test_the_lockout_of_one_case_leaves_others_alone(session):
    locked, other = create_case(session, status="submitted"), create_case(session, status="submitted")
    fail(session, locked, FAILURES_ALLOWED)
    assert track_by_code(session, other.number, other.query_code, now()).case is other


def test_the_receipts_signed_link_opens_its_case_even_while_locked(session):
    case = create_case(session, status="submitted")
    token = tracking_token(case, KEY)
    assert case.query_code not in token and "query" not in token
    fail(session, case, FAILURES_ALLOWED)
    assert track_by_link(session, token, KEY) is case


def payload_swapped(token: str, case, number: str) -> str:
    """The token with another case number in its payload and its own signature."""
    signature = token.rsplit(".", 1)[1]
    payload = base64.urlsafe_b64encode(json.dumps([case.id, number]).encode()).decode().rstrip("=")
    return f"{payload}.{signature}"


@pytest.mark.parametrize("forgery", ["signature", "payload", "other key", "empty", "dots", "too long"])
def test_a_forged_or_tampered_link_finds_nothing(session, forgery):
    case = create_case(session, status="submitted")
    other = create_case(session, status="submitted")
    token = tracking_token(case, KEY)
    forged = {
        "signature": token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        "payload": payload_swapped(token, case, other.number),
        "other key": tracking_token(case, "another-key"),
        "empty": "",
        "dots": "." * 50,
        "too long": token * 5,
    }[forgery]
    assert track_by_link(session, forged, KEY) is None


def test_a_link_to_a_deleted_case_finds_nothing(session):
    case = create_case(session, status="submitted")
    token = tracking_token(case, KEY)
    session.delete(case)
    session.flush()
    assert track_by_link(session, token, KEY) is None
