"""The worker running for real, in a thread, against the partner
simulator on loopback: texts leave while a partner hangs, the heartbeat
row is kept fresh, and stopping finishes the message in hand and gives
back the rest."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from portal.db import db
from portal.domain.heartbeats import WorkerIdentity
from portal.domain.schedule import Schedule
from portal.domain.sms import LogGateway
from portal.domain.worker import Worker
from portal.models import OutboxMessage, WorkerHeartbeat
from portal.models.enums import OutboxChannel, OutboxStatus
from tests.factories import wall_clock
from tests.partners import SMS_LOG, routed_case, switch_to_http, wait_for


class Running:
    """A worker on its own thread, passing every 50 ms and beating every 100 ms."""

    def __init__(self, **options):
        self.identity = WorkerIdentity.of_this_process()
        options = {"interval": 0.05, "beat_every": timedelta(seconds=0.1), **options}
        self.worker = Worker(sessionmaker(bind=db.engine), self.identity, gateway=LogGateway(SMS_LOG),
                             schedule=Schedule([], self.identity.id), **options)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 30) -> None:
        self.worker.stop()
        self.thread.join(timeout)
        assert not self.thread.is_alive()


@pytest.fixture
def start_worker(app):
    started = []

    def start(**options) -> Running:
        started.append(Running(**options))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def messages(session, channel) -> list[OutboxMessage]:
    session.rollback()  # a fresh read of what the worker's threads committed
    query = select(OutboxMessage).where(OutboxMessage.channel == channel).order_by(OutboxMessage.created_at, OutboxMessage.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def test_texts_leave_while_a_partner_system_hangs(session, partner_sim, start_worker):
    partner = partner_sim(slow_seconds=6, clock=wall_clock)  # the worker signs with the real time
    switch_to_http(session, partner.tasks_url, timeout=10)
    routed_case(session)
    start_worker()
    wait_for(partner.messages, timeout=10)  # the partner has the task message and hangs on it
    routed_case(session)  # a new text to an applicant, and another message for the hanging partner
    queued = time.monotonic()
    wait_for(lambda: all(m.status is OutboxStatus.sent for m in messages(session, OutboxChannel.sms)), timeout=10)
    waited = time.monotonic() - queued
    # The message in hand is the one the partner received (both were made at
    # the suite's fixed moment, so their creation time does not tell them apart).
    (in_hand_key,) = [m["key"] for m in partner.messages()]
    (first,) = [m for m in messages(session, OutboxChannel.partner) if m.id == in_hand_key]
    assert first.status is OutboxStatus.pending and first.claimed_by.endswith("/partner-" + str(first.agency_id))
    assert waited < 4  # the texts did not wait for the partner's 6 s


def test_the_heartbeat_row_is_refreshed_while_the_worker_runs_and_removed_when_it_stops(session, start_worker):
    running = start_worker()

    def beat_at():
        session.rollback()
        row = session.get(WorkerHeartbeat, running.identity.id, populate_existing=True)
        return row.beat_at if row else None

    first = wait_for(beat_at, timeout=10)
    wait_for(lambda: beat_at() > first, timeout=10)
    running.stop()
    assert beat_at() is None


def test_stopping_finishes_the_message_in_hand_and_gives_back_the_rest(session, partner_sim, start_worker):
    partner = partner_sim(slow_seconds=1.0, clock=wall_clock)  # the worker signs with the real time
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    routed_case(session)
    running = start_worker()
    wait_for(partner.messages, timeout=10)
    running.stop()
    (in_hand_key,) = [m["key"] for m in partner.messages()]  # the creation times tie under the fixed moment
    first, second = sorted(messages(session, OutboxChannel.partner), key=lambda m: m.id != in_hand_key)
    assert first.status is OutboxStatus.sent  # finished though the stop came while it was being sent
    assert (second.status, second.claimed_by, second.claimed_until, second.attempts) == (OutboxStatus.pending, "", None, 0)
    assert len(partner.messages()) == 1
