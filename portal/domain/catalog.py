"""Reading the catalog: services with filters and search, agencies, and
which agencies act on a service in which county."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models import Agency, County, Service


@dataclass(frozen=True)
class CatalogFilter:
    text: str = ""
    department: str | None = None
    county: str | None = None
    mode: str | None = None
    kind: str | None = None


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_services(session: Session, criteria: CatalogFilter) -> list[Service]:
    """Active services in catalog order. Every service is offered at both
    windows, so the county criterion does not narrow the list; it chooses
    whose agencies are shown beside each service."""
    query = select(Service).where(Service.active.is_(True)).order_by(Service.position)
    if criteria.department:
        query = query.where(Service.department == criteria.department)
    if criteria.mode:
        query = query.where(Service.mode == criteria.mode)
    if criteria.kind:
        query = query.where(Service.kind == criteria.kind)
    if criteria.text:
        pattern = _like(criteria.text)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Service.name_zh,
                        Service.name_en,
                        Service.code,
                        Service.summary_zh,
                        Service.summary_en,
                    )
                )
            )
        )
    return list(session.scalars(query))


def find_service(session: Session, code: str) -> Service | None:
    return session.scalar(select(Service).where(Service.code == code, Service.active.is_(True)))


def list_agencies(session: Session, county: County | str | None = None) -> list[Agency]:
    query = select(Agency).order_by(Agency.county, Agency.department)
    if county:
        query = query.where(Agency.county == county)
    return list(session.scalars(query))


def agencies_by_office(session: Session) -> dict[tuple[str, str], Agency]:
    return {(a.county.value, a.department.value): a for a in list_agencies(session)}


def acting_agencies(session: Session, service: Service) -> list[dict]:
    """The routing plan with, for each step, the agencies that may act:
    one per county the selector can resolve to (both, for every selector,
    since applicants and windows may be on either side)."""
    offices = agencies_by_office(session)
    stages = []
    for stage in service.routing:
        steps = []
        for step in stage["steps"]:
            steps.append(
                {
                    **step,
                    "agencies": [
                        offices[(county.value, step["department"])]
                        for county in County
                        if (county.value, step["department"]) in offices
                    ],
                }
            )
        stages.append({**stage, "steps": steps})
    return stages
