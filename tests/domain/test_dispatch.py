"""The relay against the partner simulator over real loopback HTTP: the
faults a partner system and the relay itself can produce, and what each
leaves behind in the portal and at the partner."""

import threading
from datetime import timedelta

from sqlalchemy import select

from portal.domain.dispatch import LEASE, MAX_ATTEMPTS, backoff, claim_due, prepare, record, run_once
from portal.domain.intake import withdraw_case
from portal.domain.outbox import set_delivery_mode
from portal.domain.sms import LogGateway
from portal.domain.workflow import claim_task, release_task
from portal.models import Agency, OutboxMessage
from portal.models.enums import Channel, OutboxStatus
from tests.factories import create_user, now
from tests.partners import AGENCY, SMS_LOG, free_port, partner_messages, relay, routed_case, switch_to_http


def the_message(session) -> OutboxMessage:
    (message,) = partner_messages(session)
    return message


def test_a_message_is_signed_and_delivered_once_with_its_id_as_idempotency_key(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    case = routed_case(session)
    report = relay(session)
    assert report.outcomes["sent"] >= 1
    message = the_message(session)
    assert (message.status, message.attempts, message.last_status_code) == (OutboxStatus.sent, 1, 200)
    (kept,) = partner.messages()
    assert kept["key"] == message.id and kept["deliveries"] == 1 and kept["topic"] == "task.created"
    assert kept["body"]["case"]["number"] == case.number
    assert kept["body"] == message.payload


def test_messages_written_at_one_moment_reach_the_partner_in_the_order_they_were_written(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    case = routed_case(session, channel=Channel.counter)
    (task,) = case.tasks
    officer = create_user(session, "officer", agency_code=AGENCY)
    claim_task(session, task, officer, now())
    release_task(session, task, officer, now())
    withdraw_case(session, case, create_user(session, "clerk", window_county=case.receiving_county), now(), "申请人撤回")
    session.commit()
    relay(session)
    received = [(m["topic"], m["body"].get("change", {}).get("action")) for m in partner.messages()]
    assert received == [("task.created", None), ("task.updated", "claim"), ("task.updated", "release"),
                        ("task.cancelled", "cancel")]


def test_500_500_200_is_delivered_once_after_three_attempts(session, partner_sim):
    partner = partner_sim(fail_times=2)
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    start = now()
    relay(session, start)
    message = the_message(session)
    assert (message.status, message.attempts, message.last_status_code) == (OutboxStatus.pending, 1, 500)
    assert message.last_error.startswith("HTTP 500")
    assert start + timedelta(seconds=15) <= message.next_attempt_at <= start + timedelta(seconds=31)
    assert relay(session, start + timedelta(seconds=10)).claimed == 0  # not due yet
    relay(session, message.next_attempt_at)
    message = the_message(session)
    assert (message.status, message.attempts) == (OutboxStatus.pending, 2)
    relay(session, message.next_attempt_at)
    message = the_message(session)
    assert (message.status, message.attempts, message.last_status_code) == (OutboxStatus.sent, 3, 200)
    assert [(m["key"], m["deliveries"]) for m in partner.messages()] == [(message.id, 1)]


def test_a_read_timeout_after_the_partner_stored_the_message_is_resent_with_the_same_key(session, partner_sim):
    partner = partner_sim(slow_seconds=2.5)
    switch_to_http(session, partner.tasks_url, timeout=1)
    routed_case(session)
    relay(session)
    message = the_message(session)
    assert (message.status, message.attempts, message.last_status_code) == (OutboxStatus.pending, 1, None)
    assert message.last_error.startswith("timeout")
    assert len(partner.messages()) == 1  # it arrived; only the answer was late
    partner.faults(slow_seconds=0)
    relay(session, message.next_attempt_at)
    message = the_message(session)
    assert (message.status, message.attempts) == (OutboxStatus.sent, 2)
    (kept,) = partner.messages()
    assert kept["key"] == message.id and kept["deliveries"] == 2
    # Each attempt carried its own request id, so both sides' logs of it match.
    assert kept["request_id"] == f"{message.id}.2"
    assert len(partner.tasks()) == 1


def test_connection_refused_tries_again_later_and_nothing_is_lost(session, partner_sim):
    switch_to_http(session, f"http://127.0.0.1:{free_port()}/tasks")
    routed_case(session)
    start = now()
    relay(session, start)
    message = the_message(session)
    assert (message.status, message.attempts) == (OutboxStatus.pending, 1)
    assert message.last_error.startswith("connection failed") and message.next_attempt_at > start
    # The partner comes up (at another address, set by the admin): the next attempt delivers.
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    relay(session, message.next_attempt_at)
    message = the_message(session)
    assert (message.status, message.attempts) == (OutboxStatus.sent, 2)
    assert [m["key"] for m in partner.messages()] == [message.id]


def test_a_400_is_dead_at_once_with_the_partners_answer(session, partner_sim):
    partner = partner_sim(reject=True)
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    relay(session)
    message = the_message(session)
    assert (message.status, message.attempts, message.last_status_code) == (OutboxStatus.dead, 1, 400)
    assert message.last_error.startswith("HTTP 400:") and "simulated refusal" in message.last_error
    assert relay(session, now() + timedelta(hours=2)).claimed == 0  # dead stays dead
    assert partner.messages() == []


def test_a_bad_signature_is_refused_by_the_partner_and_the_message_dies(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url, secret="not-the-partners-secret")
    routed_case(session)
    relay(session)
    message = the_message(session)
    assert (message.status, message.last_status_code) == (OutboxStatus.dead, 401)
    assert partner.messages() == []


def test_a_relay_killed_between_sending_and_recording_resends_with_the_same_key_after_its_lease(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    start = now()
    (message_id,) = [m for m in claim_due(session, start, "relay-a", 20) if session.get(OutboxMessage, m).channel.value == "partner"]
    call = prepare(session, session.get(OutboxMessage, message_id), LogGateway(SMS_LOG), start)
    session.commit()
    assert call().delivered  # sent and stored by the partner… and the relay dies here
    assert relay(session, start + timedelta(seconds=30), "relay-b").claimed == 0  # still under relay-a's lease
    message = the_message(session)
    assert (message.status, message.claimed_by) == (OutboxStatus.pending, "relay-a")
    relay(session, start + LEASE + timedelta(seconds=1), "relay-b")
    message = the_message(session)
    assert (message.status, message.attempts, message.claimed_by) == (OutboxStatus.sent, 1, "")
    (kept,) = partner.messages()
    assert kept["key"] == message_id and kept["deliveries"] == 2


def test_a_relay_that_lost_its_claim_does_not_overwrite_the_outcome(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    start = now()
    claim_due(session, start, "relay-a", 20)
    relay(session, start + LEASE + timedelta(seconds=1), "relay-b")
    message = the_message(session)
    assert message.status is OutboxStatus.sent
    from portal.clients import Attempt

    assert record(session, message.id, "relay-a", Attempt(False, True, 503, "HTTP 503"), now()) == "lost"
    assert the_message(session).status is OutboxStatus.sent


def test_after_the_last_attempt_a_failing_message_is_dead(session, partner_sim):
    partner = partner_sim(fail_times=100)
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    at = now()
    partner.sim.clock = lambda: at  # hours of backoff replayed in moments
    for attempt in range(1, MAX_ATTEMPTS + 1):
        relay(session, at)
        message = the_message(session)
        assert message.attempts == attempt
        at = message.next_attempt_at
    assert (message.status, message.last_status_code) == (OutboxStatus.dead, 500)


def test_backoff_doubles_from_30_seconds_to_an_hour_with_jitter():
    import random

    class Fixed(random.Random):
        def uniform(self, low, high):
            return high

    assert [backoff(n, Fixed()).total_seconds() for n in (1, 2, 3, 8, 9, 20)] == [30, 60, 120, 3600, 3600, 3600]
    spread = [backoff(1).total_seconds() for _ in range(200)]
    assert 15 <= min(spread) and max(spread) <= 30 and len(set(spread)) > 100


def test_a_message_for_an_agency_switched_back_to_the_portal_is_not_sent(session, partner_sim):
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    start = now()
    claimed = claim_due(session, start, "relay-a", 20)
    agency = session.scalar(select(Agency).where(Agency.code == AGENCY))
    set_delivery_mode(session, agency, "portal", "", "", 10, None, start)
    session.commit()
    assert claimed
    relay(session, start + LEASE + timedelta(seconds=1))
    assert the_message(session).status is OutboxStatus.dead
    assert partner.messages() == []


def test_two_relays_never_claim_the_same_row(session, partner_sim):
    """SKIP LOCKED on PostgreSQL, a conditional update on SQLite: either way
    a claimed row is not claimed again."""
    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    for _ in range(3):
        routed_case(session)
    start = now()
    first = claim_due(session, start, "relay-a", 2)
    second = claim_due(session, start, "relay-b", 20)
    assert len(first) == 2 and second and not set(first) & set(second)
    assert claim_due(session, start, "relay-c", 20) == []
    if session.get_bind().dialect.name == "sqlite":
        # The claim is conditional: a row already claimed is not taken, even when picked as a candidate.
        from portal.domain.dispatch import _take

        claim = {"claimed_until": start + LEASE, "claimed_by": "relay-c"}
        assert not _take(session, first[0], start, claim)
    session.commit()
    assert session.get(OutboxMessage, first[0], populate_existing=True).claimed_by == "relay-a"


def test_two_relays_at_once_deliver_each_message_exactly_once(app, session, partner_sim):
    from portal.db import db

    partner = partner_sim()
    switch_to_http(session, partner.tasks_url)
    cases = [routed_case(session) for _ in range(12)]
    session.commit()
    start = now()
    barrier = threading.Barrier(2)
    errors = []

    def relay_thread(name):
        try:
            with app.app_context():
                barrier.wait()
                while run_once(db.session, start, name, 3, gateway=LogGateway(SMS_LOG)).claimed:
                    pass
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=relay_thread, args=(f"relay-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    messages = partner_messages(session)
    assert len(messages) == len(cases)
    assert all((m.status, m.attempts) == (OutboxStatus.sent, 1) for m in messages)
    kept = partner.messages()
    assert sorted(m["key"] for m in kept) == sorted(m.id for m in messages)
    assert all(m["deliveries"] == 1 for m in kept)
