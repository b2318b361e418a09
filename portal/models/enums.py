"""Status-like vocabularies, stored as constrained strings."""

from __future__ import annotations

import enum

from sqlalchemy import Enum as SAEnum


class County(str, enum.Enum):
    changshan = "changshan"
    yushan = "yushan"

    @property
    def admin_code(self) -> str:
        return {"changshan": "330822", "yushan": "361123"}[self.value]

    @property
    def window_code(self) -> str:
        return {"changshan": "CS", "yushan": "YS"}[self.value]

    @property
    def across(self) -> "County":
        return County.yushan if self is County.changshan else County.changshan


class Department(str, enum.Enum):
    psb = "psb"
    gov = "gov"
    amr = "amr"
    eme = "eme"
    hrss = "hrss"
    drc = "drc"


class Role(str, enum.Enum):
    resident = "resident"
    clerk = "clerk"
    officer = "officer"
    supervisor = "supervisor"
    admin = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.resident


class ServiceMode(str, enum.Enum):
    online = "online"
    collect = "collect"
    joint = "joint"


class ServiceKind(str, enum.Enum):
    instant = "instant"
    promised = "promised"


class ApplicantType(str, enum.Enum):
    person = "person"
    enterprise = "enterprise"


class DeliveryMode(str, enum.Enum):
    portal = "portal"
    http = "http"


def constrained(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A VARCHAR column with a CHECK constraint listing the enum's values."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
    )
