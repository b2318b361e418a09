"""What each staff role's landing page shows, scoped to what that user may see."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.catalog import list_agencies, service_outlines
from portal.models import Role, Service, User


def window_overview(session: Session, clerk: User, outlines: list | None = None) -> dict:
    """A clerk's window: its county's agencies, those across the border,
    and the services the window takes in (``outlines``, when the page has
    read them already)."""
    county = clerk.window_county
    services = service_outlines(session) if outlines is None else outlines
    return {
        "county": county,
        "home_agencies": list_agencies(session, county),
        "across_agencies": list_agencies(session, county.across),
        "services": services,
        "by_mode": Counter(s.mode.value for s in services),
    }


def agency_overview(session: Session, officer: User, outlines: list | None = None) -> dict:
    """An officer's agency and the services whose routing reaches its
    department (of ``outlines``, when the page has read them already)."""
    agency = officer.agency
    services = []
    for service in service_outlines(session) if outlines is None else outlines:
        actions = [
            step
            for stage in service.routing
            for step in stage["steps"]
            if step["department"] == agency.department.value
        ]
        if actions:
            services.append((service, actions))
    colleagues = session.scalar(
        select(func.count(User.id)).where(User.agency_id == agency.id, User.active.is_(True))
    )
    return {"agency": agency, "services": services, "colleagues": colleagues}


def centre_overview(session: Session) -> dict:
    """Counts across the whole centre, for supervisors and admins."""
    services = list(session.scalars(select(Service).order_by(Service.position)))
    role_counts = dict(
        session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all()
    )
    return {
        "agencies": list_agencies(session),
        "services": services,
        "by_mode": Counter(s.mode.value for s in services),
        "by_kind": Counter(s.kind.value for s in services),
        "by_department": Counter(s.department.value for s in services),
        "role_counts": {role: role_counts.get(role, 0) for role in Role},
    }


def staff_accounts(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.role != Role.resident).order_by(User.role, User.username)
        )
    )


def demo_accounts_present(session: Session) -> bool:
    return bool(session.scalar(select(User.id).where(User.is_demo.is_(True)).limit(1)))
