"""`flask --app portal demo …`: the demo accounts and generated demo cases."""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from portal.db import db
from portal.demo_cases import DemoCasesError, generate_cases
from portal.demo_cases.accounts import load_demo, remove_demo
from portal.extensions import password_hasher, upload_store

demo_cli = AppGroup("demo", help="Demo accounts for trying the portal.")


@demo_cli.command("load")
def demo_load():
    """Create the demo accounts listed in README, when missing."""
    created = load_demo(db.session, datetime.now(UTC), password_hasher())
    db.session.commit()
    click.echo(f"Demo accounts: {len(created)} created." if created else "Demo accounts already present.")


@demo_cli.command("remove")
def demo_remove():
    """Delete every demo account and the cases they applied for or handled
    (required before production)."""
    removed, cases, stored = remove_demo(db.session)
    db.session.commit()
    uploads = upload_store()
    for name in stored:
        uploads.path(name).unlink(missing_ok=True)
    click.echo(f"Demo accounts removed: {removed}; demo cases removed: {cases}.")


@demo_cli.command("generate")
@click.option("--cases", default=400, show_default=True, type=click.IntRange(min=1, max=100_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(min=1, max=3650), help="Spread over the past days.")
@click.option("--seed", type=int, help="Same seed, same cases; random (and printed) when omitted.")
def demo_generate(cases, days, seed):
    """Fill the database with realistic cases of the past days, run through the real workflow."""
    if current_app.config["PORTAL_ENV"] == "production":
        click.echo("Refused: demo cases are never generated in production.", err=True)
        sys.exit(1)
    seed = random.SystemRandom().randrange(1_000_000) if seed is None else seed
    started = time.perf_counter()
    try:
        report = generate_cases(
            db.session, datetime.now(UTC), cases=cases, days=days, seed=seed, uploads=upload_store(), passwords=password_hasher()
        )
    except DemoCasesError as error:
        db.session.rollback()
        click.echo(f"No cases generated: {error}", err=True)
        sys.exit(1)
    click.echo("\n".join(report.lines()))
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")
