"""Factory functions for tests: ``create_user(session, "clerk", window_county=...)``."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

from stdnum.cn import ric

from portal.domain.accounts import create_staff, register_resident
from portal.models import County, Role

PASSWORD = "correct-horse-42"
_sequence = itertools.count(1)


def valid_id_number(region: str = "330822", birth: str = "19900101", serial: int | None = None) -> str:
    serial = next(_sequence) % 1000 if serial is None else serial
    body = f"{region}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile_number() -> str:
    return f"138{next(_sequence):08d}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def create_user(session, role: str = "resident", **overrides):
    role = Role(role)
    n = next(_sequence)
    if role is Role.resident:
        fields = {
            "real_name": "测试居民",
            "id_number": valid_id_number(),
            "mobile": mobile_number(),
            "password": PASSWORD,
            "now": now(),
        }
        fields.update(overrides)
        return register_resident(session, **fields)
    fields = {
        "username": f"{role.value}{n}",
        "real_name": f"测试{role.value}",
        "role": role,
        "password": PASSWORD,
        "now": now(),
    }
    if role is Role.clerk:
        fields["window_county"] = County.changshan
    if role is Role.officer:
        fields["agency_code"] = "cs-psb"
    fields.update(overrides)
    return create_staff(session, **fields)
