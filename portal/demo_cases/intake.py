"""A case at the window: the draft filed and submitted (online, or by the
clerk for a walk-in), the window's check, corrections asked for and
answered, withdrawals, refusal of intake, and acceptance."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.demo_cases.drafts import application_answers, field_value, sample_file
from portal.demo_cases.plans import CasePlan
from portal.demo_cases.setting import Demo, NotYet
from portal.demo_cases.times import office_minutes_later, office_moment_from, waking_moment
from portal.domain.applications import new_token, save_draft, submit_draft
from portal.domain.case_files import attach_file, current_files
from portal.domain.clock import local_date
from portal.domain.intake import (
    accept_case,
    accept_with_pending,
    open_correction,
    refuse_intake,
    request_correction,
    resubmit_correction,
    withdraw_case,
)
from portal.models import Case, User
from portal.models.enums import Channel

INTAKE_REFUSALS = ("申请事项不属于本窗口受理范围，请向有权机关申请。", "申请人不具备申请资格，依法不予受理。",
                   "同一事项已在办理中，不重复受理。")
MATERIAL_PROBLEMS = ("扫描件不清晰，请重新上传清晰完整的文件。", "材料已过有效期，请提供有效期内的材料。",
                     "缺少签名或盖章页，请补充完整。")
FIELD_PROBLEMS = ("填写不完整，请写明具体门牌号或全称。", "与所附材料不一致，请核对后重新填写。")

WITHDRAWALS = ("申请人决定暂不办理。", "申请信息填写有误，将重新申请。", "已通过其他渠道办结。")


def file_application(demo: Demo, plan: CasePlan, rng: random.Random) -> Case:
    """The form, its materials and the submit: online by the resident, or
    at the counter by the clerk for a walk-in (异地代收)."""
    service = demo.services[plan.service_code]
    calendar = demo.calendar
    materials = [m for m in service.materials if m["required"] or rng.random() < 0.3]
    if plan.channel is Channel.online:
        owner = demo.session.get(User, plan.account_id)
        started = plan.arrival - timedelta(minutes=rng.uniform(6, 30))
        steps = sorted(started + (plan.arrival - started) * rng.random() for _ in materials)
        submitted = plan.arrival
    else:
        owner = demo.clerks[plan.window]
        started = office_minutes_later(calendar, plan.arrival, rng.uniform(1, 4))
        steps, moment = [], started
        for _ in materials:
            moment = office_minutes_later(calendar, moment, rng.uniform(0.5, 2))
            steps.append(moment)
        submitted = office_minutes_later(calendar, moment, rng.uniform(1, 4))
    demo.at(submitted)
    answers = application_answers(demo, plan, service, rng, local_date(started))
    draft = save_draft(demo.session, token=new_token(), owner=owner, service=service, channel=plan.channel,
                       answers=answers, now=started)
    for material, moment in zip(materials, steps, strict=False):
        if material["code"] in answers.get("licences", {}):
            continue  # 免提交: the electronic licence stands in for the scan
        attach_file(demo.session, demo.writes, sample_file(demo.uploads, material), material["code"], owner, moment, draft=draft)
    case, _created = submit_draft(demo.session, draft, owner, submitted)
    return case


def check_time(demo: Demo, plan: CasePlan, after: datetime, rng: random.Random) -> datetime:
    """When the clerk decides: minutes after a walk-in files, hours after an online submit."""
    minutes = rng.uniform(3, 30) if plan.channel is Channel.counter else rng.uniform(40, 480)
    return office_minutes_later(demo.calendar, after, minutes)


def applicant_or_clerk(demo: Demo, plan: CasePlan, case: Case) -> User:
    """Who acts for the applicant: the resident online, the clerk at the counter."""
    if plan.channel is Channel.online:
        return demo.session.get(User, case.applicant_user_id)
    return demo.clerks[plan.window]


def items_to_correct(case: Case, rng: random.Random) -> dict[str, str]:
    """One notice naming a material, sometimes a field too, each with its reason."""
    chosen = {f"material:{rng.choice(sorted(current_files(case.files)))}": rng.choice(MATERIAL_PROBLEMS)}
    texts = [f["name"] for f in case.service.fields
             if f["type"] in ("text", "textarea") and f["name"] in case.form_data
             and f["name"] not in ("enterprise_name", "operator_name", "credit_code", "permit_number")]
    if texts and rng.random() < 0.35:
        chosen[f"field:{rng.choice(texts)}"] = rng.choice(FIELD_PROBLEMS)
    return chosen


def answer_correction(demo: Demo, plan: CasePlan, case: Case, asked: datetime, rng: random.Random) -> datetime:
    """The applicant sends what the notice named: online within days, or
    back at the window where the clerk files it."""
    notice = open_correction(case)
    materials = {m["code"]: m for m in case.service.materials}
    uploads = {i["key"]: sample_file(demo.uploads, materials[i["key"]], "（补正）") for i in notice.items if i["kind"] == "material"}
    fields = {}
    for item in notice.items:
        if item["kind"] == "field":
            spec = next(f for f in case.service.fields if f["name"] == item["key"])
            value = field_value(spec, plan, rng, local_date(asked))
            fields[item["key"]] = value if value != case.form_data.get(item["key"]) else value + "（已更正）"
    if plan.channel is Channel.online:
        moment = waking_moment(rng, local_date(asked) + timedelta(days=rng.randint(0, 4)), asked + timedelta(hours=1))
    else:
        day = demo.calendar.nth_workday_after(local_date(asked), rng.randint(1, 4))
        moment = office_moment_from(demo.calendar, rng, day, asked)
    resubmit_correction(demo.session, case, applicant_or_clerk(demo, plan, case), demo.at(moment), demo.writes, fields, uploads)
    return moment


def withdraw(demo: Demo, plan: CasePlan, case: Case, moment: datetime, rng: random.Random) -> None:
    withdraw_case(demo.session, case, applicant_or_clerk(demo, plan, case), demo.at(moment), rng.choice(WITHDRAWALS))
    raise NotYet


def at_the_window(demo: Demo, plan: CasePlan, case: Case, rng: random.Random) -> datetime:
    """The window's check (形式审查) up to acceptance; returns when the case
    was accepted, or raises NotYet where the case stops before that."""
    session, clerk = demo.session, demo.clerks[plan.window]
    if plan.outcome == "waiting":
        raise NotYet
    moment = check_time(demo, plan, case.submitted_at, rng)
    if plan.withdraw == "before_check":
        if plan.channel is Channel.online:
            changed_mind = case.submitted_at + (moment - case.submitted_at) * rng.uniform(0.2, 0.8)
        else:
            changed_mind = office_minutes_later(demo.calendar, case.submitted_at, rng.uniform(2, 10))
        withdraw(demo, plan, case, changed_mind, rng)
    if plan.has("corrected"):
        request_correction(session, case, clerk, demo.at(moment), items_to_correct(case, rng))
        if plan.outcome == "correction_requested":
            raise NotYet
        if plan.withdraw == "after_correction":
            day = demo.calendar.nth_workday_after(local_date(moment), rng.randint(1, 5))
            withdraw(demo, plan, case, office_moment_from(demo.calendar, rng, day, moment), rng)
        answered = answer_correction(demo, plan, case, moment, rng)
        moment = check_time(demo, plan, answered, rng)
    if plan.outcome == "refused_intake":
        refuse_intake(session, case, clerk, demo.at(moment), rng.choice(INTAKE_REFUSALS))
        raise NotYet
    pending = sorted({m["code"] for m in case.service.materials if not m["required"]} - set(current_files(case.files)))
    if plan.has("pending") and pending:
        follow_up = demo.calendar.nth_workday_after(local_date(moment), min(3, max(1, case.service.statutory_workdays)))
        accept_with_pending(session, case, clerk, demo.at(moment), demo.calendar, [rng.choice(pending)], follow_up)
    else:
        accept_case(session, case, clerk, demo.at(moment), demo.calendar)
    return moment
