"""The worker: one process doing all the background work — the outbox
relay (messages to partner systems, texts to applicants) and the periodic
jobs of ``domain.schedule`` — so nothing needs cron.

**Lanes.** Texts to applicants and each partner agency's messages are sent
in separate lanes, each claiming only its own messages (``dispatch.sms_lane``,
``partner_lane``):

- one thread sends the texts, pass after pass; nothing a partner does can
  hold it up;
- a bounded pool (``partner_lanes`` threads) sends partner messages, at
  most one pass per agency at a time, so a partner that hangs takes one
  thread for at most its timeout (1–60 s plus 3 s to connect), while the
  other agencies go on in the other threads;
- one thread runs the periodic jobs, so a long sweep delays no message;
- one thread beats: every ``BEAT_EVERY`` it refreshes the worker's
  heartbeat row and renews the lease of every message the lanes hold.

Threads were chosen over one process per lane (or an async loop) because
the work is waiting on the network and the database, which threads do
well in Python, and one process keeps one heartbeat, one signal handler
and one thing to supervise; a bounded pool rather than a thread per
agency keeps the number of database connections known.

**Leases.** A lane's claim lasts ``HEARTBEAT_LEASE`` (20 s) and the
heartbeat renews it every 5 s while the message is in hand, however long
the partner takes to answer. A worker killed outright stops renewing:
within 20 s its claims lapse and the next pass of any other worker takes
them (the partner recognises a resent message by its Idempotency-Key).

**Stopping.** ``stop()`` (SIGTERM, Ctrl-C) lets every lane finish the
message in hand, gives back what was claimed but not sent, and removes the
heartbeat row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.domain.dispatch import (
    HEARTBEAT_LEASE,
    agencies_with_due_messages,
    partner_lane,
    release_claims,
    run_once,
    sms_lane,
)
from portal.domain.heartbeats import BEAT_EVERY, WorkerIdentity, beat, register_worker, unregister_worker
from portal.domain.schedule import Schedule
from portal.domain.sms import Gateway

log = logging.getLogger("portal.worker")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        sessions: Callable[[], Session],
        identity: WorkerIdentity,
        *,
        gateway: Gateway,
        schedule: Schedule,
        clock: Callable[[], datetime] = utc_now,
        interval: float = 2.0,
        batch: int = 20,
        partner_lanes: int = 4,
        lease: timedelta = HEARTBEAT_LEASE,
        beat_every: timedelta = BEAT_EVERY,
    ):
        self.sessions, self.identity, self.gateway, self.schedule = sessions, identity, gateway, schedule
        self.clock, self.interval, self.batch, self.partner_lanes = clock, interval, batch, partner_lanes
        self.lease, self.beat_every = lease, beat_every
        self.stopping = threading.Event()  # the lanes stop taking new work
        self._beating = threading.Event()  # the heartbeat goes on until the lanes are done
        self._lock = threading.Lock()
        self._relay_ids: set[str] = set()  # every lane's name, for the claims given back at the end
        self._in_hand: set[str] = set()  # the lanes in a pass now, whose leases the heartbeat renews
        self._busy: set[int | None] = set()  # agencies with a pass in the pool

    # -- lanes' names: unique to this worker, one per lane, so a lane gives
    # back only its own claims and the heartbeat renews all of them.
    def relay_id(self, lane: str) -> str:
        relay_id = f"{self.identity.id}/{lane}"
        with self._lock:
            self._relay_ids.add(relay_id)
        return relay_id

    def relay_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._relay_ids)

    def in_hand(self) -> list[str]:
        with self._lock:
            return sorted(self._in_hand)

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        """Work until ``stop()``; returns once everything is given back."""
        with self.sessions() as session:
            register_worker(session, self.identity, self.clock())
        heartbeat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heartbeat.start()
        lanes = [
            threading.Thread(target=self._sms_lane, name="sms-lane", daemon=True),
            threading.Thread(target=self._periodic, name="periodic", daemon=True),
        ]
        for thread in lanes:
            thread.start()
        log.info(
            "Worker started: texts in their own lane, %d partner lane(s), a pass every %g s, leases of %d s.",
            self.partner_lanes, self.interval, self.lease.total_seconds(),
        )
        with ThreadPoolExecutor(self.partner_lanes, thread_name_prefix="partner-lane") as pool:
            self._dispatch_partners(pool)
        for thread in lanes:
            thread.join()
        self._beating.set()
        heartbeat.join()
        with self.sessions() as session:
            for relay_id in self.relay_ids():
                release_claims(session, relay_id)
            unregister_worker(session, self.identity)
        log.info("Worker stopped; its claims were given back.")

    def _guarded(self, what: str, step: Callable[[Session], object]) -> object:
        """One step on a fresh session; a failure is logged (by its class:
        a database error's text can carry a row's values) and the loop goes on."""
        try:
            with self.sessions() as session:
                return step(session)
        except OperationalError as error:
            log.warning("%s: the database did not answer (%s); trying again.", what, error.__class__.__name__)
        except Exception as error:
            log.error("%s failed (%s); trying again.", what, error.__class__.__name__)
        return None

    def _pass(self, session: Session, relay_id: str, lane, what: str) -> int:
        with self._lock:
            self._in_hand.add(relay_id)
        try:
            report = run_once(
                session, self.clock(), relay_id, self.batch, gateway=self.gateway,
                stop=self.stopping.is_set, lease=self.lease, lane=lane,
            )
        finally:
            # A pass that failed half-way is renewed no more: what it still
            # holds lapses with its lease and any worker takes it again.
            with self._lock:
                self._in_hand.discard(relay_id)
        if report.claimed:
            log.info("%s: %s", what, report)
        return report.claimed

    def _sms_lane(self) -> None:
        relay_id = self.relay_id("sms")
        while not self.stopping.is_set():
            claimed = self._guarded("Texts", lambda s: self._pass(s, relay_id, sms_lane(), "Texts"))
            if not claimed or claimed < self.batch:  # a full batch means more are waiting: go on at once
                self.stopping.wait(self.interval)

    def _partner_pass(self, agency_id: int | None) -> None:
        relay_id = self.relay_id(f"partner-{agency_id or 0}")
        what = f"Partner lane of agency {agency_id}"
        try:
            while not self.stopping.is_set():
                claimed = self._guarded(what, lambda s: self._pass(s, relay_id, partner_lane(agency_id), what))
                if not claimed or claimed < self.batch:
                    break
        finally:
            with self._lock:
                self._busy.discard(agency_id)

    def _dispatch_partners(self, pool: ThreadPoolExecutor) -> None:
        while not self.stopping.is_set():
            due = self._guarded("Partner lanes", lambda s: agencies_with_due_messages(s, self.clock())) or []
            for agency_id in due:
                with self._lock:
                    if agency_id in self._busy or len(self._busy) >= self.partner_lanes:
                        continue
                    self._busy.add(agency_id)
                pool.submit(self._partner_pass, agency_id)
            self.stopping.wait(self.interval)

    def _periodic(self) -> None:
        while not self.stopping.is_set():
            self._guarded("Periodic jobs", lambda s: self.schedule.run_due(s, self.clock))
            self.stopping.wait(self.interval)

    def _heartbeat(self) -> None:
        while True:
            self._guarded("Heartbeat", lambda s: beat(s, self.identity, self.in_hand(), self.clock(), self.lease))
            if self._beating.wait(self.beat_every.total_seconds()):
                return
