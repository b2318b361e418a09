"""`flask --app portal sla …`: the overdue sweep and the dashboard's tallies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
from flask.cli import AppGroup

from portal.db import db, tidy_tables
from portal.domain.alerts import sweep
from portal.domain.clock import WorkCalendar
from portal.domain.tallies import rebuild_tallies
from portal.models import CaseTally, TallyValue

sla_cli = AppGroup("sla", help="The three-working-day clock: alerts and dashboard tallies.")


@sla_cli.command("sweep")
def sla_sweep():
    """Alert whoever must act on work that became due within 1 working day
    or overdue since the last run. Safe to run every few minutes, and from
    two processes at once: each alert is raised once."""
    now = datetime.now(UTC)
    result = sweep(db.session, WorkCalendar.load(db.session), now)
    db.session.commit()
    click.echo(f"{result.task_alerts} task alert(s), {result.case_alerts} case alert(s) raised.")


@sla_cli.command("rebuild")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only cases received on or after this day.")
def sla_rebuild(since):
    """Rebuild the dashboard's daily tallies from the cases (after a bulk
    load or a repair; the lifecycle keeps them current otherwise)."""
    since_day: date | None = since.date() if since else None
    rows = rebuild_tallies(db.session, since_day)
    db.session.commit()
    tidy_tables(db.engine, CaseTally.__table__, TallyValue.__table__)
    click.echo(f"{rows} tally row(s) in place.")
