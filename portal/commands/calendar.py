"""`flask --app portal calendar …`: seed, show a month, compute a deadline,
import an official schedule. The output forms are a contract scripts use."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.db import db
from portal.domain import DomainError
from portal.domain.calendar import import_schedule, month_days, parse_schedule, seed_calendar
from portal.domain.clock import SHANGHAI, WorkCalendar, deadline

calendar_cli = AppGroup("calendar", help="The working-day calendar.")


def _now() -> datetime:
    return datetime.now(UTC)


@calendar_cli.command("seed")
def seed():
    """Load the years the chinesecalendar package knows and estimate the next."""
    report = seed_calendar(db.session, _now())
    db.session.commit()
    click.echo(
        f"Calendar seeded: {report.added} days added, {report.updated} updated, "
        f"{report.kept} kept, {report.admin_kept} set by an administrator kept."
    )
    if report.provisional_years:
        click.echo(
            "provisional: " + ", ".join(str(y) for y in report.provisional_years)
            + " estimated; import the official schedule when it is published."
        )


@calendar_cli.command("deadline")
@click.option("--from", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Acceptance date.")
@click.option("--workdays", required=True, type=click.IntRange(min=0), help="Working days promised.")
def show_deadline(start, workdays):
    """Print the due date of work accepted on --from with --workdays to do."""
    calendar = WorkCalendar.load(db.session)
    accepted_at = datetime.combine(start.date(), time(12, 0), tzinfo=SHANGHAI)
    due = deadline(calendar, accepted_at, workdays)
    click.echo(due.due_date.isoformat())
    if due.provisional:
        years = sorted(y for y in calendar.provisional_years() if start.year <= y <= due.due_date.year)
        click.echo(
            "provisional: the official schedule for "
            + ", ".join(str(y) for y in years)
            + " has not been loaded; this date may move."
        )


@calendar_cli.command("show")
@click.argument("month", metavar="YYYY-MM")
def show_month(month):
    """Print each day of a month with its kind and name."""
    try:
        year, number = (int(part) for part in month.split("-"))
        date(year, number, 1)
    except ValueError:
        click.echo("Give the month as YYYY-MM, e.g. 2026-10.", err=True)
        sys.exit(2)
    days = month_days(db.session, year, number)
    if not days:
        click.echo(f"No calendar days loaded for {month}; run `flask --app portal calendar seed`.", err=True)
        sys.exit(1)
    for day in days:
        line = f"{day.day.isoformat()} {day.day.strftime('%a')} {day.kind.value:<8} {'workday' if day.workday else 'rest':<7}"
        if day.name:
            line += f" {day.name}"
        click.echo(line.rstrip())


@calendar_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(path: Path):
    """Load an official schedule (CSV date,workday,name or JSON) and mark its years official."""
    try:
        schedule = parse_schedule(path.read_text(encoding="utf-8"), path.name)
        report = import_schedule(db.session, schedule, None, _now())
    except (DomainError, UnicodeDecodeError) as error:
        db.session.rollback()
        click.echo(f"Not imported: {getattr(error, 'message', error)}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Imported {report.days} days; official now: {', '.join(str(y) for y in report.years)}. "
        f"Open cases whose due date moved: {report.cases_moved}."
    )
