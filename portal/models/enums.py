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
    def across(self) -> County:
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


class DayKind(str, enum.Enum):
    weekday = "weekday"
    weekend = "weekend"
    holiday = "holiday"
    makeup = "makeup"  # 调休: a weekend day worked in exchange for a holiday

    @property
    def is_workday(self) -> bool:
        return self in (DayKind.weekday, DayKind.makeup)


class DaySource(str, enum.Enum):
    library = "library"  # the chinesecalendar package (official schedules it ships)
    estimate = "estimate"  # Monday–Friday minus holidays known in advance
    admin = "admin"  # entered or imported by an administrator


class YearStatus(str, enum.Enum):
    official = "official"
    provisional = "provisional"


class CaseStatus(str, enum.Enum):
    submitted = "submitted"  # 已接件
    correction_requested = "correction_requested"  # 补正
    accepted = "accepted"  # 受理
    refused_intake = "refused_intake"  # 不予受理
    in_progress = "in_progress"
    suspended = "suspended"  # 特别程序
    completed = "completed"  # 办结
    refused = "refused"  # 不予许可
    delivered = "delivered"  # 出件 / 送达
    withdrawn = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES

    @property
    def clock_running(self) -> bool:
        """Accepted and not finished: the working-day clock applies."""
        return self in (CaseStatus.accepted, CaseStatus.in_progress, CaseStatus.suspended)


CLOSED_STATUSES = frozenset(
    {
        CaseStatus.refused_intake,
        CaseStatus.completed,
        CaseStatus.refused,
        CaseStatus.delivered,
        CaseStatus.withdrawn,
    }
)


class Channel(str, enum.Enum):
    online = "online"
    counter = "counter"


class NoticeKind(str, enum.Enum):
    acceptance = "acceptance"  # 受理通知书
    acceptance_pending = "acceptance_pending"  # 容缺受理通知书
    correction = "correction"  # 补正告知书
    refusal = "refusal"  # 不予受理通知书
    decision_refusal = "decision_refusal"  # 不予许可（办理）决定书
    correction_lapsed = "correction_lapsed"  # 逾期未补正，视为撤回申请
    supplement_request = "supplement_request"  # 补充材料通知: what only the applicant can supply, while the clock stops


class TaskStatus(str, enum.Enum):
    open = "open"  # waiting for an officer to claim it
    claimed = "claimed"
    suspended = "suspended"  # 特别程序: the case clock stops
    completed = "completed"
    refused = "refused"
    returned = "returned"  # back at the receiving window (wrong routing, missing original)
    cancelled = "cancelled"  # the case ended before this task did, or it was transferred

    @property
    def is_active(self) -> bool:
        return self in (TaskStatus.open, TaskStatus.claimed, TaskStatus.suspended, TaskStatus.returned)


class DeliveryMethod(str, enum.Enum):
    window = "window"  # collected at either window
    post = "post"
    electronic = "electronic"


class AlertLevel(str, enum.Enum):
    due_soon = "due_soon"  # due within 1 working day
    overdue = "overdue"


class PermitStatus(str, enum.Enum):
    active = "active"  # valid, or needing endorsement, or expired: see domain.permits.permit_state
    revoked = "revoked"  # replaced or withdrawn


class PermitCheckResult(str, enum.Enum):
    valid = "valid"
    expired = "expired"
    needs_endorsement = "needs_endorsement"
    revoked = "revoked"
    unknown = "unknown"  # no such permit, or a code that does not match


class RatingSource(str, enum.Enum):
    applicant = "applicant"  # rated online by the applicant
    device = "device"  # given on the window's rating device, recorded by the clerk


class OutboxChannel(str, enum.Enum):
    partner = "partner"  # a task message to an agency's own system
    sms = "sms"  # a text message to an applicant


class CodePurpose(str, enum.Enum):
    """What a texted verification code is for."""

    register = "register"  # proves the mobile of a new account
    reset = "reset"  # lets the holder of the registered mobile set a new password
    mobile_change = "mobile_change"  # proves the new mobile of a signed-in account


class OutboxStatus(str, enum.Enum):
    pending = "pending"  # waiting for its next attempt
    sent = "sent"
    dead = "dead"  # refused by the partner (4xx) or out of attempts: an admin must act


class PaperFileState(str, enum.Enum):
    """Where a case's paper originals are (收受分离)."""

    held = "held"  # at the receiving window
    in_transit = "in_transit"  # posted to the competent agency
    received = "received"  # confirmed by the competent agency
    missing = "missing"  # the agency reported items missing: back with the window to resolve
