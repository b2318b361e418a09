"""Residence permits (居住证) in the demo cases: who applies for the permit
services, which rule of the Interim Regulations a case is planned to fail,
the earlier first issues that gave endorsers and replacers their permits,
and the permit the applicant holds written into the form."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from portal.demo_cases.accounts import DEMO_PASSWORD
from portal.demo_cases.people import ELSEWHERE, Person, new_person
from portal.demo_cases.setting import Demo
from portal.demo_cases.times import office_moment, waking_moment, workday_between
from portal.domain import DomainError, permits
from portal.domain.accounts import register_resident
from portal.domain.clock import local_date
from portal.domain.routing import OURS
from portal.models import Case, County, ResidencePermit, Service, User
from portal.models.enums import Channel, PermitStatus

if TYPE_CHECKING:  # plans.py imports this module; here CasePlan is only an annotation
    from portal.demo_cases.plans import CasePlan

# The residence-permit services (居住证暂行条例).
PERMIT_SERVICES = (permits.ISSUE, permits.ENDORSE, permits.REPLACE)
# First issues planned "refused" fail art. 2 (lived here under six months);
# so does this share of those planned to be decided otherwise, which makes
# about one in eight in all.
INELIGIBLE_SHARE = 0.14
LATE_ENDORSEMENT_SHARE = 0.2  # endorsed after the anniversary (art. 13: allowed, the count restarts)


@dataclass
class PermitPlan:
    """What a residence-permit case needs to be true of its applicant."""

    ineligible: bool = False  # first issue: has lived here under six months (art. 2)
    too_early: bool = False  # endorsement before the month it is due in (art. 13)
    late: bool = False  # endorsement after the anniversary (art. 13: allowed, the count restarts)
    replaces_nothing: bool = False  # replacement asked for by someone holding no permit of ours (art. 15)
    holds: bool = False  # endorsement or replacement: holds a permit, issued by an earlier case
    new_account: bool = False  # applies online with an account opened for it

    @property
    def fails_rule(self) -> bool:
        return self.ineligible or self.too_early or self.replaces_nothing


class PermitPeople:
    """Who applies for the permit services of a run: people living in one
    of our counties with their household registered in the other or
    elsewhere, each used once, and never someone who already holds a permit
    or has asked for a permit service before (an earlier run's applicants,
    on the same database). Everything that decides the case (where they
    live, where they are registered, which window, which rule they fail)
    comes from the seed and the case alone; only who it is depends on who
    is already taken, so a second run decides its cases as the first did."""

    def __init__(self, demo: Demo, seed: int):
        self.demo, self.seed = demo, seed
        session = demo.session
        holders = session.scalars(select(ResidencePermit.holder_id_number))
        applied = session.scalars(
            select(Case.applicant_id_number).join(Case.service).where(Service.code.in_(PERMIT_SERVICES))
        )
        self.taken: set[str] = {*holders, *applied}
        self.mobiles: set[str] = set()

    def choose(self, index: int, service_code: str, outcome: str, online: bool) -> tuple[Person, int | None, County, PermitPlan]:
        shape = random.Random(f"{self.seed}:{index}:permit")
        residence = shape.choice(("changshan", "yushan"))
        if shape.random() < 0.6:
            hukou = (County(residence).across.value, "")
        else:
            hukou = ("elsewhere", shape.choice(ELSEWHERE)[0])
        window = County(residence) if shape.random() < 0.75 else County(residence).across
        decided = outcome in ("delivered", "completed")
        plan = PermitPlan()
        chance = shape.random()
        if service_code == permits.ISSUE:
            plan.ineligible = outcome == "refused" or (decided and chance < INELIGIBLE_SHARE)
        elif service_code == permits.ENDORSE:
            plan.too_early = outcome == "refused"
            plan.late = not plan.too_early and chance < LATE_ENDORSEMENT_SHARE
            plan.holds = True
        else:
            plan.replaces_nothing = outcome == "refused"
            plan.holds = not plan.replaces_nothing
        person, account_id = self.who(index, residence, hukou, online)
        plan.new_account = online and account_id is None
        return person, account_id, window, plan

    def who(self, index: int, residence: str, hukou: tuple[str, str], online: bool) -> tuple[Person, int | None]:
        """A resident with an account who fits (online, sometimes), or someone new."""
        pick = random.Random(f"{self.seed}:{index}:permit-who")
        if online:
            fitting = [r for r in self.demo.residents
                       if r.person.residence == residence and r.person.hukou == hukou[0] and r.person.id_number not in self.taken]
            if fitting and pick.random() < 0.6:
                chosen = pick.choice(fitting)
                self.taken.add(chosen.person.id_number)
                return chosen.person, chosen.user_id
        session, attempt = self.demo.session, 0
        while True:
            rng = random.Random(f"{self.seed}:{index}:permit-who:{attempt}")
            attempt += 1
            person = replace(new_person(rng, hukou), residence=residence, residence_province="")
            if person.id_number in self.taken or person.mobile in self.mobiles:
                continue
            if online and session.scalar(
                select(User.id).where((User.id_number == person.id_number) | (User.mobile == person.mobile))
            ):
                continue
            self.taken.add(person.id_number)
            self.mobiles.add(person.mobile)
            return person, None


def earlier_issue(demo: Demo, plan: CasePlan, seed: int) -> CasePlan | None:
    """The walk-in first issue of the permit a later case endorses or
    replaces, at the window where the holder lives, dated so that the
    permit's anniversary (endorsed_until, a year after issue) falls where
    the later case needs it:
    - endorsement on time: 10 to 28 days after the endorsement day, so in
      its month and with room for a correction or two before it;
    - late endorsement: some days to weeks before it;
    - endorsement asked for too early: months after it;
    - replacement: a permit issued one to eleven months before (before the
      period when there is room), not yet due for endorsement."""
    rng = random.Random(f"{seed}:{plan.index}:earlier-plan")
    day, start = local_date(plan.arrival), demo.workdays[0]
    year = relativedelta(years=1)
    if plan.service_code == permits.ENDORSE:
        low, high = {"too_early": (45, 200), "late": (-45, -5), "on_time": (10, 28)}[
            "too_early" if plan.permit.too_early else "late" if plan.permit.late else "on_time"
        ]
        issued = workday_between(demo, rng, day + timedelta(days=low) - year, day + timedelta(days=high) - year)
    else:
        low, high = day - timedelta(days=330), day - timedelta(days=30)
        if min(high, start - timedelta(days=1)) >= low + timedelta(days=14):
            high = min(high, start - timedelta(days=1))
        issued = workday_between(demo, rng, low, high)
    if issued is None:
        return None
    # In the morning, so that the instant permit is issued the same day.
    arrival = office_moment(demo.calendar, rng, issued, until=time(10, 30))
    if arrival is None:
        return None
    # The same person and index (the index and ``earlier`` name its random
    # streams); everything else is this case's own.
    return replace(
        plan, outcome="delivered", service_code=permits.ISSUE, channel=Channel.counter,
        account_id=None, window=County(plan.person.residence), business_county=None, business_province="",
        enterprise=None, twists=set(), withdraw=None, delivery=rng.choice(("window", "window", "post")),
        deliver_refusal=False, arrival=arrival, permit=PermitPlan(), earlier=True,
    )


def settle_permits(demo: Demo, plans: list[CasePlan], seed: int) -> list[CasePlan]:
    """Once arrivals are known: a late endorsement in any run with a few
    endorsements, the earlier first issues of the permits to endorse or
    replace, and the accounts of new online applicants (opened before their
    first case). Returns the earlier first issues, to carry first."""
    endorsements = [p for p in plans if p.service_code == permits.ENDORSE and p.permit
                    and p.outcome in ("delivered", "completed") and not p.permit.too_early]
    if len(endorsements) >= 2 and not any(p.permit.late for p in endorsements):
        endorsements[-1].permit.late = True
    earlier = []
    for plan in plans:
        if plan.permit is None:
            continue
        first = earlier_issue(demo, plan, seed) if plan.permit.holds else None
        if first is not None:
            earlier.append(first)
        if plan.permit.new_account:
            rng = random.Random(f"{seed}:{plan.index}:account")
            starts = min(plan.arrival, first.arrival) if first else plan.arrival
            signed_up = waking_moment(rng, local_date(starts) - timedelta(days=rng.randint(1, 60)))
            person = plan.person
            try:
                with demo.session.begin_nested():
                    user = register_resident(demo.session, real_name=person.name, id_number=person.id_number,
                                             mobile=person.mobile, password=DEMO_PASSWORD, passwords=demo.passwords,
                                             now=signed_up)
                    user.is_demo = True
            except DomainError:
                plan.channel = Channel.counter  # cannot happen with the checks in PermitPeople.who
                continue
            plan.account_id = user.id
        if first is not None and plan.account_id is not None:
            user = demo.session.get(User, plan.account_id)
            if user.created_at < first.arrival:
                first.account_id = user.id  # signed in at the counter: the permit is theirs online too
    return earlier


def permit_fields(demo: Demo, plan: CasePlan, fields: dict, rng: random.Random, day: date) -> dict[str, str]:
    """The permit the applicant holds goes into the form (its number; for an
    endorsement it also stands in for the card's scan, 免提交); a first issue
    meant to fail art. 2 has lived here only two to five months. Returns
    the electronic licences used."""
    session, id_number = demo.session, plan.person.id_number
    code = plan.service_code
    if code == permits.ISSUE and plan.permit.ineligible:
        fields["residence_since"] = (day - timedelta(days=rng.randint(60, 140))).isoformat()
    if code == permits.ENDORSE:
        held = permits.reusable_permit(session, id_number, day)
        if held is not None:
            fields["permit_number"] = held.number
            return {permits.PERMIT_MATERIAL: held.number}
    if code == permits.REPLACE:
        held = next((p for p in permits.holder_permits(session, id_number) if p.status is PermitStatus.active), None)
        if held is not None:
            fields["permit_number"] = held.number
        else:
            fields.pop("permit_number", None)  # optional; a permit of ours it is not
        if "reason" in fields:
            lost = fields.get("request_type") == "replace_lost"
            fields["reason"] = "居住证遗失，已登报声明作废。" if lost else "居住证损坏，无法正常识读。"
    return {}


def unknown_permit_number(person: Person, moment: datetime, rng: random.Random) -> str:
    county = County(person.residence if person.residence in OURS else "changshan")
    return f"{county.admin_code}{(local_date(moment).year - 1) % 100:02d}{rng.randint(900000, 999999)}"
