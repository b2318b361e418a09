"""Resolving a service's routing plan against a case's facts.

A step's county selector names where it acts: ``residence``, ``hukou``,
``business`` (the applicant's facts), ``receiving`` (the window that took
the case), ``other`` (the county across the border from it) or ``both``.
A fact outside the two counties falls back to the receiving window's
county, whose agency verifies through the national platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.domain import DomainError
from portal.models import Case, County

OURS = {c.value for c in County}
FACT_OF = {"residence": "residence_county", "hukou": "hukou_county", "business": "business_county"}


@dataclass(frozen=True)
class ResolvedStep:
    stage: int
    department: str
    county: County
    fallback: bool  # the fact was outside our counties; the receiving window's agency acts
    step: dict


def resolve_selector(selector: str, case: Case) -> list[tuple[County, bool]]:
    receiving = County(case.receiving_county)
    if selector == "both":
        return [(County.changshan, False), (County.yushan, False)]
    if selector == "receiving":
        return [(receiving, False)]
    if selector == "other":
        return [(receiving.across, False)]
    fact = getattr(case, FACT_OF[selector])
    if fact in OURS:
        return [(County(fact), False)]
    return [(receiving, True)]


def step_applies(step: dict, case: Case) -> bool:
    if step.get("when") == "hukou_local":
        return case.hukou_county in OURS
    return True


def resolve_plan(case: Case) -> list[ResolvedStep]:
    """Every step of every stage, in order, with its concrete county."""
    resolved = []
    for index, stage in enumerate(case.service.routing, start=1):
        for step in stage["steps"]:
            if not step_applies(step, case):
                continue
            for county, fallback in resolve_selector(step["county"], case):
                resolved.append(ResolvedStep(index, step["department"], county, fallback, step))
    return resolved


def involved_counties(case: Case) -> set[County]:
    """The receiving window's county and every county whose agencies act."""
    return {County(case.receiving_county)} | {step.county for step in resolve_plan(case)}


def stage_count(case: Case) -> int:
    return len(case.service.routing)


def stage_workdays(case: Case, stage: int) -> int:
    """Working days from acceptance by which ``stage`` (1-based) must be
    done: the plan's stated shares added up, or the promise split evenly
    (rounded up, so the last stage ends on the case's own due date)."""
    plan = case.service.routing
    promise = case.service.promise_workdays
    if all(s.get("workdays") is not None for s in plan):
        return sum(s["workdays"] for s in plan[:stage])
    return -(-promise * stage // len(plan))


# Services filed at the window of the county the applicant moves into: the
# fact that says where they move from must be the other county.
MOVE_INTO_RECEIVING = {
    "psb-hukou-move": (
        "hukou_county",
        _l(
            "A household transfer is filed at the window of the county you move into, so your "
            "household registration must be in the other county. Choose that county's window."
        ),
    ),
    "amr-relocate": (
        "business_county",
        _l(
            "An enterprise relocation is filed at the window of the county it moves into, so the "
            "enterprise must now be in the other county. Choose that county's window."
        ),
    ),
}


def check_facts(service_code: str, receiving_county: str, answers: dict) -> None:
    """Refuse facts the routing plan cannot serve, naming the field."""
    rule = MOVE_INTO_RECEIVING.get(service_code)
    if rule is None:
        return
    fact, message = rule
    if answers.get(fact) != County(receiving_county).across.value:
        raise DomainError(message, fact)
