"""Typed models, one module per aggregate. Importing this package registers
every table on ``Base.metadata`` (Alembic and the tests rely on that)."""

from portal.models.agency import Agency
from portal.models.calendar import CalendarDay, CalendarYear
from portal.models.case import Case, CaseInvolvement, CaseSuspension
from portal.models.catalog import Service
from portal.models.enums import CaseStatus, County, Department, Role
from portal.models.event import Event
from portal.models.intake import ApplicationDraft, CaseFile, CaseNotice, CaseSequence
from portal.models.lookup import TrackingFailure, TrackingLockout
from portal.models.message import Message
from portal.models.paper_file import PaperFile, PostalDelivery
from portal.models.partner import ApiToken, OutboxMessage, PartnerEvent
from portal.models.permit import PermitCheck, PermitEndorsement, PermitSequence, ResidencePermit
from portal.models.phrase import Phrase, PhraseUse
from portal.models.rating import Rating, RatingFollowUp
from portal.models.stamps import DataStamp
from portal.models.task import Task
from portal.models.tracking import CaseTally, SlaAlert, TallyValue
from portal.models.user import RecoveryCode, User
from portal.models.verification import VerificationCode
from portal.models.worker import PeriodicRun, WorkerHeartbeat

__all__ = [
    "DataStamp",
    "Agency",
    "ApiToken",
    "ApplicationDraft",
    "CaseFile",
    "CaseInvolvement",
    "CaseNotice",
    "CaseSequence",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseStatus",
    "CaseTally",
    "CaseSuspension",
    "County",
    "Department",
    "Event",
    "Message",
    "PaperFile",
    "PostalDelivery",
    "RecoveryCode",
    "OutboxMessage",
    "PartnerEvent",
    "PeriodicRun",
    "Phrase",
    "PhraseUse",
    "PermitCheck",
    "PermitEndorsement",
    "PermitSequence",
    "Rating",
    "RatingFollowUp",
    "ResidencePermit",
    "Role",
    "Service",
    "SlaAlert",
    "TallyValue",
    "Task",
    "TrackingFailure",
    "TrackingLockout",
    "User",
    "VerificationCode",
    "WorkerHeartbeat",
]
