"""`flask --app portal users create`: staff accounts."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from portal.db import db
from portal.domain import DomainError
from portal.domain.accounts import create_staff
from portal.extensions import password_hasher
from portal.models import County, Role

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "real_name", required=True, help="Real name shown to colleagues.")
@click.option("--role", type=click.Choice([r.value for r in Role if r.is_staff]), required=True)
@click.option("--window", type=click.Choice([c.value for c in County]), help="Clerks: the window's county.")
@click.option("--agency", "agency_code", help="Officers: the agency code, e.g. cs-psb.")
@click.password_option(help="At least 8 characters; prompted for when omitted.")
def users_create(username, real_name, role, window, agency_code, password):
    """Create a staff account (clerk, officer, supervisor or admin)."""
    try:
        user = create_staff(
            db.session,
            username=username,
            real_name=real_name,
            role=Role(role),
            password=password,
            passwords=password_hasher(),
            window_county=County(window) if window else None,
            agency_code=agency_code,
            now=datetime.now(UTC),
        )
    except DomainError as error:
        db.session.rollback()
        click.echo(f"Not created: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.username}.")
