"""`flask --app portal dispatch run`: the relay delivering the outbox."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from portal.db import db
from portal.domain.dispatch import run_once
from portal.extensions import sms_gateway

dispatch_cli = AppGroup("dispatch", help="Deliver outbox messages to partner systems and the SMS gateway.")


def relay_name() -> str:
    """Unique per process and start: a restarted relay never mistakes an
    old claim for its own."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dispatch_cli.command("run")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a test).")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds between passes.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500), help="Messages claimed per pass.")
def dispatch_run(once, interval, batch):
    """Deliver due messages, pass after pass. Several relays may run at
    once; each message is delivered by one of them at a time. Ctrl-C or
    SIGTERM finishes the message being sent and exits."""
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    relay_id = relay_name()
    if not current_app.logger.level:
        current_app.logger.setLevel(logging.INFO)  # the log gateway's texts show in the relay's output
    gateway = sms_gateway()
    click.echo(f"Relay {relay_id}: delivering every {interval:g} s, {batch} per pass." if not once else f"Relay {relay_id}: one pass.")
    try:
        while not stop.is_set():
            try:
                report = run_once(db.session, datetime.now(UTC), relay_id, batch, gateway=gateway, stop=stop.is_set)
            except OperationalError as error:
                # The database is away for a moment: nothing was lost, try again later.
                db.session.rollback()
                click.echo(f"Pass failed, the database did not answer ({error.__class__.__name__}); trying again.", err=True)
                if once:
                    raise SystemExit(1) from None
                stop.wait(interval)
                continue
            if report.claimed or once:
                click.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z {report}")
            if once:
                break
            if report.claimed < batch:  # a full batch means more are waiting: go on at once
                stop.wait(interval)
    finally:
        db.session.remove()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if not once:
        click.echo(f"Relay {relay_id} stopped.")
