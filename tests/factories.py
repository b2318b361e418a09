"""Factory functions for tests: ``create_user(session, "clerk", window_county=...)``."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from stdnum.cn import ric

from portal.domain.accounts import create_staff, register_resident
from portal.domain.passwords import Passwords
from portal.models import County, Role

PASSWORD = "correct-horse-42"
# The second factor every supervisor and admin made here is enrolled with
# (login_as completes the code step with it); enrolled=False leaves one unenrolled.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Cheap argon2 parameters, for the app under test and for accounts made here.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PASSWORDS = Passwords(**FAST_ARGON2)
_sequence = itertools.count(1)


def valid_id_number(region: str = "330822", birth: str = "19900101", serial: int | None = None) -> str:
    serial = next(_sequence) % 1000 if serial is None else serial
    body = f"{region}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile_number() -> str:
    return f"138{next(_sequence):08d}"


# Monday 2 November 2026, 10:00 in Shanghai: a working day the calendar library knows.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def now() -> datetime:
    """The suite's fixed moment: what factories and tests default to, so no
    result depends on the day the suite runs."""
    return NOW


def wall_clock() -> datetime:
    """The real time, only for inputs the portal compares with a clock it
    reads itself: a view or a server on loopback takes ``datetime.now()``,
    so a signature it checks for freshness, or a due date it shows as
    overdue or not, must be relative to that. Say why at each use."""
    return datetime.now(UTC)


def create_user(session, role: str = "resident", **overrides):
    role = Role(role)
    n = next(_sequence)
    if role is Role.resident:
        fields = {
            "real_name": "测试居民",
            "id_number": valid_id_number(),
            "mobile": mobile_number(),
            "password": PASSWORD,
            "passwords": PASSWORDS,
            "now": now(),
        }
        fields.update(overrides)
        return register_resident(session, **fields)
    enrolled = overrides.pop("enrolled", role in (Role.supervisor, Role.admin))
    fields = {
        "username": f"{role.value}{n}",
        "real_name": f"测试{role.value}",
        "role": role,
        "password": PASSWORD,
        "passwords": PASSWORDS,
        "now": now(),
    }
    if role is Role.clerk:
        fields["window_county"] = County.changshan
    if role is Role.officer:
        fields["agency_code"] = "cs-psb"
    fields.update(overrides)
    user = create_staff(session, **fields)
    if enrolled:
        user.totp_secret = TOTP_SECRET
        user.totp_enrolled_at = now()
    return user


def totp_code(secret: str = TOTP_SECRET, at: datetime | None = None) -> str:
    """The code an authenticator app shows at ``at`` (default: the views' clock)."""
    from portal.domain.second_factor import code_at, time_step
    from portal.web import clock

    return code_at(secret, time_step(at or clock.wall_clock()))


def create_case(
    session,
    service_code: str = "psb-no-record",
    *,
    status: str = "accepted",
    accepted_at: datetime | None = None,
    receiving_county: str = "changshan",
    applicant=None,
    number: str | None = None,
    submitted_at: datetime | None = None,
    **overrides,
):
    """A case written directly, for tests of what comes after intake."""
    from sqlalchemy import select

    from portal.models import Case, CaseStatus, County, Service
    from portal.models.enums import Channel

    service = session.scalar(select(Service).where(Service.code == service_code))
    n = next(_sequence)
    fields = dict(
        number=number or f"KSCS20260101{n:04d}",
        query_code=f"{n % 1000000:06d}",
        service=service,
        channel=Channel.online,
        receiving_county=County(receiving_county),
        status=CaseStatus(status),
        applicant_user=applicant,
        applicant_name=applicant.real_name if applicant else "测试申请人",
        applicant_id_number=applicant.id_number if applicant else valid_id_number(),
        applicant_mobile=applicant.mobile if applicant else mobile_number(),
        hukou_county="changshan",
        residence_county="changshan",
        form_data={},
        submitted_at=submitted_at or accepted_at or now(),
        accepted_at=accepted_at,
    )
    fields.update(overrides)
    from portal.domain.clock import local_date

    fields.setdefault("received_on", local_date(fields["submitted_at"]))
    case = Case(**fields)
    session.add(case)
    session.flush()
    from portal.domain.routing import involved_counties
    from portal.models import CaseInvolvement

    for county in involved_counties(case):
        session.add(CaseInvolvement(case_id=case.id, county=county))
    session.flush()
    return case


def create_task(session, case, agency_code: str = "cs-psb", *, status: str = "open", stage: int = 1, due_at=None):
    from sqlalchemy import select

    from portal.models import Agency, Task
    from portal.models.enums import TaskStatus

    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    task = Task(
        case=case, agency=agency, stage=stage, stage_name_zh="审核", stage_name_en="Review",
        action_zh="审核", action_en="Review", status=TaskStatus(status),
        due_at=due_at or now(), created_at=now(),
    )
    session.add(task)
    session.flush()
    return task


def at(day: str, hour: int = 10) -> datetime:
    """A moment on a Shanghai date, for clock tests: at("2026-11-02")."""
    from datetime import date, time

    from portal.domain.clock import SHANGHAI

    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=SHANGHAI)
