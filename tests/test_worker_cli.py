"""`flask --app portal worker` as its own process, on a temporary SQLite
database: it delivers, runs its periodic jobs, and on SIGTERM finishes the
message in hand, gives back its other claims and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from portal import create_app
from portal.catalog import load_catalog
from portal.db import db
from portal.domain.calendar import seed_calendar
from portal.models import Case, OutboxMessage, PeriodicRun, WorkerHeartbeat
from portal.models.enums import OutboxChannel, OutboxStatus
from tests import factories
from tests.factories import wall_clock
from tests.partners import routed_case, switch_to_http, wait_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def own_database(tmp_path):
    """A fresh SQLite database built by the migrations, with the catalog
    and the calendar: the worker process and the test share it."""
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "PORTAL_UPLOAD_FOLDER": str(tmp_path / "uploads"),
                      "ARGON2_PARAMETERS": factories.FAST_ARGON2})
    with app.app_context():
        flask_migrate.upgrade()
        load_catalog(db.session)
        seed_calendar(db.session, factories.now())
        db.session.commit()
        yield url, db.session
        db.session.remove()
        db.engine.dispose()


def start_worker(url: str, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "test-secret-key",
           "PORTAL_UPLOAD_FOLDER": str(tmp_path / "uploads"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "worker", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def fresh(session, model, *where):
    session.rollback()
    return list(session.scalars(select(model).where(*where).execution_options(populate_existing=True)))


def test_sigterm_finishes_the_message_in_hand_releases_the_rest_and_exits_cleanly(own_database, tmp_path, partner_sim):
    url, session = own_database
    partner = partner_sim(slow_seconds=1.5, clock=wall_clock)  # the worker signs with the real time
    switch_to_http(session, partner.tasks_url)
    routed_case(session)
    routed_case(session)
    worker = start_worker(url, tmp_path)
    try:
        wait_for(partner.messages, timeout=20)  # the first task message is in hand: the partner is answering slowly
        wait_for(lambda: {m.status for m in fresh(session, OutboxMessage, OutboxMessage.channel == OutboxChannel.sms)}
                 == {OutboxStatus.sent}, timeout=20)
        assert fresh(session, WorkerHeartbeat)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Worker stopped" in output
    (in_hand_key,) = [m["key"] for m in partner.messages()]  # the creation times tie under the fixed moment
    partner_side = fresh(session, OutboxMessage, OutboxMessage.channel == OutboxChannel.partner)
    first, second = sorted(partner_side, key=lambda m: m.id != in_hand_key)
    assert first.status is OutboxStatus.sent
    assert (second.status, second.claimed_by, second.claimed_until) == (OutboxStatus.pending, "", None)
    assert all(m.claimed_by == "" for m in fresh(session, OutboxMessage))
    assert fresh(session, WorkerHeartbeat) == []
    assert {run.job for run in fresh(session, PeriodicRun)} == {"sla-sweep", "drafts-sweep", "prune-runs"}
    texts = fresh(session, OutboxMessage, OutboxMessage.channel == OutboxChannel.sms)
    assert "Texts: 2 claimed: 2 sent" in output or output.count("SMS to") == 2
    for text in texts:  # the log gateway's lines show neither the mobile number nor the query code
        assert text.payload["mobile"] not in output and session.get(Case, text.case_id).query_code not in output
