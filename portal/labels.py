"""Words shown for the domain's codes, through the translation layer."""

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from portal.domain.waybills import carrier_name
from portal.i18n import current_language

COUNTIES = {
    "changshan": _l("Changshan County, Zhejiang"),
    "yushan": _l("Yushan County, Jiangxi"),
}
COUNTY_SHORT = {"changshan": _l("Changshan"), "yushan": _l("Yushan")}
GOVERNMENTS = {
    "changshan": _l("Changshan County People's Government"),
    "yushan": _l("Yushan County People's Government"),
}
WINDOWS = {
    "changshan": _l("Changshan window"),
    "yushan": _l("Yushan window"),
}
DEPARTMENTS = {
    "psb": _l("Public security"),
    "gov": _l("Social governance and mediation"),
    "amr": _l("Market regulation"),
    "eme": _l("Emergency management"),
    "hrss": _l("Human resources and social security"),
    "drc": _l("Development and reform"),
}
# Department words a resident may search by, in both languages.
DEPARTMENT_NAMES_ALL = {
    "psb": ("公安", "公安局", "public security", "police"),
    "gov": ("社会治理", "矛盾调解", "调解", "social governance", "mediation"),
    "amr": ("市场监管", "市场监督管理", "市监", "market regulation"),
    "eme": ("应急管理", "应急", "emergency management"),
    "hrss": ("人力社保", "人社", "人力资源和社会保障", "human resources", "social security"),
    "drc": ("发展改革", "发改", "development and reform"),
}
MODES = {
    "online": _l("Fully online"),
    "collect": _l("Collected at either window"),
    "joint": _l("Handled jointly by both counties"),
}
MODE_EXPLAINED = {
    "online": _l(
        "Apply and upload everything online; you do not need to visit a window."
    ),
    "collect": _l(
        "Apply online or at the window in either county; the window passes your "
        "application to the agency that decides it, wherever it is."
    ),
    "joint": _l(
        "Agencies in both provinces act on one application; the portal carries it "
        "between them so you do not travel across the border."
    ),
}
KINDS = {
    "instant": _l("Done the same working day"),
    "promised": _l("Done within a promised time"),
}
SELECTORS = {
    "residence": _l("the county where you live or work"),
    "hukou": _l("the county of your household registration"),
    "business": _l("the county where the enterprise is"),
    "receiving": _l("the county of the window that receives the application"),
    "other": _l("the county across the border from the receiving window"),
    "both": _l("both counties"),
}
APPLICANTS = {"person": _l("Individuals"), "enterprise": _l("Enterprises")}
ROLES = {
    "resident": _l("Resident"),
    "clerk": _l("Window clerk"),
    "officer": _l("Agency officer"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}
FILE_TYPES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
DAY_SOURCES = {
    "library": _l("National schedule (chinesecalendar package)"),
    "estimate": _l("Estimate: Monday to Friday minus holidays known in advance"),
    "admin": _l("Entered by an administrator"),
}
DAY_KINDS = {
    "weekday": _l("Working day"),
    "weekend": _l("Weekend"),
    "holiday": _l("Holiday"),
    "makeup": _l("Make-up working day"),
}
HOLIDAY_NAMES = {
    "元旦": _l("New Year's Day"),
    "春节": _l("Spring Festival"),
    "清明节": _l("Qingming Festival"),
    "劳动节": _l("Labour Day"),
    "端午节": _l("Dragon Boat Festival"),
    "中秋节": _l("Mid-Autumn Festival"),
    "国庆节": _l("National Day"),
    "抗战胜利70周年纪念日": _l("70th anniversary of the victory of the War of Resistance"),
}


def holiday_name(name: str) -> str:
    """Calendar names are stored in Chinese; show known ones in the UI language."""
    if name.endswith("调休") and name[:-2] in HOLIDAY_NAMES:
        return gettext("Make-up day for %(name)s", name=HOLIDAY_NAMES[name[:-2]])
    return str(HOLIDAY_NAMES.get(name, name))


def promise_words(workdays: int) -> str:
    if workdays == 0:
        return gettext("the same working day")
    return ngettext("%(num)d working day", "%(num)d working days", workdays)


# Provincial-level divisions, for household registration or residence
# outside the two counties: (value stored, English label).
PROVINCES = (
    ("北京市", "Beijing"), ("天津市", "Tianjin"), ("河北省", "Hebei"), ("山西省", "Shanxi"),
    ("内蒙古自治区", "Inner Mongolia"), ("辽宁省", "Liaoning"), ("吉林省", "Jilin"),
    ("黑龙江省", "Heilongjiang"), ("上海市", "Shanghai"), ("江苏省", "Jiangsu"), ("浙江省", "Zhejiang"),
    ("安徽省", "Anhui"), ("福建省", "Fujian"), ("江西省", "Jiangxi"), ("山东省", "Shandong"),
    ("河南省", "Henan"), ("湖北省", "Hubei"), ("湖南省", "Hunan"), ("广东省", "Guangdong"),
    ("广西壮族自治区", "Guangxi"), ("海南省", "Hainan"), ("重庆市", "Chongqing"), ("四川省", "Sichuan"),
    ("贵州省", "Guizhou"), ("云南省", "Yunnan"), ("西藏自治区", "Tibet"), ("陕西省", "Shaanxi"),
    ("甘肃省", "Gansu"), ("青海省", "Qinghai"), ("宁夏回族自治区", "Ningxia"),
    ("新疆维吾尔自治区", "Xinjiang"), ("香港特别行政区", "Hong Kong"), ("澳门特别行政区", "Macao"),
    ("台湾省", "Taiwan"),
)
PLACES = {
    "changshan": _l("Changshan County, Zhejiang"),
    "yushan": _l("Yushan County, Jiangxi"),
    "elsewhere": _l("Elsewhere"),
}
CASE_STATUSES = {
    "submitted": _l("Received, awaiting the window's check"),
    "correction_requested": _l("Correction requested"),
    "accepted": _l("Accepted"),
    "refused_intake": _l("Not accepted"),
    "in_progress": _l("Being handled"),
    "suspended": _l("Special procedure (clock stopped)"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "delivered": _l("Result delivered"),
    "withdrawn": _l("Withdrawn"),
}
CHANNELS = {"online": _l("Online"), "counter": _l("At the window")}
EVENT_ACTIONS = {
    "submit": _l("Application received"),
    "request_correction": _l("Correction requested"),
    "resubmit": _l("Corrected and resubmitted"),
    "accept": _l("Accepted by the window"),
    "refuse_intake": _l("Not accepted by the window"),
    "withdraw": _l("Withdrawn at the applicant's request"),
    "start": _l("Handling started"),
    "suspend": _l("Special procedure started"),
    "resume": _l("Special procedure ended"),
    "complete": _l("Completed"),
    "refuse": _l("Refused"),
    "deliver": _l("Result delivered"),
    "due_date_changed": _l("Due date changed"),
    "task_created": _l("Sent to the agency"),
    "task_claim": _l("Task claimed"),
    "task_release": _l("Task released to the queue"),
    "task_complete": _l("Task completed"),
    "task_refuse": _l("Task refused"),
    "task_suspend": _l("Task in a special procedure"),
    "task_resume": _l("Task resumed"),
    "task_cancel": _l("Task cancelled"),
    "task_return": _l("Task returned to the window"),
    "task_reopen": _l("Task sent back to the agency"),
    "task_reply": _l("The window answered the return; back with the officer"),
    "task_answer": _l("The applicant answered; back with the officer"),
    "task_answer_to_queue": _l("The applicant answered; back to the agency's queue"),
    "await_applicant": _l("The applicant is asked to supply something; the clock is stopped"),
    "applicant_answered": _l("The applicant answered; the clock runs again"),
    "correction_reminder": _l("Reminder: one working day left to correct"),
    "request_reminder": _l("Reminder: one working day left to supply what was asked"),
    "lapse_correction": _l("Not corrected in time: treated as withdrawn"),
    "task_transfer": _l("Task transferred to another agency"),
    "sla_due_soon": _l("Alert: due within 1 working day"),
    "sla_overdue": _l("Alert: overdue"),
    "rate": _l("Service rated"),
    "follow_up_closed": _l("Follow-up of the rating answered"),
    "permit_issued": _l("Electronic residence permit issued"),
    "permit_endorsed": _l("Residence permit endorsed"),
    "paper_held": _l("Originals held at the window"),
    "paper_sent": _l("Originals sent to the competent agency"),
    "paper_received": _l("Originals received by the competent agency"),
    "paper_missing": _l("Originals reported missing"),
    "paper_waived": _l("Task completed before the originals arrived"),
    "sla_paper_overdue": _l("Alert: originals in transit too long"),
}
PERMIT_CHECK_RESULTS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "needs_endorsement": _l("Needs endorsement"),
    "revoked": _l("Revoked"),
    "unknown": _l("Unknown: no permit matches this number and code"),
}
TASK_STATUSES = {
    "open": _l("Not yet claimed"),
    "claimed": _l("Claimed"),
    "suspended": _l("In a special procedure"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "returned": _l("Returned to the window"),
    "cancelled": _l("Cancelled"),
}
DELIVERY_METHODS = {
    "window": _l("Collected at the window"),
    "post": _l("Sent by post"),
    "electronic": _l("Electronic result, downloaded from the case page"),
}
NOTICE_KINDS = {
    "acceptance": _l("Notice of acceptance"),
    "acceptance_pending": _l("Notice of acceptance with materials to follow"),
    "correction": _l("Notice of correction"),
    "refusal": _l("Notice of non-acceptance"),
    "decision_refusal": _l("Decision of refusal"),
    "correction_lapsed": _l("Notice: not corrected in time, treated as withdrawn"),
    "supplement_request": _l("Request to the applicant"),
}
LEVELS = {
    "on_track": _l("On track"),
    "due_soon": _l("Due within 1 working day"),
    "overdue": _l("Overdue"),
}


def place(county: str | None, province: str = "") -> str:
    """Changshan / Yushan by name; elsewhere by its province, in the UI language."""
    if county in ("changshan", "yushan"):
        return str(PLACES[county])
    if province:
        if current_language() == "en":
            return dict(PROVINCES).get(province, province)
        return province
    return str(PLACES.get(county or "elsewhere", county or ""))


def colon() -> str:
    """The label separator of the UI language: full-width in Chinese."""
    return ": " if current_language() == "en" else "："


def list_separator() -> str:
    """Between the items of a list in a sentence: the enumeration comma (、) in Chinese."""
    return ", " if current_language() == "en" else "、"


# 好差评: the five grades of a rating and the aspects rated for each channel.
RATING_LABELS = {
    1: _l("Very dissatisfied"),
    2: _l("Dissatisfied"),
    3: _l("Fairly satisfied"),
    4: _l("Satisfied"),
    5: _l("Very satisfied"),
}
SUB_SCORES = {
    "efficiency": _l("Efficiency"),
    "guide_accuracy": _l("Accuracy of the guide"),
    "convenience": _l("Convenience"),
    "ease_of_use": _l("Ease of use"),
    "quality": _l("Quality of service"),
    "attitude": _l("Attitude"),
}


def carrier(code: str | None) -> str:
    """A carrier's name (中国邮政EMS, 顺丰速运…) in the current language."""
    return carrier_name(code, current_language())
