"""The people of the demo cases: generated applicants with valid ID numbers
(GB 11643) and mobile numbers, their household registration and where they
live, the enterprises they act for, their addresses; and the residents with
an account who apply online (the demo residents and a fixed generated set)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from portal.demo_cases.accounts import DEMO_PASSWORD, DEMO_RESIDENTS
from portal.domain.accounts import register_resident
from portal.domain.passwords import Passwords
from portal.domain.routing import OURS
from portal.models import County, User

RESIDENT_POOL_SIZE = 20
RESIDENT_POOL_SEED = "kstb-demo-residents"  # the same generated residents whatever the seed

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
        street = f"{rng.choice(towns)}{rng.choice(roads)}{rng.randint(1, 399)}号"
        return f"{prefix}{street}{rng.randint(1, 12)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
    city = next((e[2] for e in ELSEWHERE if e[0] == province), "")
    return f"{province}{city}建设路{rng.randint(1, 399)}号"


@dataclass
class Resident:
    """An account that applies online (a demo resident or a generated one)."""

    user_id: int
    person: Person


DEMO_FACTS = {  # the demo residents' household registration and where they live
    DEMO_RESIDENTS[0]["id_number"]: ("changshan", "yushan"),
    DEMO_RESIDENTS[1]["id_number"]: ("yushan", "changshan"),
}


def resident_pool(session: Session, registered_at: datetime, passwords: Passwords) -> list[Resident]:
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
            user = register_resident(
                session, real_name=person.name, id_number=person.id_number, mobile=person.mobile, password=DEMO_PASSWORD,
                passwords=passwords, now=signed_up,
            )
            user.is_demo = True
        elif user.real_name != person.name:
            continue
        residents.append(
            Resident(
                user.id,
                Person(
                    user.real_name,
                    user.id_number,
                    user.mobile,
                    person.hukou,
                    person.hukou_province,
                    person.residence,
                    person.residence_province,
                ),
            )
        )
    session.flush()
    return residents
