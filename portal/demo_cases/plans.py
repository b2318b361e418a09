"""The plan of every case before any of it happens: its final outcome and
twists (allocated as quotas), its service, its applicant and channel, the
window, and when it comes in so that the outcome can have happened by now."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.demo_cases.accounts import DEMO_RESIDENTS
from portal.demo_cases.people import Enterprise, Person, new_enterprise, new_person, place
from portal.demo_cases.permits import PERMIT_SERVICES, PermitPeople, PermitPlan
from portal.demo_cases.setting import Demo
from portal.demo_cases.times import (
    local_datetime,
    office_minutes_earlier,
    office_moment,
    recent_workday,
    waking_moment,
)
from portal.domain.answers import needs_business_location
from portal.domain.routing import MOVE_INTO_RECEIVING, OURS
from portal.models import County, Service
from portal.models.enums import Channel

# Final outcomes and their share of the cases, allocated as quotas so that
# even a small run has each of them.
OUTCOME_SHARES = {
    "delivered": 54,  # accepted, done, handed over
    "completed": 4,  # done recently, not collected yet
    "refused": 5,  # an agency refused after review (不予许可)
    "refused_intake": 6,  # the window refused it (不予受理)
    "withdrawn": 5,
    "in_progress": 9,  # on the clock, on track or due soon
    "overdue": 4,  # on the clock, past its due date
    "suspended": 3,  # in a special procedure right now
    "waiting": 6,  # submitted, not yet checked by the window
    "correction_requested": 4,  # waiting for the applicant's correction
}
OPEN_ON_CLOCK = ("in_progress", "overdue", "suspended")
# Twists, as a share of all cases, given to cases whose outcome allows them.
TWISTS = {
    "corrected": (0.12, ("delivered", "refused", "refused_intake", "withdrawn")),
    "resumed": (0.08, ("delivered", "refused")),  # suspended, then resumed
    "late": (0.08, ("delivered",)),
    "pending": (0.03, ("delivered",)),  # 容缺受理
    "returned": (0.02, ("delivered",)),  # a task went back to the window once
}

# How often each service is asked for; services not named here weigh 2.
POPULARITY = {
    "psb-rp-apply": 14, "psb-rp-endorse": 8, "psb-rp-replace": 5, "psb-hukou-cert": 8,
    "psb-hukou-move": 4, "psb-no-record": 8, "psb-exit-entry": 6, "amr-biz-register": 6,
    "amr-biz-change": 5, "amr-food-license": 4, "amr-relocate": 2, "eme-fireworks": 2,
    "eme-hazchem": 1, "eme-plan-filing": 2, "hrss-pension-move": 5, "hrss-employment": 7,
    "hrss-wage-claim": 3, "drc-invest-filing": 2, "drc-joint-project": 1, "drc-energy-review": 1,
    "gov-dispute": 3, "gov-biz-dispute": 2, "gov-border-report": 2,
}
ONLINE_SHARE = {"online": 0.8, "joint": 0.5, "collect": 0.25}  # by service mode


@dataclass
class CasePlan:
    index: int
    outcome: str
    service_code: str
    channel: Channel
    person: Person
    account_id: int | None
    window: County
    business_county: str | None
    business_province: str
    enterprise: Enterprise | None
    twists: set[str]
    withdraw: str | None  # before_check, after_correction, in_progress
    delivery: str  # window, post, electronic
    deliver_refusal: bool
    arrival: datetime | None = None  # the submit (online) or the walk-in (counter)
    permit: PermitPlan | None = None  # for the residence-permit services
    earlier: bool = False  # the first issue of a permit endorsed or replaced later, not one of the cases asked for

    def has(self, twist: str) -> bool:
        return twist in self.twists

    @property
    def key(self) -> str:
        """Names the case's random streams."""
        return f"{self.index}:earlier" if self.earlier else f"{self.index}"

    @property
    def refused_by_rule(self) -> bool:
        """Planned to fail a rule of the Interim Regulations: the officer
        completes the task and the rule refuses the case, named."""
        return self.permit is not None and self.permit.fails_rule


def quotas(n: int, shares: dict[str, float]) -> list[str]:
    """``n`` labels in proportion to ``shares`` (largest remainders)."""
    total = sum(shares.values())
    exact = {key: n * share / total for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    order = sorted(shares, key=lambda key: counts[key] - exact[key])
    for key in order[: n - sum(counts.values())]:
        counts[key] += 1
    return [key for key in shares for _ in range(counts[key])]


def assign_outcomes(n: int, rng: random.Random) -> tuple[list[str], list[set[str]]]:
    outcomes = quotas(n, OUTCOME_SHARES)
    rng.shuffle(outcomes)
    twists: list[set[str]] = [set() for _ in range(n)]
    for twist, (share, eligible_outcomes) in TWISTS.items():
        eligible = [i for i, outcome in enumerate(outcomes) if outcome in eligible_outcomes]
        count = min(len(eligible), max(1 if n >= 10 else 0, round(share * n)))
        for i in rng.sample(eligible, count):
            twists[i].add(twist)
    for i, outcome in enumerate(outcomes):
        if outcome == "correction_requested":
            twists[i].add("corrected")
    return outcomes, twists


def assign_services(n: int, services: list[Service], rng: random.Random) -> list[str]:
    """Every service at least once (when n allows), the rest by popularity."""
    codes = [s.code for s in services]
    first = codes[:]
    rng.shuffle(first)
    weights = [POPULARITY.get(code, 2) for code in codes]
    chosen = first[:n] + rng.choices(codes, weights, k=max(0, n - len(codes)))
    rng.shuffle(chosen)
    return chosen


def keep_instant_out_of_progress(outcomes: list[str], services: list[str], instant: set[str]) -> None:
    """An instant matter (即办件) is finished the day it is accepted: a case
    meant to be in progress now trades its service with a delivered one."""
    spare = [i for i, outcome in enumerate(outcomes) if outcome == "delivered" and services[i] not in instant]
    for i, outcome in enumerate(outcomes):
        if outcome == "in_progress" and services[i] in instant and spare:
            j = spare.pop()
            services[i], services[j] = services[j], services[i]


def choose_window(person: Person, rng: random.Random) -> County:
    """Most people go to the window where they live; some to their home county's."""
    if person.residence in OURS and rng.random() < 0.75:
        return County(person.residence)
    if person.hukou in OURS and rng.random() < 0.6:
        return County(person.hukou)
    return rng.choice(list(County))


def plan_case(
    demo: Demo, index: int, outcome: str, twists: set[str], service_code: str, rng: random.Random,
    people: PermitPeople | None = None,
) -> CasePlan:
    service = demo.services[service_code]
    online = rng.random() < ONLINE_SHARE.get(service.mode.value, 0.5)
    rule = MOVE_INTO_RECEIVING.get(service_code, (None,))[0]
    needs_local_hukou = rule == "hukou_county"
    account_id, person, permit = None, None, None
    if service_code in PERMIT_SERVICES and people is not None:
        # Chosen from streams of their own, so that whoever it is, the
        # rest of the plan (and the arrival) is drawn the same.
        person, account_id, window, permit = people.choose(index, service_code, outcome, online)
    elif online or rng.random() < 0.2:  # some walk-ins have an account too
        fitting = [r for r in demo.residents if r.person.hukou in OURS or not needs_local_hukou]
        if fitting:
            demo_ids = {d["id_number"] for d in DEMO_RESIDENTS}
            demo_residents = [r for r in fitting if r.person.id_number in demo_ids]
            chosen = rng.choice(demo_residents) if demo_residents and rng.random() < 0.12 else rng.choice(fitting)
            account_id, person = chosen.user_id, chosen.person
    if person is None:
        online = False
        person = new_person(rng, (rng.choice(("changshan", "yushan")), "") if needs_local_hukou else None)
    if permit is None:
        window = County(person.hukou).across if needs_local_hukou else choose_window(person, rng)
    business_county, business_province, enterprise = None, "", None
    if needs_business_location(service):
        if rule == "business_county":
            business_county = window.across.value
        else:
            business_county, business_province = place(rng, 0.9)
        enterprise = new_enterprise(rng, business_county, business_province)
    withdraw = None
    if outcome == "withdrawn":
        withdraw = "after_correction" if "corrected" in twists else rng.choice(("before_check", "in_progress", "in_progress"))
    channel = Channel.online if online else Channel.counter
    if channel is Channel.online:
        delivery = rng.choices(("electronic", "window", "post"), (30, 45, 25))[0]
    else:
        delivery = rng.choices(("window", "post"), (70, 30))[0]
    return CasePlan(
        index=index, outcome=outcome, service_code=service_code, channel=channel, person=person,
        account_id=account_id, window=window, business_county=business_county,
        business_province=business_province, enterprise=enterprise, twists=twists, withdraw=withdraw,
        delivery=delivery, deliver_refusal=rng.random() < 0.5, permit=permit,
    )


def arrival_on(demo: Demo, plan: CasePlan, rng: random.Random, day: date) -> datetime:
    """Walk-ins come in office hours; online applications come any time of
    the day, sometimes over the weekend before."""
    if plan.channel is Channel.counter:
        return office_moment(demo.calendar, rng, day, until=time(16, 50)) or office_moment(demo.calendar, rng, day)
    before = day - timedelta(days=1)
    if rng.random() < 0.15 and not demo.calendar.is_workday(before):
        return waking_moment(rng, before)
    if rng.random() < 0.7:
        return office_moment(demo.calendar, rng, day)
    return waking_moment(rng, day, local_datetime(day, time(17, 45)))


def plan_arrival(demo: Demo, plan: CasePlan, rng: random.Random) -> datetime:
    """When the case comes in, so that its outcome can have happened by now:
    open cases recently, closed ones over the whole period."""
    if plan.outcome == "waiting":
        return waiting_arrival(demo, plan, rng)
    promise = demo.services[plan.service_code].promise_workdays
    back = {
        "completed": promise + rng.randint(1, 3),
        "in_progress": rng.randint(0, max(promise - 1, 0)),
        "overdue": promise + rng.randint(1, 6),
        "suspended": rng.randint(1, 10),
        "correction_requested": rng.randint(1, 5),
    }.get(plan.outcome)
    if back is None:
        day = rng.choice(demo.workdays[:-8] or demo.workdays)
    else:
        day = recent_workday(demo, back)
    arrival = arrival_on(demo, plan, rng, day)
    while arrival > demo.now - timedelta(minutes=45):  # too late today: the working day before
        earlier = demo.calendar.workday_on_or_before(day - timedelta(days=1))
        if earlier is None or earlier < demo.workdays[0]:
            break
        day = earlier
        arrival = arrival_on(demo, plan, rng, day)
    return arrival


def waiting_arrival(demo: Demo, plan: CasePlan, rng: random.Random) -> datetime:
    """Still at the window: came in during the last office hours, or online since."""
    last_open = office_minutes_earlier(demo.calendar, demo.now, 0)
    if plan.channel is Channel.counter:
        return office_minutes_earlier(demo.calendar, last_open, rng.uniform(30, 120))
    earliest = last_open - timedelta(hours=2)
    return earliest + (demo.now - timedelta(minutes=10) - earliest) * rng.random()
