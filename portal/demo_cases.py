"""Demo cases: the applications of the past weeks as the portal would have
recorded them, for trying the desks, queues, timelines and supervision.

Every case goes through the real intake and workflow functions — a draft
with its answers and materials, the submit that numbers it, the window's
decision, the agencies' tasks stage by stage, the hand-over — each called
with ``now`` set to the moment it happens, so every status change leaves
the events, notices, messages, due dates and suspensions the real system
writes. Window clerks and officers act in office hours on working days;
residents may apply online in the evening or at the weekend. Nothing is
dated after the ``now`` given, and a step that would be is simply not taken
yet: the case stays where it is.

Residence permits (居住证) follow their rules: first-issue applicants live
away from their household registration and have lived here six months or
more with a basis and its proof, but about one in eight has not lived here
long enough and is refused at completion with the rule named (as a counter
case would be: the generator files drafts directly, not through the web
form's own checks). An endorsement or a replacement is asked for by someone
who already holds a permit: an earlier first-issue case, dated before the
endorsement or replacement (usually before the period, about a year back
for an endorsement), issued it through the same functions. Nobody who
holds a permit, or has asked for any permit service before, applies for a
permit service again: such a person is passed over for another one.

The same seed and the same ``now`` give the same cases: the same people,
services, times and outcomes (case numbers continue from what the database
already holds; query codes and idempotency tokens stay random). On a
database that already holds generated cases, the people applying for
permit services are other ones (those of the earlier run hold permits or
have applied), chosen deterministically and alike in everything that
decides the case, so a second run gives the same summary.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from portal.demo import DEMO_PASSWORD, DEMO_RESIDENTS, load_demo
from portal.domain import DomainError, permits
from portal.domain.accounts import register_resident
from portal.domain.applications import attach_file, current_files, new_token, save_draft, submit_draft
from portal.domain.clock import SHANGHAI, WorkCalendar, local_date
from portal.domain.deadlines import case_level
from portal.domain.intake import (
    accept_case,
    accept_with_pending,
    open_correction,
    refuse_intake,
    request_correction,
    resubmit_correction,
    withdraw_case,
)
from portal.domain.routing import MOVE_INTO_RECEIVING, OURS, check_facts, stage_count
from portal.domain.uploads import CheckedFile, FileWrites, check_upload, file_writes
from portal.domain.workflow import (
    attach_result,
    claim_task,
    complete_task,
    current_stage,
    deliver_case,
    refuse_task,
    reopen_task,
    resume_task,
    return_task,
    suspend_task,
)
from portal.models import Agency, Case, CaseStatus, County, PermitEndorsement, ResidencePermit, Service, Task, User
from portal.models.enums import Channel, NoticeKind, PermitStatus, ServiceKind, TaskStatus
from portal.web.apply.forms import needs_business_location

BATCH_SIZE = 50
RESIDENT_POOL_SIZE = 20
RESIDENT_POOL_SEED = "kstb-demo-residents"  # the same generated residents whatever the seed

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

# Residence permits (居住证暂行条例).
PERMIT_SERVICES = (permits.ISSUE, permits.ENDORSE, permits.REPLACE)
# First issues planned "refused" fail art. 2 (lived here under six months);
# so does this share of those planned to be decided otherwise, which makes
# about one in eight in all.
INELIGIBLE_SHARE = 0.14
LATE_ENDORSEMENT_SHARE = 0.2  # endorsed after the anniversary (art. 13: allowed, the count restarts)

OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))

# -- words ---------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶程汪毛詹祝姜"
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞俊峰建国志文浩宇博晨阳鑫海波"
GIVEN_FEMALE = "芳娟敏静丽艳娜霞秀玲桂兰燕萍红梅琳雪婷慧颖洁倩月佳欣悦"
COUNTY_ADDRESS = {
    "changshan": ("浙江省衢州市常山县", ("天马街道", "紫港街道", "金川街道", "球川镇", "辉埠镇", "芳村镇", "青石镇", "招贤镇", "白石镇"),
                  ("定阳北路", "人民路", "文峰西路", "紫港路", "南门路", "柚香大道", "常山港路")),
    "yushan": ("江西省上饶市玉山县", ("冰溪街道", "三清山街道", "文成街道", "横街镇", "樟村镇", "下镇镇", "六都乡", "紫湖镇", "岩瑞镇"),
               ("博士大道", "城中路", "解放路", "环城北路", "滨江路", "冰溪南路", "七里街")),
}
COUNTY_SHORT = {"changshan": ("常山县", "常"), "yushan": ("玉山县", "玉")}
# Places of household registration elsewhere: (province, region code, city).
ELSEWHERE = (
    ("安徽省", "341122", "滁州市来安县"), ("福建省", "350783", "南平市建瓯市"), ("江西省", "361102", "上饶市信州区"),
    ("浙江省", "330802", "衢州市柯城区"), ("湖北省", "421002", "荆州市沙市区"), ("四川省", "510104", "成都市锦江区"),
    ("湖南省", "430181", "长沙市浏阳市"), ("河南省", "411303", "南阳市卧龙区"), ("江西省", "360124", "南昌市进贤县"),
)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "170", "176", "177", "180", "181", "182", "186", "187", "188", "189", "199")
TRADE_NAMES = ("金诚", "恒达", "鑫源", "华盛", "瑞丰", "宏远", "聚福", "润泽", "博瑞", "兴业", "万家", "柚香", "三清", "怀玉", "衢饶")
INDUSTRIES = ("建材", "商贸", "食品", "餐饮管理", "农业开发", "电子科技", "物流", "新材料", "纺织", "机械制造", "化工")
PURPOSES = ("办理子女入学", "单位入职审查", "办理出国签证", "办理公证", "办理不动产登记", "申请公租房")
FREE_TEXT = {
    "reason": ("原证件损坏，无法正常使用。", "证件遗失，已登报声明作废。", "企业经营需要，迁往新址。"),
    "purpose_detail": ("用于新单位入职背景审查。", "用于办理出国留学手续。", "用于报考事业单位。"),
    "business_scope": ("建材、五金产品销售；装饰材料零售。", "农产品收购、加工及销售（胡柚、油茶）。", "电子元器件制造与销售；技术服务。"),
    "business_items": ("预包装食品销售（含冷藏冷冻食品）；散装食品销售。", "热食类食品制售；冷食类食品制售。", "单位食堂（职工食堂）。"),
    "change_details": ("住所由原址变更至新址，其他事项不变。", "法定代表人变更为现任执行董事。", "注册资本由100万元增至500万元。"),
    "chemicals": ("甲醇、乙醇、丙酮（不带储存设施经营）。", "柴油、溶剂油（闭杯闪点≤60℃）。", "盐酸、硫酸、氢氧化钠。"),
    "scale_and_content": ("新建标准厂房2幢，购置生产设备30台（套）。", "技术改造，新增生产线1条。"),
    "construction_content": ("建设跨省连接道路2.4公里及配套设施。", "建设跨界产业园标准厂房及公共服务设施。"),
    "sites": ("常山县辉埠镇、玉山县六都乡交界处", "常山县球川镇、玉山县岩瑞镇"),
    "description": ("双方因宅基地边界发生争议，多次协商未果，请求调解。", "对方拖欠货款至今未付，请求协调处理。",
                    "交界处夜间有车辆违规倾倒建筑垃圾，请求两地联合处置。"),
    "requested_outcome": ("请求依法调解，明确边界。", "请求对方按约支付款项。"),
}
OPINIONS = ("经审核，申请材料齐全，符合法定条件，同意办理。", "已核验申请人信息，情况属实。", "经协查，信息一致，予以办结。",
            "经现场核查，符合条件，予以许可。")
AGENCY_REFUSALS = ("经核查，申请人不符合法定条件，依法不予许可。申请人如不服，可依法申请行政复议或提起行政诉讼。",
                   "现场核查发现经营场所与申报情况不符，不予许可。",
                   "经协查，申报信息与登记信息不一致，不予办理。")
INTAKE_REFUSALS = ("申请事项不属于本窗口受理范围，请向有权机关申请。", "申请人不具备申请资格，依法不予受理。",
                   "同一事项已在办理中，不重复受理。")
MATERIAL_PROBLEMS = ("扫描件不清晰，请重新上传清晰完整的文件。", "材料已过有效期，请提供有效期内的材料。",
                     "缺少签名或盖章页，请补充完整。")
FIELD_PROBLEMS = ("填写不完整，请写明具体门牌号或全称。", "与所附材料不一致，请核对后重新填写。")
SUSPENSIONS = ("需实地核查经营场所（现场核查）", "组织专家评审", "等待申请人补充原件", "依申请人请求举行听证")
WITHDRAWALS = ("申请人决定暂不办理。", "申请信息填写有误，将重新申请。", "已通过其他渠道办结。")
RETURNS = ("缺少申请人原件，需窗口核验后再办理。", "申请事项应由本部门另一科室办理，请窗口核对。")
REOPENINGS = ("已核验原件，请继续办理。", "已与申请人核实，请继续办理。")
RESULT_WORD = {"psb": "公", "amr": "市监", "eme": "应急", "hrss": "人社", "drc": "发改", "gov": "综治"}
NUMBER_RANGES = {
    "members_count": (1, 5), "registered_capital": (10, 1000), "premises_area": (20, 500), "storage_limit": (50, 500),
    "shop_area": (15, 80), "amount_owed": (3000, 120000), "workers_affected": (1, 30), "total_investment": (200, 50000),
    "annual_energy_use": (1000, 20000), "annual_electricity_use": (100, 5000), "amount_in_dispute": (5000, 500000),
}
DATE_OFFSETS = {  # days from the application date
    "residence_since": (-1826, -190),  # six months to five years (art. 2 asks for six months)
    "published_on": (-60, -3), "effective_date": (-30, 0),
    "period_start": (-400, -90), "period_end": (-60, -1), "planned_start": (20, 200), "occurred_on": (-10, 0),
}


class DemoCasesError(Exception):
    """The database is not ready for demo cases (no catalog, no calendar…)."""


class NotYet(Exception):
    """The case's next step would happen after ``now`` (or never, for a
    case meant to stay open): it stays where it is."""


# -- sample files ----------------------------------------------------------


def _blank_pdf() -> bytes:
    """A one-page blank A4 PDF with a correct cross-reference table."""
    bodies = (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, start)
    return bytes(out)


def _white_png() -> bytes:
    """A 1×1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


SAMPLE_PDF = _blank_pdf()
SAMPLE_PNG = _white_png()


def sample_file(material: dict, suffix: str = "") -> CheckedFile:
    """A small real file the material's slot accepts, checked like an upload."""
    kind = "pdf" if "pdf" in material["file_types"] else "png"
    name = "".join(ch for ch in material["name_zh"] if ch not in '/\\:*?"<>|') or material["code"]
    return check_upload(f"{name}{suffix}.{kind}", SAMPLE_PDF if kind == "pdf" else SAMPLE_PNG, material["file_types"])


# -- office time -----------------------------------------------------------


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI)


def office_sessions(calendar: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The office sessions of ``day`` (none on a day off)."""
    if not calendar.is_workday(day):
        return []
    return [(_local(day, start), _local(day, end)) for start, end in OFFICE_HOURS]


def office_minutes_later(calendar: WorkCalendar, moment: datetime, minutes: float) -> datetime:
    """``minutes`` of office time after ``moment``; from outside office
    hours, counted from the next opening."""
    remaining, local = timedelta(minutes=minutes), moment.astimezone(SHANGHAI)
    day = local.date()
    while True:
        for start, end in office_sessions(calendar, day):
            begin = max(start, local)
            if begin >= end:
                continue
            if begin + remaining <= end:
                return (begin + remaining).astimezone(timezone.utc)
            remaining -= end - begin
        day += timedelta(days=1)


def office_minutes_earlier(calendar: WorkCalendar, moment: datetime, minutes: float) -> datetime:
    """``minutes`` of office time before ``moment`` (0: the last office moment up to it)."""
    remaining, local = timedelta(minutes=minutes), moment.astimezone(SHANGHAI)
    day = local.date()
    while True:
        for start, end in reversed(office_sessions(calendar, day)):
            finish = min(end, local)
            if finish <= start:
                continue
            if finish - remaining >= start:
                return (finish - remaining).astimezone(timezone.utc)
            remaining -= finish - start
        day -= timedelta(days=1)


def office_minutes_between(calendar: WorkCalendar, start: datetime, end: datetime) -> float:
    total, day = timedelta(), start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        for open_, close in office_sessions(calendar, day):
            low, high = max(open_, start), min(close, end)
            if high > low:
                total += high - low
        day += timedelta(days=1)
    return total.total_seconds() / 60


def office_moment(
    calendar: WorkCalendar, rng: random.Random, day: date, not_before: datetime | None = None, until: time | None = None
) -> datetime | None:
    """A random moment in the office hours of ``day``, not before
    ``not_before`` and not after ``until``; None when none is left."""
    start = _local(day, time(0))
    if not_before is not None:
        start = max(start, not_before.astimezone(SHANGHAI))
    end = _local(day, until) if until else _local(day + timedelta(days=1), time(0))
    available = office_minutes_between(calendar, start, end)
    if available <= 0:
        return None
    return office_minutes_later(calendar, start, rng.uniform(0, available))


def office_moment_from(calendar: WorkCalendar, rng: random.Random, day: date, not_before: datetime) -> datetime:
    """A random office moment on ``day``, or on the first working day after it that has one."""
    while True:
        found = office_moment(calendar, rng, day, not_before)
        if found is not None:
            return found
        day += timedelta(days=1)


def soon(calendar: WorkCalendar, rng: random.Random, after: datetime, low: float, high: float) -> datetime:
    """``low`` to ``high`` office minutes after ``after``, before closing
    time that day when there is room: an instant matter (即办件) is
    finished the day it is accepted."""
    local = after.astimezone(SHANGHAI)
    left = office_minutes_between(calendar, local, _local(local.date() + timedelta(days=1), time(0)))
    if left >= low:
        high = min(high, left)
    return office_minutes_later(calendar, after, rng.uniform(low, high))


def waking_moment(rng: random.Random, day: date, not_before: datetime | None = None) -> datetime:
    """When a resident might use the portal: 07:30–22:30, any day."""
    while True:
        start, end = _local(day, time(7, 30)), _local(day, time(22, 30))
        if not_before is not None:
            start = max(start, not_before.astimezone(SHANGHAI))
        if start < end:
            return (start + (end - start) * rng.random()).astimezone(timezone.utc)
        day += timedelta(days=1)


# -- people, enterprises, answers --------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    mobile: str
    hukou: str  # changshan, yushan or elsewhere
    hukou_province: str
    residence: str
    residence_province: str


@dataclass(frozen=True)
class Enterprise:
    name: str
    credit_code: str
    county: str
    province: str


def id_number(rng: random.Random, region: str, birth: date, male: bool) -> str:
    """A valid GB 11643 number: region, birth date, serial (odd for men), check digit."""
    serial = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def person_name(rng: random.Random, male: bool) -> str:
    given = GIVEN_MALE if male else GIVEN_FEMALE
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))


def place(rng: random.Random, local_share: float = 0.8) -> tuple[str, str]:
    """A county of ours, or elsewhere with its province."""
    if rng.random() < local_share:
        return rng.choice(("changshan", "yushan")), ""
    return "elsewhere", rng.choice(ELSEWHERE)[0]


def new_person(rng: random.Random, hukou: tuple[str, str] | None = None) -> Person:
    """Someone born 1958–2006 whose ID number says where they were first registered."""
    male = rng.random() < 0.5
    hukou_county, hukou_province = hukou or place(rng, 0.75)
    birth = date(1958, 1, 1) + timedelta(days=rng.randrange(49 * 365))
    if hukou_county == "changshan":
        region = "330822"
    elif hukou_county == "yushan":
        region = "361123" if birth.year >= 2000 else "362323"
    else:
        region = rng.choice([e[1] for e in ELSEWHERE if e[0] == hukou_province])
    if hukou_county in OURS:
        # Most live across the border from their household registration: the window exists for them.
        other = County(hukou_county).across.value
        residence = (other, "") if rng.random() < 0.6 else (hukou_county, "") if rng.random() < 0.85 else place(rng, 0)
    else:
        residence = (rng.choice(("changshan", "yushan")), "")
    return Person(person_name(rng, male), id_number(rng, region, birth, male), mobile_number(rng),
                  hukou_county, hukou_province, residence[0], residence[1])


def new_enterprise(rng: random.Random, county: str, province: str) -> Enterprise:
    prefix = COUNTY_SHORT[county][0] if county in OURS else next(e[2] for e in ELSEWHERE if e[0] == province)[-3:]
    name = f"{prefix}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}有限公司"
    region = County(county).admin_code if county in OURS else next(e[1] for e in ELSEWHERE if e[0] == province)
    body = "91" + region + "".join(rng.choice(uscc._alphabet) for _ in range(9))
    return Enterprise(name, body + uscc.calc_check_digit(body), county, province)


def address(rng: random.Random, county: str, province: str = "") -> str:
    if county in OURS:
        prefix, towns, roads = COUNTY_ADDRESS[county]
        return f"{prefix}{rng.choice(towns)}{rng.choice(roads)}{rng.randint(1, 399)}号{rng.randint(1, 12)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
    city = next((e[2] for e in ELSEWHERE if e[0] == province), "")
    return f"{province}{city}建设路{rng.randint(1, 399)}号"


def unknown_permit_number(person: Person, moment: datetime, rng: random.Random) -> str:
    county = County(person.residence if person.residence in OURS else "changshan")
    return f"{county.admin_code}{(local_date(moment).year - 1) % 100:02d}{rng.randint(900000, 999999)}"


def text_value(name: str, plan: "CasePlan", rng: random.Random) -> str:
    person, enterprise = plan.person, plan.enterprise
    business = (plan.business_county or plan.window.value, plan.business_province)
    here = (person.residence, person.residence_province)
    generators = {
        "address": lambda: address(rng, *here),
        "destination_address": lambda: address(rng, plan.window.value),
        "new_address": lambda: address(rng, *business),
        "retail_point_address": lambda: address(rng, *business),
        "project_site": lambda: address(rng, *business),
        "location": lambda: f"{rng.choice(FREE_TEXT['sites'])}附近",
        # Replaced at filing by the number of the permit the applicant holds;
        # this one (a high sequence of last year) is none of ours.
        "permit_number": lambda: unknown_permit_number(person, plan.arrival, rng),
        "purpose": lambda: rng.choice(PURPOSES),
        "related_person": lambda: person_name(rng, rng.random() < 0.5),
        "other_party": lambda: person_name(rng, rng.random() < 0.5),
        "requesting_unit": lambda: new_enterprise(rng, *business).name,
        "employer_name": lambda: new_enterprise(rng, *business).name,
        "new_employer": lambda: new_enterprise(rng, *here).name,
        "previous_office": lambda: f"{COUNTY_SHORT.get(person.hukou, (person.hukou_province,))[0]}社会保险事业管理局",
        "enterprise_name": lambda: enterprise.name,
        "operator_name": lambda: enterprise.name,
        "credit_code": lambda: enterprise.credit_code,
        "project_name": lambda: f"{enterprise.name.removesuffix('有限公司')}年产{rng.randint(1, 50)}万件产品建设项目",
    }
    if name in generators and (enterprise is not None or name not in ("enterprise_name", "operator_name", "credit_code", "project_name")):
        return generators[name]()
    return rng.choice(FREE_TEXT.get(name, ("详见申请材料。",)))


def field_value(spec: dict, plan: "CasePlan", rng: random.Random, day: date) -> str:
    name, kind = spec["name"], spec["type"]
    if kind == "select":
        return rng.choice(spec["choices"])["value"]
    if kind == "number":
        low, high = NUMBER_RANGES.get(name, (1, 100))
        return str(rng.randint(low, high))
    if kind == "date":
        low, high = DATE_OFFSETS.get(name, (-365, 0) if spec.get("not_after_today") else (0, 90))
        return (day + timedelta(days=rng.randint(low, high))).isoformat()
    limit = spec.get("max_length") or (2000 if kind == "textarea" else 200)
    return text_value(name, plan, rng)[:limit]


def form_fields(service: Service, plan: "CasePlan", rng: random.Random, day: date) -> dict[str, str]:
    """The service's own fields: every required one, about half the optional ones."""
    return {
        spec["name"]: field_value(spec, plan, rng, day)
        for spec in service.fields
        if spec["required"] or rng.random() < 0.5
    }


# -- planning ----------------------------------------------------------------


@dataclass
class Resident:
    """An account that applies online (a demo resident or a generated one)."""

    user_id: int
    person: Person


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
    permit: "PermitPlan | None" = None  # for the residence-permit services
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


@dataclass
class Demo:
    """What every step needs: the session, the calendar, the real ``now``
    and the demo actors."""

    session: Session
    calendar: WorkCalendar
    now: datetime
    services: dict[str, Service]
    clerks: dict[County, User]
    officers: dict[int, User]  # by agency id
    residents: list[Resident]
    workdays: list[date]  # the working days of the period, oldest first
    writes: FileWrites | None = None

    def at(self, moment: datetime) -> datetime:
        """``moment``, if it is not after now."""
        if moment > self.now:
            raise NotYet
        return moment


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
    people: "PermitPeople | None" = None,
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


# -- residence permits -----------------------------------------------------------


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


def workday_between(demo: Demo, rng: random.Random, low: date, high: date) -> date | None:
    """A random working day from ``low`` to ``high``, or None."""
    if low < demo.calendar.first_day:
        return None
    days = [low + timedelta(days=k) for k in range((high - low).days + 1)]
    days = [d for d in days if demo.calendar.is_workday(d)]
    return rng.choice(days) if days else None


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
    return CasePlan(
        index=plan.index, outcome="delivered", service_code=permits.ISSUE, channel=Channel.counter, person=plan.person,
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
                                             mobile=person.mobile, password=DEMO_PASSWORD, now=signed_up)
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


def recent_workday(demo: Demo, back: int) -> date:
    """The working day ``back`` working days before the latest one of the period."""
    return demo.workdays[max(0, len(demo.workdays) - 1 - back)]


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
    return waking_moment(rng, day, _local(day, time(17, 45)))


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


# -- intake ----------------------------------------------------------------


def application_answers(demo: Demo, plan: CasePlan, service: Service, rng: random.Random, day: date) -> dict:
    """What the application form would have saved in the draft."""
    person = plan.person
    fields = form_fields(service, plan, rng, day)
    licences = permit_fields(demo, plan, fields, rng, day) if plan.permit is not None else {}
    answers = {
        "applicant": {"user_id": plan.account_id, "name": person.name, "id_number": person.id_number, "mobile": person.mobile},
        "hukou_county": person.hukou,
        "hukou_province": person.hukou_province,
        "residence_county": person.residence,
        "residence_province": person.residence_province,
        "fields": fields,
        "receiving_county": plan.window.value,
    }
    if licences:
        answers["licences"] = licences
    if needs_business_location(service):
        answers["business_county"] = plan.business_county
        answers["business_province"] = plan.business_province
    if plan.channel is Channel.counter:
        answers["identity_checked"] = True
    check_facts(service.code, plan.window.value, answers)
    answers["complete"] = True
    return answers


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
    for material, moment in zip(materials, steps):
        if material["code"] in answers.get("licences", {}):
            continue  # 免提交: the electronic licence stands in for the scan
        attach_file(demo.session, demo.writes, sample_file(material), material["code"], owner, moment, draft=draft)
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
    uploads = {i["key"]: sample_file(materials[i["key"]], "（补正）") for i in notice.items if i["kind"] == "material"}
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
    pending = sorted(set(m["code"] for m in case.service.materials if not m["required"]) - set(current_files(case.files)))
    if plan.has("pending") and pending:
        follow_up = demo.calendar.nth_workday_after(local_date(moment), min(3, max(1, case.service.statutory_workdays)))
        accept_with_pending(session, case, clerk, demo.at(moment), demo.calendar, [rng.choice(pending)], follow_up)
    else:
        accept_case(session, case, clerk, demo.at(moment), demo.calendar)
    return moment


# -- the agencies --------------------------------------------------------------


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
    """The officer returns the task to the window, which sorts it out; the officer claims it again."""
    calendar, officer = demo.calendar, officer_of(demo, task)
    returned = office_minutes_later(calendar, claimed, rng.uniform(20, 240))
    return_task(demo.session, task, officer, demo.at(returned), rng.choice(RETURNS))
    reopened = office_minutes_later(calendar, returned, rng.uniform(30, 480))
    reopen_task(demo.session, task, demo.clerks[plan.window], demo.at(reopened), rng.choice(REOPENINGS))
    again = office_minutes_later(calendar, reopened, rng.uniform(10, 200))
    claim_task(demo.session, task, officer, demo.at(again))
    return again


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
            refuse_task(demo.session, task, officer, demo.at(moment), rng.choice(AGENCY_REFUSALS), calendar=demo.calendar)
            return moment
        if last and plan.delivery == "electronic" and task is tasks[0] and not plan.refused_by_rule:
            attach_result(demo.session, demo.writes, task, sample_file({"name_zh": "办理结果", "code": "result", "file_types": ["pdf"]}),
                          officer, demo.at(moment))
        county, word = COUNTY_SHORT[task.agency.county.value][1], RESULT_WORD.get(task.agency.department.value, "")
        number = f"{county}{word}证字〔{local_date(moment).year}〕{rng.randint(1, 9999):04d}号"
        complete_task(demo.session, task, officer, demo.at(moment), demo.calendar, rng.choice(OPINIONS), number)
    return decisions[-1][0]


def through_the_agencies(demo: Demo, plan: CasePlan, case: Case, accepted: datetime, rng: random.Random) -> None:
    """Stage after stage until the case is completed or refused, or stops
    open (in progress, overdue, suspended) as planned."""
    start = accepted
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
    deliver_case(demo.session, case, demo.clerks[plan.window], demo.at(moment), method)


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


# -- accounts ------------------------------------------------------------------


def demo_actors(session: Session, registered_at: datetime) -> tuple[dict[County, User], dict[int, User]]:
    """The demo clerks of both windows and an officer for every agency,
    creating the demo accounts when they are missing."""
    agencies = session.scalars(select(Agency).order_by(Agency.code)).all()
    wanted = ["clerk.cs", "clerk.ys", *(f"officer.{a.code}" for a in agencies)]

    def found() -> dict[str, User]:
        return {u.username: u for u in session.scalars(select(User).where(User.username.in_(wanted)))}

    users = found()
    if len(users) < len(wanted):
        load_demo(session, registered_at)
        users = found()
    missing = [name for name in wanted if name not in users]
    if missing:
        raise DemoCasesError(f"These demo accounts are missing and cannot be created: {', '.join(missing)}.")
    clerks = {County.changshan: users["clerk.cs"], County.yushan: users["clerk.ys"]}
    return clerks, {a.id: users[f"officer.{a.code}"] for a in agencies}


DEMO_FACTS = {  # the demo residents' household registration and where they live
    DEMO_RESIDENTS[0]["id_number"]: ("changshan", "yushan"),
    DEMO_RESIDENTS[1]["id_number"]: ("yushan", "changshan"),
}


def resident_pool(session: Session, registered_at: datetime) -> list[Resident]:
    """The demo residents and a fixed set of generated residents (demo
    accounts too, with the demo password), created when missing."""
    residents = []
    for entry in DEMO_RESIDENTS:
        user = session.scalar(select(User).where(User.id_number == entry["id_number"]))
        hukou, residence = DEMO_FACTS[entry["id_number"]]
        if user is not None:
            residents.append(Resident(user.id, Person(user.real_name, user.id_number, user.mobile, hukou, "", residence, "")))
    rng = random.Random(RESIDENT_POOL_SEED)
    for _ in range(RESIDENT_POOL_SIZE):
        person = new_person(rng)
        signed_up = registered_at - timedelta(days=rng.randint(1, 300))
        user = session.scalar(select(User).where(User.id_number == person.id_number))
        if user is None:
            if session.scalar(select(User.id).where(User.mobile == person.mobile)):
                continue
            user = register_resident(session, real_name=person.name, id_number=person.id_number, mobile=person.mobile,
                                     password=DEMO_PASSWORD, now=signed_up)
            user.is_demo = True
        elif user.real_name != person.name:
            continue
        residents.append(Resident(user.id, Person(user.real_name, user.id_number, user.mobile, person.hukou,
                                                  person.hukou_province, person.residence, person.residence_province)))
    session.flush()
    return residents


# -- the run -------------------------------------------------------------------


@dataclass
class Report:
    """What was generated, for the summary the command prints."""

    requested: int
    days: int
    seed: int
    by_status: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    by_window: Counter = field(default_factory=Counter)
    services: set = field(default_factory=set)
    corrected: int = 0
    suspended: int = 0
    suspended_now: int = 0
    late: int = 0
    levels: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    permit_counts: Counter = field(default_factory=Counter)  # issued, endorsed, endorsed_late, replaced, refused
    earlier: int = 0  # first issues dated before the endorsements and replacements, not among the cases asked for

    @property
    def created(self) -> int:
        return sum(self.by_status.values())

    def count(self, demo: Demo, case: Case) -> None:
        self.by_status[case.status.value] += 1
        self.by_channel[case.channel.value] += 1
        self.by_window[case.receiving_county.value] += 1
        self.services.add(case.service.code)
        self.corrected += any(n.kind is NoticeKind.correction for n in case.notices)
        self.suspended += bool(case.suspensions)
        self.suspended_now += case.status is CaseStatus.suspended
        decided = case.status in (CaseStatus.completed, CaseStatus.refused, CaseStatus.delivered)
        self.late += bool(decided and case.due_at and case.closed_at and case.closed_at > case.due_at)
        level = case_level(demo.calendar, case, demo.now)
        if level is not None:
            self.levels[level.value] += 1
        if case.service.code in PERMIT_SERVICES:
            self.count_permit(demo, case)

    def count_permit(self, demo: Demo, case: Case) -> None:
        session = demo.session
        issued = session.scalar(select(ResidencePermit.id).where(ResidencePermit.case_id == case.id).limit(1))
        if issued is not None:
            self.permit_counts["replaced" if case.service.code == permits.REPLACE else "issued"] += 1
        endorsement = session.scalar(select(PermitEndorsement).where(PermitEndorsement.case_id == case.id))
        if endorsement is not None:
            self.permit_counts["endorsed"] += 1
            self.permit_counts["endorsed_late"] += endorsement.late
        # The rule refuses at completion: a decision with no officer's name.
        self.permit_counts["refused"] += any(n.kind is NoticeKind.decision_refusal and n.issued_by_id is None for n in case.notices)

    def lines(self) -> list[str]:
        lines = [f"Generated {self.created} demo cases over the last {self.days} days (seed {self.seed})."]
        lines.append("By status:")
        lines += [f"  {status.value:<22}{self.by_status[status.value]:>5}" for status in CaseStatus if self.by_status[status.value]]
        lines.append(
            f"Asked to correct before acceptance: {self.corrected} "
            f"({self.by_status['correction_requested']} still waiting for the applicant)"
        )
        lines.append(f"Suspended (special procedure): {self.suspended}, {self.suspended_now} of them still suspended")
        lines.append(f"Completed late (after the due date): {self.late}")
        on_clock = sum(self.levels.values())
        lines.append(
            f"Open on the clock: {on_clock} ({self.levels['overdue']} overdue, "
            f"{self.levels['due_soon']} due within 1 working day)"
        )
        lines.append(
            f"Windows: changshan {self.by_window['changshan']}, yushan {self.by_window['yushan']}; "
            f"channels: online {self.by_channel['online']}, counter {self.by_channel['counter']}; "
            f"services: {len(self.services)}"
        )
        p = self.permit_counts
        lines.append(
            f"Residence permits: {p['issued']} issued, {p['endorsed']} endorsed ({p['endorsed_late']} late), "
            f"{p['replaced']} replaced; {p['refused']} permit cases refused under the Interim Regulations on Residence Permits"
        )
        if self.earlier:
            lines.append(
                f"Earlier first issues of the permits endorsed or replaced: {self.earlier} "
                f"(dated before those cases, mostly before the period; not counted above)"
            )
        for reason, count in sorted(self.skipped.items()):
            lines.append(f"Not created: {count} ({reason})")
        return lines


def prepare(session: Session, now: datetime, days: int) -> Demo:
    services = {s.code: s for s in session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.code))}
    if not services:
        raise DemoCasesError("The catalog is empty: run `flask --app portal setup` (or `catalog load`) first.")
    try:
        calendar = WorkCalendar.load(session)
    except ValueError:
        raise DemoCasesError("The working-day calendar is empty: run `flask --app portal calendar seed` first.")
    today = local_date(now)
    if today - timedelta(days=days) < calendar.first_day:
        raise DemoCasesError(f"The calendar starts on {calendar.first_day}; ask for fewer days.")
    workdays = [d for d in (today - timedelta(days=k) for k in range(days - 1, -1, -1)) if calendar.is_workday(d)]
    if not workdays:
        raise DemoCasesError(f"There is no working day in the period asked for (--days {days}); ask for more days.")
    registered_at = _local(workdays[0], time(8, 0)).astimezone(timezone.utc) - timedelta(days=1)
    clerks, officers = demo_actors(session, registered_at)
    residents = resident_pool(session, registered_at)
    return Demo(session, calendar, now, services, clerks, officers, residents, workdays)


def plan_cases(demo: Demo, count: int, seed: int) -> list[CasePlan]:
    """Every case's outcome, service, applicant and arrival, oldest first
    (so numbers follow arrival order). Each case has its own random stream."""
    master = random.Random(f"{seed}")
    outcomes, twists = assign_outcomes(count, master)
    services = assign_services(count, list(demo.services.values()), master)
    instant = {code for code, service in demo.services.items() if service.kind is ServiceKind.instant}
    keep_instant_out_of_progress(outcomes, services, instant)
    people = PermitPeople(demo, seed)
    plans = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}:plan")
        plan = plan_case(demo, index, outcomes[index], twists[index], services[index], rng, people)
        plan.arrival = plan_arrival(demo, plan, rng)
        plans.append(plan)
    plans += settle_permits(demo, plans, seed)
    plans.sort(key=lambda p: (p.arrival, p.earlier is False, p.index))
    return plans


def generate_cases(session: Session, now: datetime, *, cases: int, days: int, seed: int, batch_size: int = BATCH_SIZE) -> Report:
    """Create ``cases`` demo cases that came in over the ``days`` before
    ``now``, committing every ``batch_size`` cases."""
    demo = prepare(session, now, days)
    plans = plan_cases(demo, cases, seed)
    session.commit()
    report = Report(requested=cases, days=days, seed=seed)
    for first in range(0, len(plans), batch_size):
        with file_writes() as writes:
            demo.writes = writes
            for plan in plans[first:first + batch_size]:
                carry_planned(demo, plan, seed, report)
            session.commit()
            writes.committed = True
    return report


def carry_planned(demo: Demo, plan: CasePlan, seed: int, report: Report) -> None:
    """One case in its own savepoint: a rule refusing it (an agency taken
    out of routing, say) skips that case, not the run."""
    rng = random.Random(f"{seed}:{plan.key}:life")
    stored = len(demo.writes.paths)
    try:
        with demo.session.begin_nested():
            case = carry_case(demo, plan, rng)
            if plan.earlier:
                report.earlier += 1
            else:
                report.count(demo, case)
    except NotYet:
        report.skipped["it would have come in after now"] += 1
    except DomainError as error:
        with force_locale("en"):
            report.skipped[str(error.message)] += 1
        for path in demo.writes.paths[stored:]:
            path.unlink(missing_ok=True)
        del demo.writes.paths[stored:]
