"""`flask --app portal worker`: all the background work in one process —
the outbox relay and the periodic jobs (SLA sweep, drafts sweep) — with its
own schedule, so no cron line is needed. Run one or several (on PostgreSQL):
each message is sent by one of them, each periodic run happens once."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy.orm import sessionmaker

from portal.db import db
from portal.domain.heartbeats import WorkerIdentity
from portal.domain.schedule import Schedule, drafts_sweep_job, prune_runs_job, sla_sweep_job
from portal.domain.worker import Worker
from portal.extensions import sms_gateway, upload_store

DAILY = timedelta(days=1)


def worker_schedule(config, worker_id: str) -> Schedule:
    """The periodic jobs, from the configuration."""
    return Schedule(
        [
            sla_sweep_job(timedelta(minutes=config["PORTAL_SLA_SWEEP_MINUTES"])),
            drafts_sweep_job(DAILY, timedelta(days=config["PORTAL_DRAFTS_MAX_DAYS"]), upload_store()),
            prune_runs_job(DAILY),
        ],
        worker_id,
    )


@click.command("worker")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds between passes of each lane.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500), help="Messages a lane claims per pass.")
@click.option("--partner-lanes", default=4, show_default=True, type=click.IntRange(1, 32), help="Partner agencies sent to at once.")
def worker_command(interval, batch, partner_lanes):
    """Deliver the outbox and run the periodic jobs until stopped. SIGTERM
    or Ctrl-C finishes the messages in hand, gives back the rest and exits."""
    if not current_app.logger.level:
        current_app.logger.setLevel(logging.INFO)  # the worker's lines and the log gateway's texts show
    identity = WorkerIdentity.of_this_process()
    worker = Worker(
        sessionmaker(bind=db.engine),
        identity,
        gateway=sms_gateway(),
        schedule=worker_schedule(current_app.config, identity.id),
        interval=interval,
        batch=batch,
        partner_lanes=partner_lanes,
    )
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: worker.stop())
    try:
        worker.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        db.session.remove()
