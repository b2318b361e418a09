"""The shape of the catalog file, checked before anything is written."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from portal.domain.limits import CORRECTION_WORKDAYS_DEFAULT, CORRECTION_WORKDAYS_MAX, CORRECTION_WORKDAYS_MIN

Text = Field(min_length=1)
DepartmentCode = Literal["psb", "gov", "amr", "eme", "hrss", "drc"]
CountySelector = Literal["residence", "hukou", "business", "receiving", "other", "both"]
FileType = Literal["pdf", "jpeg", "png"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyEntry(Strict):
    code: str = Field(pattern=r"^(cs|ys)-[a-z]+$")
    county: Literal["changshan", "yushan"]
    department: DepartmentCode
    name_zh: str = Text
    name_en: str = Text
    address_zh: str = ""
    address_en: str = ""


class Material(Strict):
    code: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name_zh: str = Text
    name_en: str = Text
    notes_zh: str = ""
    notes_en: str = ""
    required: bool
    file_types: list[FileType] = Field(min_length=1)
    # 收受分离: the competent agency needs the paper original, which the
    # receiving window holds and posts (identity cards are checked, not sent).
    original: bool = False


class Choice(Strict):
    value: str = Text
    label_zh: str = Text
    label_en: str = Text


class FormField(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str = Text
    label_en: str = Text
    type: Literal["text", "textarea", "date", "number", "select"]
    required: bool
    max_length: int | None = Field(default=None, gt=0)
    not_after_today: bool = False  # dates of things that have happened
    # Rules beside the field, checked on every channel by domain/answers.py.
    not_before: str | None = None  # a date: not before the service's date field of this name
    min: int | None = None  # a number: at least this
    greater_than: int | None = None  # a number: more than this (amounts above 0)
    whole_number: bool = False  # a number that counts things
    choices: list[Choice] | None = None

    @model_validator(mode="after")
    def choices_match_type(self):
        if self.type == "select" and len(self.choices or []) < 2:
            raise ValueError(f"field {self.name!r}: a select needs at least two choices")
        if self.type != "select" and self.choices:
            raise ValueError(f"field {self.name!r}: only a select has choices")
        if self.not_after_today and self.type != "date":
            raise ValueError(f"field {self.name!r}: only a date can be limited to today")
        if self.not_before is not None and self.type != "date":
            raise ValueError(f"field {self.name!r}: only a date can have not_before")
        given = {"min": self.min is not None, "greater_than": self.greater_than is not None, "whole_number": self.whole_number}
        for rule, present in given.items():
            if present and self.type != "number":
                raise ValueError(f"field {self.name!r}: only a number can have {rule}")
        if self.min is not None and self.greater_than is not None:
            raise ValueError(f"field {self.name!r}: give min or greater_than, not both")
        return self


class Step(Strict):
    department: DepartmentCode
    county: CountySelector
    action_zh: str = Text
    action_en: str = Text
    when: Literal["always", "hukou_local"] = "always"


class Stage(Strict):
    name_zh: str = Text
    name_en: str = Text
    workdays: int | None = Field(default=None, ge=0)
    steps: list[Step] = Field(min_length=1)


class ServiceEntry(Strict):
    code: str = Field(pattern=r"^[a-z]+(-[a-z0-9]+)+$")
    name_zh: str = Text
    name_en: str = Text
    summary_zh: str = Text
    summary_en: str = Text
    department: DepartmentCode
    mode: Literal["online", "collect", "joint"]
    kind: Literal["instant", "promised"]
    promise_workdays: int = Field(ge=0, le=3)
    statutory_workdays: int = Field(ge=0)
    correction_workdays: int | None = Field(default=None, ge=CORRECTION_WORKDAYS_MIN, le=CORRECTION_WORKDAYS_MAX)
    applicant: Literal["person", "enterprise"]
    legal_basis_zh: str = Text
    legal_basis_en: str = Text
    materials: list[Material] = Field(min_length=1)
    fields: list[FormField] = []
    routing: list[Stage] = Field(min_length=1)

    @field_validator("materials")
    @classmethod
    def unique_materials(cls, materials):
        _unique([m.code for m in materials], "material code")
        return materials

    @field_validator("fields")
    @classmethod
    def unique_fields(cls, fields):
        _unique([f.name for f in fields], "field name")
        return fields

    @model_validator(mode="after")
    def rules_name_date_fields(self):
        types = {f.name: f.type for f in self.fields}
        for spec in self.fields:
            other = spec.not_before
            if other is None:
                continue
            if other == spec.name:
                raise ValueError(f"field {spec.name!r}: not_before names the field itself")
            if other not in types:
                raise ValueError(f"field {spec.name!r}: not_before names {other!r}, which is not a field of this service")
            if types[other] != "date":
                raise ValueError(f"field {spec.name!r}: not_before names {other!r}, which is not a date")
        return self

    @model_validator(mode="after")
    def originals_only_when_collected(self):
        flagged = [m.code for m in self.materials if m.original]
        if flagged and self.mode != "collect":
            raise ValueError(
                f"materials {', '.join(flagged)} are marked original, but only a collect-mode service posts originals"
            )
        return self

    @model_validator(mode="after")
    def days_agree(self):
        if self.kind == "instant" and self.promise_workdays != 0:
            raise ValueError("an instant service is promised within the same working day (0)")
        if self.statutory_workdays < self.promise_workdays:
            raise ValueError("statutory_workdays is shorter than promise_workdays")
        shares = [s.workdays for s in self.routing]
        if any(s is not None for s in shares):
            if any(s is None for s in shares):
                raise ValueError("give workdays on every stage or on none")
            if sum(shares) != self.promise_workdays:
                raise ValueError(
                    f"stage workdays add up to {sum(shares)}, not the promised {self.promise_workdays}"
                )
        return self


class CatalogFile(Strict):
    # The catalog-wide 补正时限, for every service that gives none of its own.
    correction_workdays: int = Field(
        default=CORRECTION_WORKDAYS_DEFAULT, ge=CORRECTION_WORKDAYS_MIN, le=CORRECTION_WORKDAYS_MAX
    )
    agencies: list[AgencyEntry] = Field(min_length=1)
    services: list[ServiceEntry] = Field(min_length=1)


def _unique(values: list[str], what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)
