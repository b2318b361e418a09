"""The worker's heartbeat and leases, with an injected clock: the row is
written and refreshed, a held message's lease is renewed by each beat, and
the claims of a worker that died are taken by another within 30 seconds."""

from datetime import timedelta

from sqlalchemy import select

from portal.domain.dispatch import HEARTBEAT_LEASE, claim_due, run_once, sms_lane
from portal.domain.heartbeats import (
    BEAT_EVERY,
    WorkerIdentity,
    beat,
    newest_heartbeat,
    register_worker,
    unregister_worker,
)
from portal.domain.outbox import oldest_due_age
from portal.domain.sms import LogGateway
from portal.models import OutboxMessage, WorkerHeartbeat
from portal.models.enums import OutboxChannel, OutboxStatus
from tests.factories import now
from tests.partners import SMS_LOG, routed_case

A = WorkerIdentity("host-a:101:aaaaaaaa", "host-a", 101)
B = WorkerIdentity("host-b:202:bbbbbbbb", "host-b", 202)


def the_text(session) -> OutboxMessage:
    (text,) = session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.sms).execution_options(populate_existing=True)
    )
    return text


def test_the_heartbeat_row_is_written_refreshed_and_removed(session):
    start = now()
    assert newest_heartbeat(session) is None
    register_worker(session, A, start)
    register_worker(session, B, start + timedelta(seconds=1))
    beat(session, A, [], start + BEAT_EVERY, HEARTBEAT_LEASE)
    row = session.get(WorkerHeartbeat, A.id, populate_existing=True)
    assert (row.host, row.pid, row.started_at, row.beat_at) == ("host-a", 101, start, start + BEAT_EVERY)
    assert newest_heartbeat(session) == start + BEAT_EVERY
    unregister_worker(session, A)
    assert newest_heartbeat(session) == start + timedelta(seconds=1)
    beat(session, A, [], start + 2 * BEAT_EVERY, HEARTBEAT_LEASE)  # a beat after its row was removed writes it again
    assert session.get(WorkerHeartbeat, A.id, populate_existing=True) is not None


def test_rows_of_workers_dead_for_a_day_are_forgotten_when_one_starts(session):
    start = now()
    register_worker(session, A, start)
    register_worker(session, B, start + timedelta(days=2))
    assert session.scalars(select(WorkerHeartbeat.id)).all() == [B.id]


def test_a_held_message_stays_held_while_its_worker_beats(session):
    routed_case(session)
    start = now()
    assert claim_due(session, start, f"{A.id}/sms", 20, HEARTBEAT_LEASE, sms_lane())
    for n in range(1, 7):  # half a minute of beats, a call that takes long
        assert beat(session, A, [f"{A.id}/sms"], start + n * BEAT_EVERY, HEARTBEAT_LEASE) == 1
        assert run_once(session, start + n * BEAT_EVERY + timedelta(seconds=1), f"{B.id}/sms",
                        gateway=LogGateway(SMS_LOG), lease=HEARTBEAT_LEASE, lane=sms_lane()).claimed == 0
    assert the_text(session).claimed_by == f"{A.id}/sms"


def test_a_dead_workers_claim_is_taken_by_another_within_30_seconds(session):
    routed_case(session)
    start = now()
    register_worker(session, A, start)
    assert claim_due(session, start, f"{A.id}/sms", 20, HEARTBEAT_LEASE, sms_lane())
    beat(session, A, [f"{A.id}/sms"], start + BEAT_EVERY, HEARTBEAT_LEASE)
    killed = start + BEAT_EVERY + timedelta(seconds=1)  # kill -9 just after a beat: the worst case
    taken_at = None
    for second in range(1, 31):  # worker B passes every second after the kill
        at = killed + timedelta(seconds=second)
        if run_once(session, at, f"{B.id}/sms", gateway=LogGateway(SMS_LOG), lease=HEARTBEAT_LEASE, lane=sms_lane()).claimed:
            taken_at = at
            break
    assert taken_at is not None and taken_at - killed <= HEARTBEAT_LEASE < timedelta(seconds=30)
    text = the_text(session)
    assert (text.status, text.attempts, text.claimed_by) == (OutboxStatus.sent, 1, "")
    heartbeat = session.get(WorkerHeartbeat, A.id, populate_existing=True)
    assert taken_at - heartbeat.beat_at >= HEARTBEAT_LEASE  # the stale heartbeat readiness will see


def test_the_oldest_due_message_age_counts_only_what_is_due(session):
    assert oldest_due_age(session, now()) is None
    routed_case(session)  # a text and a task message, due at once
    start = min(session.scalars(select(OutboxMessage.next_attempt_at)))
    assert oldest_due_age(session, start + timedelta(seconds=90)) == 90
    for message in session.scalars(select(OutboxMessage)):
        message.next_attempt_at = start + timedelta(minutes=10)  # waiting out a backoff
    session.commit()
    assert oldest_due_age(session, start + timedelta(seconds=90)) is None
    assert oldest_due_age(session, start + timedelta(minutes=11)) == 60
