"""`flask --app portal setup`: everything a fresh database needs to be tried."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.catalog import load_catalog
from portal.db import db
from portal.demo_cases import generate_cases
from portal.demo_cases.accounts import load_demo
from portal.demo_cases.phrases import load_demo_phrases
from portal.domain.calendar import seed_calendar
from portal.extensions import password_hasher, upload_store
from portal.models import Case


@click.command("setup")
@with_appcontext
@click.option(
    "--demo-cases", default=0, show_default=True, type=click.IntRange(min=0, max=5000),
    help="Outside production, generate this many past cases when the database has none (make run: 400).",
)
def setup_command(demo_cases):
    """Load the catalog and the calendar and, outside production, the demo
    accounts and phrases (and, asked for, demo cases of the last 90 days)."""
    production = current_app.config["PORTAL_ENV"] == "production"
    now = datetime.now(UTC)
    report = load_catalog(db.session)
    seeded = seed_calendar(db.session, now)
    created = [] if production else load_demo(db.session, now, password_hasher())
    phrases = 0 if production else load_demo_phrases(db.session)
    db.session.commit()
    click.echo(
        f"Catalog: {len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged. Calendar: {seeded.added} days added, "
        f"{seeded.kept + seeded.updated + seeded.admin_kept} kept. Demo accounts created: {len(created)}. "
        f"Demo phrases added: {phrases}."
    )
    if demo_cases and not production and db.session.scalar(select(Case.id).limit(1)) is None:
        click.echo(f"Generating {demo_cases} demo cases of the last 90 days (once; `demo remove` deletes them)…")
        generated = generate_cases(
            db.session, now, cases=demo_cases, days=90, seed=2026, uploads=upload_store(), passwords=password_hasher()
        )
        click.echo("\n".join(generated.lines()))
