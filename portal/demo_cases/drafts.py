"""What a generated draft holds: the answers the application form would
have saved (the service's fields filled in plausibly, the applicant, the
places) and small real files for its materials, checked like uploads."""

from __future__ import annotations

import random
import struct
import zlib
from datetime import date, timedelta

from portal.demo_cases.people import COUNTY_SHORT, address, new_enterprise, person_name
from portal.demo_cases.permits import permit_fields, unknown_permit_number
from portal.demo_cases.plans import CasePlan
from portal.demo_cases.setting import Demo
from portal.domain.answers import needs_business_location
from portal.domain.routing import check_facts
from portal.domain.uploads import CheckedFile, UploadStore
from portal.models import Service
from portal.models.enums import Channel

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


def sample_file(uploads: UploadStore, material: dict, suffix: str = "") -> CheckedFile:
    """A small real file the material's slot accepts, checked like an upload."""
    kind = "pdf" if "pdf" in material["file_types"] else "png"
    name = "".join(ch for ch in material["name_zh"] if ch not in '/\\:*?"<>|') or material["code"]
    return uploads.check(f"{name}{suffix}.{kind}", SAMPLE_PDF if kind == "pdf" else SAMPLE_PNG, material["file_types"])


def text_value(name: str, plan: CasePlan, rng: random.Random) -> str:
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


def field_value(spec: dict, plan: CasePlan, rng: random.Random, day: date) -> str:
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


def form_fields(service: Service, plan: CasePlan, rng: random.Random, day: date) -> dict[str, str]:
    """The service's own fields: every required one, about half the optional ones."""
    return {
        spec["name"]: field_value(spec, plan, rng, day)
        for spec in service.fields
        if spec["required"] or rng.random() < 0.5
    }


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
