"""The shapes of the API's request bodies. Pydantic checks types, lengths
and unknown members; the portal's own rules (ID numbers, the service's
fields, routing facts) are checked afterwards by the domain. The OpenAPI
document takes its request schemas from these models, so it cannot
drift from what is enforced."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from portal import labels
from portal.domain.limits import PAPER_NOTE_MAX, RESULT_NUMBER_MAX, SUSPENSION_WORKDAYS_MAX, SUSPENSION_WORKDAYS_MIN, TASK_NOTE_MAX

Place = Literal[tuple(labels.PLACES)]  # type: ignore[valid-type]
Province = Literal[("",) + tuple(zh for zh, _en in labels.PROVINCES)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Applicant(Strict):
    """The walk-in applicant, identity card checked in person at the window."""

    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=30, description="18-character resident ID number (GB 11643).")
    mobile: str = Field(min_length=1, max_length=20, description="Mainland mobile number, 11 digits.")


class Facts(Strict):
    """Where the applicant's household is registered, where they live or
    work and (for enterprises) where the enterprise is: the routing plan
    is resolved against them. A province is given for 'elsewhere' only."""

    hukou_county: Place
    hukou_province: Province = ""
    residence_county: Place
    residence_province: Province = ""
    business_county: Place | None = None
    business_province: Province = ""


class MaterialReference(Strict):
    code: str = Field(min_length=1, max_length=60, description="A material code of the service's one-time notice.")
    reference: str = Field(min_length=1, max_length=200, description="Where the window system keeps the material.")


FieldValue = Annotated[str | int | float, Field(description="A string, or a number for number fields.")]


class CaseCreate(Strict):
    """A walk-in application filed by a window system (异地代收)."""

    service: str = Field(min_length=1, max_length=40, description="Service code, from GET /api/v1/services.")
    applicant: Applicant
    identity_checked: bool = Field(description="Must be true: the identity card was checked in person.")
    facts: Facts
    fields: dict[Annotated[str, Field(max_length=60)], Annotated[str, Field(max_length=2000)] | int | float] = Field(
        default_factory=dict, max_length=50,
        description="The service's form fields by name (GET /api/v1/services/{code} lists them); "
        "dates as YYYY-MM-DD, choices by value.",
    )
    materials: list[MaterialReference] = Field(default_factory=list, max_length=50)


Note = Annotated[str, Field(min_length=1, max_length=TASK_NOTE_MAX)]


class Claim(Strict):
    action: Literal["claim"]


class Release(Strict):
    action: Literal["release"]


class Resume(Strict):
    action: Literal["resume"]


class ResultNumber(Strict):
    number: str = Field(min_length=1, max_length=RESULT_NUMBER_MAX, description="Certificate or decision number.")


class Complete(Strict):
    action: Literal["complete"]
    note: Note = Field(description="The agency's opinion: what was checked and decided.")
    result: ResultNumber | None = None
    originals_reason: Annotated[str, Field(min_length=1, max_length=PAPER_NOTE_MAX)] | None = Field(
        default=None,
        description="收受分离: why the task is completed before the case's paper originals are confirmed as received "
        "(required then, kept on the case timeline).",
    )


class Refuse(Strict):
    action: Literal["refuse"]
    note: Note = Field(description="The legal reason; the whole case is refused with it.")


class Suspend(Strict):
    action: Literal["suspend"]
    note: Note = Field(description="Which special procedure and why; the clock stops.")
    expected_workdays: int = Field(ge=SUSPENSION_WORKDAYS_MIN, le=SUSPENSION_WORKDAYS_MAX)


class Return(Strict):
    action: Literal["return"]
    note: Note = Field(description="What the receiving window must do.")


class TaskAction(RootModel[Annotated[Claim | Release | Resume | Complete | Refuse | Suspend | Return, Field(discriminator="action")]]):
    """One action on a task, named by ``action``."""
