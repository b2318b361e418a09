"""`flask --app portal agencies …`: whether an agency takes cases, and how
it receives its tasks."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.db import db
from portal.domain import DomainError
from portal.domain.outbox import set_delivery_mode
from portal.models import Agency

agencies_cli = AppGroup("agencies", help="The agencies cases are routed to.")


def _agency_or_exit(code: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        click.echo(f"No agency has the code {code!r}.", err=True)
        sys.exit(1)
    return agency


def _set_agency_active(code: str, active: bool) -> None:
    agency = _agency_or_exit(code)
    agency.active = active
    db.session.commit()
    click.echo(f"{agency.code} {agency.name_zh}: {'active' if active else 'not taking cases'}.")


@agencies_cli.command("deactivate")
@click.argument("code")
def agencies_deactivate(code):
    """Stop routing cases to an agency (its open tasks can be transferred)."""
    _set_agency_active(code, False)


@agencies_cli.command("activate")
@click.argument("code")
def agencies_activate(code):
    """Route cases to an agency again."""
    _set_agency_active(code, True)


@agencies_cli.command("delivery")
@click.argument("code")
@click.option("--http", "url", metavar="URL", help="Push tasks to the agency's own system at this address.")
@click.option("--portal", "to_portal", is_flag=True, help="Back to the portal: officers work the queue here.")
@click.option("--secret", help="Signing secret shared with the agency's system (16+ characters; kept when omitted).")
@click.option("--timeout", type=int, help="Seconds the system has to answer, 1–60 (kept when omitted).")
def agencies_delivery(code, url, to_portal, secret, timeout):
    """How an agency receives its tasks: in the portal's queue, or pushed to
    its own system over signed HTTP (open tasks are pushed at once)."""
    if bool(url) == bool(to_portal):
        click.echo("Give either --http URL or --portal.", err=True)
        sys.exit(2)
    agency = _agency_or_exit(code)
    try:
        change = set_delivery_mode(
            db.session, agency, "portal" if to_portal else "http", url or agency.endpoint_url,
            agency.signing_secret if secret is None else secret,
            agency.timeout_seconds if timeout is None else timeout, None, datetime.now(UTC),
        )
    except DomainError as error:
        db.session.rollback()
        for each in getattr(error, "errors", [error]):
            click.echo(f"Not changed: {each.field}: {each.message}", err=True)
        sys.exit(1)
    db.session.commit()
    if to_portal:
        click.echo(f"{agency.code} {agency.name_zh}: portal queue; {change.abandoned} undelivered message(s) abandoned.")
    else:
        click.echo(
            f"{agency.code} {agency.name_zh}: http → {agency.endpoint_url} (answer within {agency.timeout_seconds} s); "
            f"{change.enqueued} open task(s) queued for its system."
        )
