"""`flask --app portal catalog load`: the agencies and services as data."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.catalog import CATALOG_FILE, CatalogError, load_catalog
from portal.db import db

catalog_cli = AppGroup("catalog", help="The agencies and services of the window.")


@catalog_cli.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def catalog_load(path):
    """Load (upsert by code) the catalog file; defaults to the packaged one."""
    try:
        report = load_catalog(db.session, path or CATALOG_FILE)
    except CatalogError as error:
        db.session.rollback()
        click.echo("Catalog not loaded; nothing was changed:", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    db.session.commit()
    if not report.changed:
        click.echo(f"Catalog unchanged ({report.unchanged} entries already up to date).")
        return
    click.echo(
        f"Catalog loaded: {len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged."
    )
    for code in report.updated:
        click.echo(f"  updated {code}")
