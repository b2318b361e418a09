"""Command-line entry points: catalog, accounts, demo data."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from portal.calendar_cli import calendar_cli
from portal.catalog import CATALOG_FILE, CatalogError, load_catalog
from portal.db import db
from portal.demo import load_demo, remove_demo
from portal.domain import DomainError
from portal.domain.accounts import create_staff
from portal.domain.calendar import seed_calendar
from portal.extensions import password_hasher, upload_store
from portal.models import County, Role
from portal.routing_cli import routing_cli

catalog_cli = AppGroup("catalog", help="The agencies and services of the window.")
users_cli = AppGroup("users", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo accounts for trying the portal.")
drafts_cli = AppGroup("drafts", help="Applications started but never submitted.")
agencies_cli = AppGroup("agencies", help="The agencies cases are routed to.")


def _set_agency_active(code: str, active: bool) -> None:
    from sqlalchemy import select

    from portal.models import Agency

    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        click.echo(f"No agency has the code {code!r}.", err=True)
        sys.exit(1)
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
    from sqlalchemy import select

    from portal.domain.outbox import set_delivery_mode
    from portal.models import Agency

    if bool(url) == bool(to_portal):
        click.echo("Give either --http URL or --portal.", err=True)
        sys.exit(2)
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        click.echo(f"No agency has the code {code!r}.", err=True)
        sys.exit(1)
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


@drafts_cli.command("sweep")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1), help="Age of the last change.")
def drafts_sweep(days):
    """Delete drafts untouched for --days and their uploaded files."""
    from datetime import timedelta

    from portal.domain.applications import sweep_drafts

    count, stored = sweep_drafts(db.session, datetime.now(UTC) - timedelta(days=days))
    db.session.commit()
    uploads = upload_store()
    for name in stored:
        uploads.path(name).unlink(missing_ok=True)
    click.echo(f"Drafts removed: {count}; files removed: {len(stored)}.")


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
    import random
    import time

    from portal.demo_cases import DemoCasesError, generate_cases

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


@click.command("setup")
@with_appcontext
@click.option(
    "--demo-cases", default=0, show_default=True, type=click.IntRange(min=0, max=5000),
    help="Outside production, generate this many past cases when the database has none (make run: 400).",
)
def setup_command(demo_cases):
    """Load the catalog and the calendar and, outside production, the demo
    accounts (and, asked for, demo cases of the last 90 days)."""
    report = load_catalog(db.session)
    seeded = seed_calendar(db.session, datetime.now(UTC))
    created = []
    if current_app.config["PORTAL_ENV"] != "production":
        created = load_demo(db.session, datetime.now(UTC), password_hasher())
    db.session.commit()
    click.echo(
        f"Catalog: {len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged. Calendar: {seeded.added} days added, "
        f"{seeded.kept + seeded.updated + seeded.admin_kept} kept. Demo accounts created: {len(created)}."
    )
    if demo_cases and current_app.config["PORTAL_ENV"] != "production":
        from sqlalchemy import select

        from portal.demo_cases import generate_cases
        from portal.models import Case

        if db.session.scalar(select(Case.id).limit(1)) is None:
            click.echo(f"Generating {demo_cases} demo cases of the last 90 days (once; `demo remove` deletes them)…")
            generated = generate_cases(
                db.session, datetime.now(UTC), cases=demo_cases, days=90, seed=2026,
                uploads=upload_store(), passwords=password_hasher(),
            )
            click.echo("\n".join(generated.lines()))


def init_app(app) -> None:
    app.cli.add_command(catalog_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(drafts_cli)
    app.cli.add_command(routing_cli)
    app.cli.add_command(agencies_cli)
