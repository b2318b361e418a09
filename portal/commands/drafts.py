"""`flask --app portal drafts sweep`: applications started but never submitted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from portal.db import db
from portal.domain.applications import sweep_drafts
from portal.extensions import upload_store

drafts_cli = AppGroup("drafts", help="Applications started but never submitted.")


@drafts_cli.command("sweep")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1), help="Age of the last change.")
def drafts_sweep(days):
    """Delete drafts untouched for --days and their uploaded files."""
    count, stored = sweep_drafts(db.session, datetime.now(UTC) - timedelta(days=days))
    db.session.commit()
    uploads = upload_store()
    for name in stored:
        uploads.path(name).unlink(missing_ok=True)
    click.echo(f"Drafts removed: {count}; files removed: {len(stored)}.")
