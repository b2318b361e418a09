"""`flask --app portal backup create|restore FOLDER`: the database and the
uploaded files together (portal/backups.py says what a backup holds)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.backups import BackupError, create_backup, restore_backup
from portal.db import db

backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded files together.")


def _uploads() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_FOLDER"])


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_create(folder: Path):
    """Write a backup into FOLDER (new or empty)."""
    try:
        report = create_backup(db.engine, _uploads(), folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up the {report.dialect} database (revision {report.revision}) "
        f"and {report.files} files ({report.bytes:,} bytes) to {folder}."
    )


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def backup_restore(folder: Path):
    """Restore FOLDER into the configured, empty database and upload folder."""
    try:
        report = restore_backup(db.engine, _uploads(), folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the {report.dialect} database (revision {report.revision}) and {report.files} files ({report.bytes:,} bytes).")
