"""What every API view needs to read a request and write an answer:
times in ISO 8601 with the Shanghai offset, opaque cursors, checked
query parameters and JSON bodies that never turn into a 500."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import request
from pydantic import BaseModel, ValidationError

from portal.domain.clock import SHANGHAI

DB_INT_MAX = 2**31 - 1  # the largest id a database integer column holds
LIMIT_DEFAULT, LIMIT_MAX = 50, 100


class BadRequest(Exception):
    """Input the API refuses with 422; ``errors`` says where and why."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors[0]["detail"] if errors else "invalid request")
        self.errors = errors


# -- cursors ------------------------------------------------------------------

def encode_cursor(moment: datetime, row_id: int) -> str:
    raw = json.dumps([moment.astimezone(UTC).isoformat(), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    """The (time, id) a cursor stands for; BadRequest when it is not one of ours."""
    try:
        padded = value + "=" * (-len(value) % 4)
        moment, row_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or not isinstance(row_id, int) or not 0 < row_id <= DB_INT_MAX:
            raise ValueError
        return parsed, row_id
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise BadRequest([{"parameter": "cursor", "detail": "Not a cursor this API gave out."}]) from None


# -- query parameters ---------------------------------------------------------

@dataclass
class Query:
    """The request's query parameters, read one by one; problems collect
    in ``errors`` so a client sees all of them at once."""

    allowed: set[str]
    errors: list[dict] = field(default_factory=list)

    def __post_init__(self):
        for name in request.args:
            if name not in self.allowed:
                self.error(name, f"Unknown parameter; this endpoint takes {', '.join(sorted(self.allowed))}.")
        for name, value in request.args.items(multi=True):
            if "\x00" in value or len(value) > 200:
                self.error(name, "Too long, or contains a NUL character.")

    def error(self, name: str, detail: str) -> None:
        self.errors.append({"parameter": name, "detail": detail})

    def text(self, name: str) -> str | None:
        value = (request.args.get(name) or "").strip()
        return value or None

    def choice(self, name: str, choices) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            self.error(name, f"Use one of {', '.join(choices)}.")
            return None
        return value

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(name, "Use a date as YYYY-MM-DD.")
            return None

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date-time with an offset (a plain date means its start in Shanghai)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            if len(value) == 10:
                parsed = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=SHANGHAI)
            else:
                # An unencoded "+08:00" arrives as " 08:00".
                parsed = datetime.fromisoformat(value.replace(" ", "+"))
            if parsed.tzinfo is None:
                raise ValueError
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.error(name, "Use an ISO 8601 date-time with its offset, e.g. 2026-11-28T09:00:00+08:00.")
            return None

    def limit(self) -> int:
        value = self.text("limit")
        if value is None:
            return LIMIT_DEFAULT
        if not value.isdigit() or not 1 <= int(value) <= LIMIT_MAX:
            self.error("limit", f"Use a whole number from 1 to {LIMIT_MAX}.")
            return LIMIT_DEFAULT
        return int(value)

    def cursor(self) -> tuple[datetime, int] | None:
        value = self.text("cursor")
        if value is None:
            return None
        try:
            return decode_cursor(value)
        except BadRequest as error:
            self.errors.extend(error.errors)
            return None

    def check(self) -> None:
        if self.errors:
            raise BadRequest(self.errors)


# -- JSON bodies --------------------------------------------------------------

# Parts of a pydantic error location that name a member of a union, not input.
UNION_MEMBERS = {"str", "constrained-str", "int", "float", "bool"}


def pointer(location) -> str:
    """A JSON Pointer (RFC 6901) to where the error is; "" is the whole body."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)


UNION_TAG_ERRORS = ("union_tag_invalid", "union_tag_not_found")


def validation_errors(error: ValidationError, discriminator: str | None = None, tags=()) -> list[dict]:
    """One error per place: union members and discriminator tags are not
    places in the client's document."""
    found: dict[str, str] = {}
    for item in error.errors(include_url=False):
        location, detail = list(item["loc"]), item["msg"]
        if location and location[-1] in UNION_MEMBERS:
            location.pop()
        if location and location[0] in tags:
            location = location[1:]
        if item["type"] in UNION_TAG_ERRORS and discriminator:
            location, detail = [discriminator], f"Use one of {', '.join(tags)}."
        found.setdefault(pointer(location), detail)
    return [{"pointer": where, "detail": detail} for where, detail in found.items()]


def parse_body(model: type[BaseModel], discriminator: str | None = None, tags=()) -> BaseModel:
    """The request body as ``model``: malformed JSON, wrong types, values
    out of range and unknown members all become BadRequest, never a 500.
    For a union told apart by ``discriminator``, its ``tags`` are left out
    of error pointers."""
    raw = request.get_data(cache=True)
    try:
        parsed = model.model_validate_json(raw or b"")
    except ValidationError as error:
        raise BadRequest(validation_errors(error, discriminator, tags)) from None
    problems = [{"pointer": pointer(loc), "detail": "Contains a NUL character."} for loc in _nul_locations(parsed.model_dump())]
    if problems:
        raise BadRequest(problems)
    return parsed


def _nul_locations(value, location=()):
    if isinstance(value, str):
        return [location] if "\x00" in value else []
    if isinstance(value, dict):
        return [loc for key, item in value.items() for loc in _nul_locations(item, (*location, key))] + (
            [location] if any("\x00" in str(key) for key in value) else []
        )
    if isinstance(value, list):
        return [loc for index, item in enumerate(value) for loc in _nul_locations(item, (*location, index))]
    return []


def db_id(value: int) -> bool:
    """Ids a client sends are looked up only when a database integer can hold them."""
    return 0 < value <= DB_INT_MAX
