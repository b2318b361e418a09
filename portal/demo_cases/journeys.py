"""One case's whole life, as far as it has got by now: filed and checked at
the window, through the agencies, handed over."""

from __future__ import annotations

import random
from datetime import timedelta

from portal.demo_cases.agencies import through_the_agencies
from portal.demo_cases.intake import at_the_window, file_application
from portal.demo_cases.paper import ems_waybill
from portal.demo_cases.plans import CasePlan
from portal.demo_cases.setting import Demo, NotYet
from portal.demo_cases.times import office_minutes_later, office_moment_from
from portal.domain.clock import local_date
from portal.domain.postal import Postage, prefilled_address
from portal.domain.workflow import deliver_case
from portal.models import Case, CaseStatus


def hand_over(demo: Demo, plan: CasePlan, case: Case, rng: random.Random) -> None:
    """出件: the window hands over the result (or the refusal decision)."""
    if case.status is CaseStatus.completed and plan.outcome == "completed":
        return  # not collected yet
    if case.status is CaseStatus.refused and not plan.deliver_refusal:
        return  # the agency served its decision itself
    if case.status not in (CaseStatus.completed, CaseStatus.refused):
        return
    calendar, closed = demo.calendar, case.closed_at
    method = plan.delivery if case.status is CaseStatus.completed else rng.choice(("window", "post"))
    if method == "electronic":
        moment = office_minutes_later(calendar, closed, rng.uniform(5, 90))
    elif method == "post":
        moment = office_minutes_later(calendar, closed, rng.uniform(30, 480))
    else:
        later = rng.choice((0, 0, 1, 1, 2, 3, 4))  # the applicant comes to collect it
        day = calendar.nth_workday_after(local_date(closed), later) if later else local_date(closed)
        moment = office_moment_from(calendar, rng, day, closed + timedelta(minutes=20))
    postage = None
    if method == "post":
        postage = Postage(prefilled_address(case) or "浙江省衢州市常山县天马街道定阳北路1号", "ems", ems_waybill(rng))
    deliver_case(demo.session, case, demo.clerks[plan.window], demo.at(moment), method, postage)


def carry_case(demo: Demo, plan: CasePlan, rng: random.Random) -> Case:
    """The case's whole life, as far as it has got by now."""
    case = file_application(demo, plan, rng)
    try:
        accepted = at_the_window(demo, plan, case, rng)
        through_the_agencies(demo, plan, case, accepted, rng)
        hand_over(demo, plan, case, rng)
    except NotYet:
        pass
    return case
