"""邮寄送达: a result sent to the applicant by post, with the address it
went to, the carrier and the waybill number the applicant is texted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain import Collector
from portal.domain.limits import POSTAL_ADDRESS_MAX
from portal.domain.text import required_text
from portal.domain.waybills import carrier_for, checked_waybill
from portal.models import Case, PostalDelivery, User

# Form fields that may carry the address the applicant gave, most specific first.
ADDRESS_FIELDS = ("delivery_address", "postal_address", "address", "destination_address", "new_address")


@dataclass(frozen=True)
class Postage:
    """Where and how the window posts the result, as typed."""

    address: str = ""
    carrier: str = ""
    waybill: str = ""


def prefilled_address(case: Case) -> str:
    """The address to offer: the delivery address of the application, or its address."""
    for name in ADDRESS_FIELDS:
        value = (case.form_data or {}).get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def postal_delivery_of(case: Case) -> PostalDelivery | None:
    return case.postal_deliveries[0] if case.postal_deliveries else None


def record_postal_delivery(session: Session, case: Case, clerk: User, now: datetime, postage: Postage) -> PostalDelivery:
    """Check the address, carrier and waybill number (every fault at once)
    and keep them with the case."""
    checks = Collector()
    address = checks.check(required_text, postage.address, "address", POSTAL_ADDRESS_MAX)
    carrier = checks.check(carrier_for, postage.carrier)
    waybill = checks.check(checked_waybill, carrier, postage.waybill) if carrier else None
    checks.raise_any()
    record = PostalDelivery(
        case=case, address=address, carrier=carrier.code, waybill=waybill,
        sent_by_id=clerk.id if clerk is not None else None, sent_at=now,
    )
    session.add(record)
    session.flush()
    return record
