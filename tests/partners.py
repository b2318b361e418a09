"""Partner-system helpers: the simulator and the portal served on loopback
in threads (free ports), an agency switched to http, a case routed to it,
and one relay pass. conftest.py registers the fixtures."""

from __future__ import annotations

import logging
import socket
import threading
import time
from contextlib import closing

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.domain.clock import WorkCalendar
from portal.domain.dispatch import run_once
from portal.domain.intake import accept_case
from portal.domain.outbox import set_delivery_mode
from portal.domain.sms import LogGateway
from portal.models import Agency, OutboxMessage
from portal.partner_sim import create_app as create_sim
from tests.factories import create_case, create_user, now

SECRET = "sim-secret-0123456789"
AGENCY = "ys-hrss"
SMS_LOG = logging.getLogger("tests.sms")


class Served:
    """A WSGI app on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SimulatorHandle(Served):
    @property
    def sim(self):
        return self.app.extensions["partner_sim"]

    @property
    def tasks_url(self) -> str:
        return self.url + "/tasks"

    def faults(self, **changes):
        self.sim.faults.update(changes)

    def messages(self) -> list[dict]:
        return self.sim.store.messages()

    def tasks(self) -> list[dict]:
        return self.sim.store.tasks()


@pytest.fixture
def partner_sim():
    """Start simulators: ``partner_sim(portal_url="", clock=now, **faults)``;
    all stop at teardown. The simulator checks signatures against ``clock``:
    the suite's fixed moment for a relay run with it, the wall clock when
    the portal signs with its own (a command, a server on loopback)."""
    started = []

    def start(portal_url: str = "", clock=now, **faults) -> SimulatorHandle:
        config = {"AGENCY": AGENCY, "SECRET": SECRET, "PORTAL_URL": portal_url, "CALLBACKS": bool(portal_url),
                  "CALLBACK_DELAY": 0.05}
        config.update({name.upper(): value for name, value in faults.items()})
        handle = SimulatorHandle(create_sim(config))
        handle.sim.clock = clock
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.stop()


@pytest.fixture
def portal_server(app):
    """The portal itself on loopback, for the simulator's callbacks."""
    served = Served(app)
    yield served
    served.stop()


def free_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def switch_to_http(session, url: str, code: str = AGENCY, timeout: int = 5, secret: str = SECRET):
    agency = session.scalar(select(Agency).where(Agency.code == code))
    set_delivery_mode(session, agency, "http", url, secret, timeout, None, now())
    session.commit()
    return agency


def routed_case(session, service: str = "hrss-employment", **facts):
    """A case accepted at the Yushan window for an applicant living in
    Yushan: hrss-employment routes its one task to ys-hrss."""
    facts = {"hukou_county": "yushan", "residence_county": "yushan", **facts}
    case = create_case(session, service, status="submitted", receiving_county="yushan", **facts)
    clerk = create_user(session, "clerk", window_county=case.receiving_county)
    accept_case(session, case, clerk, now(), WorkCalendar.load(session))
    session.commit()
    return case


def partner_messages(session, **where) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.channel == "partner").order_by(OutboxMessage.created_at, OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def relay(session, at=None, relay_id: str = "relay-test", batch: int = 20):
    """One pass of the relay, SMS to a test logger."""
    return run_once(session, at or now(), relay_id, batch, gateway=LogGateway(SMS_LOG))


def wait_for(condition, timeout: float = 30.0, step: float = 0.05, what: str = "condition"):
    """Poll until ``condition()`` is truthy (callbacks arrive on their own
    thread); fail after ``timeout`` seconds, checking once more at the end."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not met within {timeout:g} s")
        time.sleep(step)
