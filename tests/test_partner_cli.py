"""The partner commands: switching an agency's delivery, the relay, and the
simulator started as its own process."""

import os
import signal
import subprocess
import sys
import threading
import time

import requests
from sqlalchemy import select

from portal.db import db
from portal.models import Agency, OutboxMessage
from portal.models.enums import DeliveryMode, OutboxStatus
from tests.factories import wall_clock
from tests.partners import AGENCY, SECRET, free_port, routed_case


def agency(app):
    with app.app_context():
        found = db.session.scalar(select(Agency).where(Agency.code == AGENCY))
        db.session.expunge(found)
        return found


def test_agencies_delivery_switches_to_http_and_back(app, runner):
    with app.app_context():
        routed_case(db.session)
    result = runner.invoke(args=["agencies", "delivery", AGENCY, "--http", "https://hrss.yushan.test/tasks", "--secret", SECRET])
    assert result.exit_code == 0, result.output
    assert "1 open task(s) queued" in result.output
    assert agency(app).delivery_mode is DeliveryMode.http and agency(app).timeout_seconds == 10
    result = runner.invoke(args=["agencies", "delivery", AGENCY, "--portal"])
    assert result.exit_code == 0 and "1 undelivered message(s) abandoned" in result.output
    assert agency(app).delivery_mode is DeliveryMode.portal


def test_agencies_delivery_refuses_what_it_cannot_use(app, runner):
    result = runner.invoke(args=["agencies", "delivery", AGENCY, "--http", "https://hrss.yushan.test/tasks", "--secret", "short"])
    assert result.exit_code == 1 and "signing_secret" in result.output
    assert runner.invoke(args=["agencies", "delivery", AGENCY]).exit_code == 2
    assert runner.invoke(args=["agencies", "delivery", "xx-none", "--portal"]).exit_code == 1
    assert agency(app).delivery_mode is DeliveryMode.portal


def test_dispatch_run_once_delivers_what_is_due(app, runner, partner_sim):
    partner = partner_sim(clock=wall_clock)  # the command signs at the real time
    assert runner.invoke(args=["agencies", "delivery", AGENCY, "--http", partner.tasks_url, "--secret", SECRET]).exit_code == 0
    with app.app_context():
        routed_case(db.session)
    result = runner.invoke(args=["dispatch", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 claimed: 2 sent" in result.output  # the task message and the applicant's text
    assert len(partner.tasks()) == 1


def test_dispatch_run_loops_until_sigterm_and_stops_cleanly(app, runner):
    with app.app_context():
        routed_case(db.session)
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.8, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    result = runner.invoke(args=["dispatch", "run", "--interval", "0.2"])
    assert result.exit_code == 0, result.output
    assert "stopped" in result.output and time.monotonic() - started < 10
    with app.app_context():
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.sent}
    assert signal.getsignal(signal.SIGTERM) == before  # the command gave its handler back


def test_the_simulator_runs_as_its_own_process_and_refuses_unsigned_messages():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.partner_sim", "--port", str(port), "--secret", SECRET, "--no-callbacks"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status = requests.get(base + "/", timeout=1).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("the simulator did not start")
        assert status["agency"] == AGENCY and status["faults"]["callbacks"] is False
        assert requests.post(base + "/tasks", json={"task": {"id": 1}}, timeout=2).status_code == 401
        changed = requests.post(base + "/control", json={"fail_times": 2}, timeout=2).json()
        assert changed["fail_times"] == 2
    finally:
        process.terminate()
        process.wait(10)
