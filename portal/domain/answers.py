"""A service's answers as typed — on the application form, in a JSON API
body or an Open311 request — checked against the service's field schema
and the facts routing needs, and turned into the answers a draft keeps.
One set of rules for every channel; each problem names its input
(``hukou_county``, ``field_<name>``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from portal import labels
from portal.domain import DomainError
from portal.domain.text import free_text, typed_code
from portal.i18n import in_sentence, localized
from portal.models import Service

PLACE_FACTS = (("hukou_county", "hukou_province"), ("residence_county", "residence_province"))
BUSINESS_FACTS = ("business_county", "business_province")
FACTS = tuple(name for pair in (*PLACE_FACTS, BUSINESS_FACTS) for name in pair)
# The longest answer a field of each kind takes when its spec says nothing.
TEXT_MAX = {"textarea": 2000, "text": 200}
NUMBER_MAX = 10**12
PROVINCE_NAMES = frozenset(zh for zh, _en in labels.PROVINCES)


def needs_business_location(service: Service) -> bool:
    """Enterprises, and services routed by where the enterprise is, say where it is."""
    return service.applicant.value == "enterprise" or any(
        step["county"] == "business" for stage in service.routing for step in stage["steps"]
    )


def text_limit(spec: dict) -> int:
    return spec.get("max_length") or TEXT_MAX.get(spec["type"], TEXT_MAX["text"])


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    return raw.strip() if isinstance(raw, str) else str(raw)


def field_value(spec: dict, raw: Any, today: date) -> str | None:
    """One of the service's own fields: its value as the draft keeps it
    (dates ISO, numbers as plain decimals), None when left empty. Raises
    DomainError naming ``field_<name>``."""
    name = "field_" + spec["name"]
    text = _text(raw)
    if spec["type"] == "number":
        text = typed_code(text).replace(",", "").replace(" ", "")
    elif spec["type"] == "date":
        text = typed_code(text)
    if not text:
        if spec["required"]:
            label = in_sentence(localized(spec, "label"))
            message = _l("Choose %(label)s.", label=label) if spec["type"] == "select" else _l("Enter %(label)s.", label=label)
            raise DomainError(message, name)
        return None
    if spec["type"] == "select":
        if text not in {choice["value"] for choice in spec["choices"]}:
            raise DomainError(_l("Choose one of the listed options."), name)
        return text
    if spec["type"] == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise DomainError(_l("Enter a date such as 2026-11-28."), name) from None
        if spec.get("not_after_today") and day > today:
            raise DomainError(_l("This date cannot be later than today."), name)
        return day.isoformat()
    if spec["type"] == "number":
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or not 0 <= amount <= NUMBER_MAX:
            raise DomainError(_l("Enter a number from 0 to 1,000,000,000,000."), name)
        _check_number_rules(spec, amount, name)
        return str(amount)
    return free_text(text, name, text_limit(spec), multiline=spec["type"] == "textarea")


def _check_number_rules(spec: dict, amount: Decimal, name: str) -> None:
    """The catalog's rules beside a number: a count is whole and at least
    ``min``; an amount is more than ``greater_than``."""
    if spec.get("whole_number") and amount != amount.to_integral_value():
        raise DomainError(_l("Enter a whole number."), name)
    if spec.get("min") is not None and amount < spec["min"]:
        raise DomainError(_l("Enter %(min)d or more.", min=spec["min"]), name)
    if spec.get("greater_than") is not None and amount <= spec["greater_than"]:
        raise DomainError(_l("Enter a number greater than %(n)d.", n=spec["greater_than"]), name)


def date_order_problems(service: Service, fields: Mapping[str, str]) -> list[DomainError]:
    """A date the catalog says is ``not_before`` another (the end of a
    period and its start) is refused next to the later field, naming the
    other, when both were given and valid."""
    specs = {spec["name"]: spec for spec in service.fields}
    problems = []
    for spec in service.fields:
        other = specs.get(spec.get("not_before") or "")
        if other is None or spec["name"] not in fields or other["name"] not in fields:
            continue
        if fields[spec["name"]] < fields[other["name"]]:  # ISO dates compare as text
            message = _l(
                "%(label)s cannot be before %(other)s.",
                label=localized(spec, "label"), other=in_sentence(localized(other, "label")),
            )
            problems.append(DomainError(message, "field_" + spec["name"]))
    return problems


def _place(values: Mapping[str, Any], place: str, province: str, answers: dict, problems: list[DomainError]) -> None:
    county, named = _text(values.get(place)), _text(values.get(province))
    if county not in labels.PLACES:
        problems.append(DomainError(_l("Choose where it is."), place))
        county = ""
    if county == "elsewhere" and not named:
        problems.append(DomainError(_l("Choose the province."), province))
    elif named and named not in PROVINCE_NAMES:
        problems.append(DomainError(_l("Choose one of the listed options."), province))
    answers[place] = county or None
    # A province is kept for "elsewhere" only.
    answers[province] = named if county == "elsewhere" else ""


def read_answers(service: Service, values: Mapping[str, Any], today: date) -> tuple[dict, list[DomainError]]:
    """The facts and the service's fields from ``values`` (input names as
    on the application form), and every problem found, not just the first."""
    answers: dict[str, Any] = {"fields": {}}
    problems: list[DomainError] = []
    pairs = PLACE_FACTS + ((BUSINESS_FACTS,) if needs_business_location(service) else ())
    for place, province in pairs:
        _place(values, place, province, answers, problems)
    for spec in service.fields:
        try:
            value = field_value(spec, values.get("field_" + spec["name"]), today)
        except DomainError as error:
            problems.append(error)
            continue
        if value is not None:
            answers["fields"][spec["name"]] = value
    problems.extend(date_order_problems(service, answers["fields"]))
    return answers, problems
