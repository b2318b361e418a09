"""Reading the catalog: services with filters and search, agencies, and
which agencies act on a service in which county."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, defer

from portal import labels
from portal.models import Agency, County, Service


@dataclass(frozen=True)
class CatalogFilter:
    text: str = ""
    department: str | None = None
    county: str | None = None
    mode: str | None = None
    kind: str | None = None


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
    services = list(session.scalars(query))
    if criteria.text:
        services = [s for s in services if matches(s, criteria.text)]
    return services


# Loader options for a list that names each case's service: the service's
# row without its fields, materials and routing, JSON no list shows
# (decoding them was a tenth of the officer's queue).
LISTED_SERVICE = (defer(Service.fields), defer(Service.materials), defer(Service.routing))


def service_outlines(session: Session) -> list[Row]:
    """Code, names, mode, promise and routing of each active service, in
    catalog order: what staff pages' filters and overviews show, without
    decoding every service's fields and materials."""
    return list(
        session.execute(
            select(Service.code, Service.name_zh, Service.name_en, Service.mode, Service.promise_workdays, Service.routing)
            .where(Service.active.is_(True))
            .order_by(Service.position)
        )
    )


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _in_order(needle: str, haystack: str) -> bool:
    """Every character of needle appears in haystack, in order: 户口迁移 finds 户口跨省迁移."""
    position = 0
    for ch in needle:
        position = haystack.find(ch, position) + 1
        if position == 0:
            return False
    return True


def matches(service: Service, text: str) -> bool:
    """A search term matches a service by name, code, summary or department,
    in either language; Chinese terms may skip characters of the name."""
    term = " ".join(text.split()).casefold()
    department = labels.DEPARTMENT_NAMES_ALL.get(service.department.value, ())
    haystacks = [service.name_zh, service.name_en, service.code, service.summary_zh, service.summary_en, *department]
    if any(term in h.casefold() for h in haystacks):
        return True
    return _is_cjk(term) and len(term) >= 2 and _in_order(term.replace(" ", ""), service.name_zh)


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
