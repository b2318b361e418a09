"""The setting every step of a run acts in — the session, the calendar, the
real ``now``, the period's working days and the demo actors — and the two
ways a run or a case stops short."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo_cases.accounts import load_demo
from portal.demo_cases.people import Resident
from portal.domain.clock import WorkCalendar
from portal.domain.passwords import Passwords
from portal.domain.uploads import FileWrites, UploadStore
from portal.models import Agency, County, Service, User


class DemoCasesError(Exception):
    """The database is not ready for demo cases (no catalog, no calendar…)."""


class NotYet(Exception):
    """The case's next step would happen after ``now`` (or never, for a
    case meant to stay open): it stays where it is."""


@dataclass
class Demo:
    """What every step needs: the session, the calendar, the real ``now``,
    the demo actors, and where files go and how passwords are hashed."""

    session: Session
    calendar: WorkCalendar
    now: datetime
    services: dict[str, Service]
    clerks: dict[County, User]
    officers: dict[int, User]  # by agency id
    residents: list[Resident]
    workdays: list[date]  # the working days of the period, oldest first
    uploads: UploadStore
    passwords: Passwords
    writes: FileWrites | None = None

    def at(self, moment: datetime) -> datetime:
        """``moment``, if it is not after now."""
        if moment > self.now:
            raise NotYet
        return moment


def demo_actors(session: Session, registered_at: datetime, passwords: Passwords) -> tuple[dict[County, User], dict[int, User]]:
    """The demo clerks of both windows and an officer for every agency,
    creating the demo accounts when they are missing."""
    agencies = session.scalars(select(Agency).order_by(Agency.code)).all()
    wanted = ["clerk.cs", "clerk.ys", *(f"officer.{a.code}" for a in agencies)]

    def found() -> dict[str, User]:
        return {u.username: u for u in session.scalars(select(User).where(User.username.in_(wanted)))}

    users = found()
    if len(users) < len(wanted):
        load_demo(session, registered_at, passwords)
        users = found()
    missing = [name for name in wanted if name not in users]
    if missing:
        raise DemoCasesError(f"These demo accounts are missing and cannot be created: {', '.join(missing)}.")
    clerks = {County.changshan: users["clerk.cs"], County.yushan: users["clerk.ys"]}
    return clerks, {a.id: users[f"officer.{a.code}"] for a in agencies}
