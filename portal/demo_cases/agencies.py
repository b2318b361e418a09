"""A case with the agencies, stage after stage: officers claim its tasks
from their queues, sometimes send one back to the window or stop the clock
for a special procedure, and decide — on time, late, or refusing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.demo_cases.drafts import sample_file
from portal.demo_cases.intake import withdraw
from portal.demo_cases.paper import post_originals, receive_originals
from portal.demo_cases.people import COUNTY_SHORT
from portal.demo_cases.plans import OPEN_ON_CLOCK, CasePlan
from portal.demo_cases.setting import Demo, NotYet
from portal.demo_cases.times import office_minutes_later, office_moment, office_moment_from, soon
from portal.domain.clock import local_date
from portal.domain.routing import stage_count
from portal.domain.workflow import (
    attach_result,
    claim_task,
    complete_task,
    current_stage,
    refuse_task,
    reopen_task,
    resume_task,
    return_task,
    suspend_task,
)
from portal.models import Case, CaseStatus, Task, User
from portal.models.enums import ServiceKind, TaskStatus

OPINIONS = ("经审核，申请材料齐全，符合法定条件，同意办理。", "已核验申请人信息，情况属实。", "经协查，信息一致，予以办结。",
            "经现场核查，符合条件，予以许可。")
AGENCY_REFUSALS = ("经核查，申请人不符合法定条件，依法不予许可。申请人如不服，可依法申请行政复议或提起行政诉讼。",
                   "现场核查发现经营场所与申报情况不符，不予许可。",
                   "经协查，申报信息与登记信息不一致，不予办理。")

SUSPENSIONS = ("需实地核查经营场所（现场核查）", "组织专家评审", "等待申请人补充原件", "依申请人请求举行听证")


RETURNS = ("缺少申请人原件，需窗口核验后再办理。", "申请事项应由本部门另一科室办理，请窗口核对。")
REOPENINGS = ("已核验原件，请继续办理。", "已与申请人核实，请继续办理。")
RESULT_WORD = {"psb": "公", "amr": "市监", "eme": "应急", "hrss": "人社", "drc": "发改", "gov": "综治"}


def decision_time(demo: Demo, plan: CasePlan, task: Task, ready: datetime, late: bool, rng: random.Random) -> datetime:
    """On time: some working day up to the task's due date; late: a few
    working days after the case's."""
    calendar = demo.calendar
    if late:
        day = calendar.nth_workday_after(max(local_date(task.case.due_at), local_date(ready)), rng.randint(1, 3))
        return office_moment_from(calendar, rng, day, ready)
    if task.case.service.kind is ServiceKind.instant:
        return soon(calendar, rng, ready, 5, 40)
    first, last = local_date(ready), local_date(task.due_at)
    days = [d for d in (first + timedelta(days=k) for k in range(max(0, (last - first).days) + 1)) if calendar.is_workday(d)]
    moment = office_moment(calendar, rng, rng.choice(days), ready) if days else None
    return moment or office_minutes_later(calendar, ready, rng.uniform(10, 90))


def officer_of(demo: Demo, task: Task) -> User:
    return demo.officers[task.agency_id]


def claim_stage(demo: Demo, plan: CasePlan, tasks: list[Task], start: datetime, last: bool, rng: random.Random) -> dict[int, datetime]:
    """Officers pick up the stage's tasks from their queues; returns when each was claimed."""
    instant = tasks[0].case.service.kind is ServiceKind.instant
    claims = sorted(
        (soon(demo.calendar, rng, start, 2, 15) if instant else office_minutes_later(demo.calendar, start, rng.uniform(10, 300)),
         task.id, task)
        for task in tasks
    )
    claimed = {}
    for moment, _id, task in claims:
        if plan.outcome in OPEN_ON_CLOCK and last and claimed and rng.random() < 0.35:
            continue  # still waiting in the agency's queue
        claim_task(demo.session, task, officer_of(demo, task), demo.at(moment))
        claimed[task.id] = moment
    return claimed


def send_back_once(demo: Demo, plan: CasePlan, task: Task, claimed: datetime, rng: random.Random) -> datetime:
    """The officer returns the task to the window, which sorts it out; the
    task comes back to the officer, still claimed by them."""
    calendar, officer = demo.calendar, officer_of(demo, task)
    returned = office_minutes_later(calendar, claimed, rng.uniform(20, 240))
    return_task(demo.session, task, officer, demo.at(returned), rng.choice(RETURNS))
    reopened = office_minutes_later(calendar, returned, rng.uniform(30, 480))
    reopen_task(demo.session, task, demo.clerks[plan.window], demo.at(reopened), rng.choice(REOPENINGS))
    return reopened


def special_procedure(demo: Demo, plan: CasePlan, task: Task, claimed: datetime, rng: random.Random) -> datetime:
    """特别程序: the clock stops from the suspension to the resumption."""
    calendar = demo.calendar
    started = office_minutes_later(calendar, claimed, rng.uniform(30, 600))
    expected = rng.randint(2, 10)
    suspend_task(demo.session, task, officer_of(demo, task), demo.at(started), rng.choice(SUSPENSIONS), expected)
    if plan.outcome == "suspended":
        raise NotYet
    day = calendar.nth_workday_after(local_date(started), rng.randint(1, expected))
    resumed = office_moment_from(calendar, rng, day, started)
    resume_task(demo.session, task, officer_of(demo, task), demo.at(resumed), calendar)
    return resumed


def decide_stage(demo: Demo, plan: CasePlan, tasks: list[Task], ready: dict[int, datetime], last: bool, rng: random.Random) -> datetime:
    """Each officer completes (or, for a refused case, the first refuses) in time order."""
    # A permit case meant to be refused fails its rule instead: the officer
    # completes, and the completion refuses it with the rule named.
    refuser = tasks[0] if plan.outcome == "refused" and not plan.refused_by_rule else None
    late = plan.has("late") and last
    decisions = sorted((decision_time(demo, plan, task, ready[task.id], late, rng), task.id, task) for task in tasks)
    for moment, _id, task in decisions:
        if task.status is not TaskStatus.claimed:
            continue  # cancelled by a refusal
        officer = officer_of(demo, task)
        if task is refuser:
            refuse_task(demo.session, task, officer, demo.at(moment), demo.calendar, rng.choice(AGENCY_REFUSALS))
            return moment
        if last and plan.delivery == "electronic" and task is tasks[0] and not plan.refused_by_rule:
            result = sample_file(demo.uploads, {"name_zh": "办理结果", "code": "result", "file_types": ["pdf"]})
            attach_result(demo.session, demo.writes, task, result, officer, demo.at(moment))
        county, word = COUNTY_SHORT[task.agency.county.value][1], RESULT_WORD.get(task.agency.department.value, "")
        number = f"{county}{word}证字〔{local_date(moment).year}〕{rng.randint(1, 9999):04d}号"
        receive_originals(demo, task, officer, demo.at(moment))
        complete_task(
            demo.session, task, officer, demo.at(moment), demo.calendar, rng.choice(OPINIONS), number,
            originals_reason="原件已通过全国一体化政务服务平台核验",  # used only if the parcel has not been signed for
        )
    return decisions[-1][0]


def through_the_agencies(demo: Demo, plan: CasePlan, case: Case, accepted: datetime, rng: random.Random) -> None:
    """Stage after stage until the case is completed or refused, or stops
    open (in progress, overdue, suspended) as planned."""
    start = accepted
    post_originals(demo, case, demo.clerks[plan.window], accepted, rng)
    while case.status is CaseStatus.in_progress:
        stage = current_stage(case)
        last = stage == stage_count(case)
        tasks = sorted((t for t in case.tasks if t.stage == stage and t.status is TaskStatus.open), key=lambda t: t.id)
        ready = claim_stage(demo, plan, tasks, start, last, rng)
        first = min(tasks, key=lambda t: ready.get(t.id, demo.now))  # the first one claimed
        if plan.withdraw == "in_progress":
            withdraw(demo, plan, case, office_minutes_later(demo.calendar, max(ready.values()), rng.uniform(60, 900)), rng)
        if stage == 1 and plan.has("returned"):
            ready[first.id] = send_back_once(demo, plan, first, ready[first.id], rng)
        if stage == 1 and (plan.has("resumed") or plan.outcome == "suspended"):
            resumed = special_procedure(demo, plan, first, ready[first.id], rng)
            ready = {task_id: max(moment, resumed) for task_id, moment in ready.items()}
        if plan.outcome in OPEN_ON_CLOCK and last:
            raise NotYet
        start = decide_stage(demo, plan, tasks, ready, last, rng)
