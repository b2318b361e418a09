"""`flask --app portal routing plan`: where every service goes, per window
and applicant, as the routing engine resolves it."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.db import db
from portal.domain.routing import resolve_plan
from portal.models import Agency, Case, County, Service

routing_cli = AppGroup("routing", help="The routing plans of the services.")

APPLICANTS = {
    "changshan": {"hukou_county": "changshan", "residence_county": "changshan", "business_county": "changshan"},
    "yushan": {"hukou_county": "yushan", "residence_county": "yushan", "business_county": "yushan"},
    "elsewhere": {"hukou_county": "elsewhere", "residence_county": "changshan", "business_county": "changshan"},
}


@routing_cli.command("plan")
@click.option("--window", type=click.Choice([c.value for c in County]), default="changshan", show_default=True)
@click.option(
    "--applicant", "applicants", multiple=True, type=click.Choice(list(APPLICANTS)), help="Repeatable; default Changshan and Yushan."
)
def plan(window, applicants):
    """Print each service's stages with the agencies they reach."""
    applicants = applicants or ("changshan", "yushan")
    names = {(a.county, a.department.value): a.name_zh for a in db.session.scalars(select(Agency))}
    for service in db.session.scalars(select(Service).order_by(Service.position)):
        click.echo(f"{service.code} {service.name_zh}")
        for applicant in applicants:
            # A transient case: resolving needs its facts, nothing is stored.
            case = Case(service=service, receiving_county=County(window), **APPLICANTS[applicant])
            stages: dict[int, list[str]] = {}
            for step in resolve_plan(case):
                label = names[(step.county, step.department)] + ("（兜底核验）" if step.fallback else "")
                stages.setdefault(step.stage, []).append(label)
            route = " → ".join(" + ".join(agencies) for _, agencies in sorted(stages.items()))
            click.echo(f"  {applicant:<10} {route}")
        db.session.expunge_all()
