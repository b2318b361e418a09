"""Carriers and their waybill numbers, for paper files sent across the
border (收受分离) and results sent by post (邮寄送达): one list of carriers,
one check of a waybill's form, shared by both."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.domain import DomainError
from portal.domain.limits import WAYBILL_MAX
from portal.domain.text import typed_code


@dataclass(frozen=True)
class Carrier:
    code: str
    name_zh: str
    name_en: str
    pattern: re.Pattern | None  # None: the carrier issues no waybill (by hand), a slip number is optional
    rule: object  # the message when a number does not match


CARRIERS = {
    c.code: c
    for c in (
        Carrier(
            "ems", "中国邮政EMS", "China Post EMS", re.compile(r"^(\d{13}|[A-Z]{2}\d{9}[A-Z]{2})$"),
            _l(
                "An EMS waybill number is 13 characters: 13 digits (1234567890123) "
                "or two letters, nine digits and two letters (EA123456789CN)."
            ),
        ),
        Carrier(
            "sf", "顺丰速运", "SF Express", re.compile(r"^SF\d{12,15}$"),
            _l("An SF Express waybill number is SF followed by 12 to 15 digits, for example SF1234567890123."),
        ),
        Carrier(
            "jd", "京东物流", "JD Logistics", re.compile(r"^JD[A-Z0-9]{11,16}$"),
            _l("A JD Logistics waybill number is JD followed by 11 to 16 letters or digits, for example JDVA12345678901."),
        ),
        Carrier(
            "confidential", "机要通道", "Confidential channel", re.compile(r"^[A-Z0-9][A-Z0-9-]{5,19}$"),
            _l("A confidential-channel number is 6 to 20 letters, digits or hyphens, as printed on the dispatch slip."),
        ),
        Carrier(
            "hand", "专人递送", "By hand", None,
            _l("A handover slip number is at most 20 letters, digits or hyphens; leave it empty if there is none."),
        ),
    )
}
HAND_SLIP = re.compile(r"^[A-Z0-9-]{1,20}$")


def carrier_for(code: str | None, field: str = "carrier") -> Carrier:
    carrier = CARRIERS.get((code or "").strip())
    if carrier is None:
        raise DomainError(_l("Choose the carrier."), field)
    return carrier


def checked_waybill(carrier: Carrier, number: str | None, field: str = "waybill") -> str:
    """The waybill number in its canonical form (full-width typing and
    spaces removed, upper case), or a DomainError naming the form the
    carrier's numbers take."""
    value = typed_code(number).replace(" ", "").upper()
    if len(value) > WAYBILL_MAX:
        raise DomainError(carrier.rule, field)
    if carrier.pattern is None:
        if value and not HAND_SLIP.match(value):
            raise DomainError(carrier.rule, field)
        return value
    if not value:
        raise DomainError(_l("Enter the waybill number."), field)
    if not carrier.pattern.match(value):
        raise DomainError(carrier.rule, field)
    return value


def carrier_name(code: str | None, language: str = "zh") -> str:
    carrier = CARRIERS.get(code or "")
    if carrier is None:
        return code or ""
    return carrier.name_en if language == "en" else carrier.name_zh
