"""Text messages to applicants, through the outbox: the step that concerns
them is written as a pending message in its own transaction and the relay
sends it through the configured gateway, never the request that caused it.

The text is worded when sent, from the event and the case as they stand
then (at acceptance the due date is stored only after the event), in
Chinese: the applicants of both counties read Chinese, and a text message
has no language switch.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from portal.clients import Attempt, post_json
from portal.domain.clock import SHANGHAI, local_date
from portal.domain.identity import mask_mobile
from portal.domain.outbox import enqueue
from portal.domain.waybills import carrier_name
from portal.models import Case, Event
from portal.models.enums import OutboxChannel

SIGNATURE = "【常山玉山跨省通办】"
WINDOW_NAMES = {"changshan": "常山窗口", "yushan": "玉山窗口"}
DELIVERY_WORDS = {"window": "窗口领取", "post": "邮寄送达", "electronic": "电子送达"}
GATEWAY_TIMEOUT = 10.0
QUERY_CODE = re.compile(r"(查询码)\d+")
VERIFICATION_CODE = re.compile(r"(验证码)\d+")
HIDDEN_CODE = r"\1******"


def _date(moment: datetime | None) -> str:
    return local_date(moment).isoformat() if moment else ""


def sms_text(case: Case, event: Event) -> str:
    """The text for one step of the case, short enough for one or two messages."""
    number, window = case.number, WINDOW_NAMES.get(case.receiving_county.value, "窗口")
    note = (event.note or "").strip().rstrip("。.")[:60]
    data = event.data or {}
    permit = data.get("permit", "")
    by = data.get("by", "")  # the last day to correct or answer
    online = case.service.mode.value == "online"  # 全程网办: the result is delivered on the case page
    words = {
        "accept": f"您的办件{number}已受理，最迟于{_date(case.due_at)}办结。查询码{case.query_code}。"
        if case.due_at
        else f"您的办件{number}已受理。查询码{case.query_code}。",
        "request_correction": f"您的申请{number}需要补正，请于{by}前按补正告知书一次性补齐材料，逾期未补正视为撤回申请。"
        if by
        else f"您的申请{number}需要补正，请按补正告知书一次性补齐材料。",
        "correction_reminder": f"您的申请{number}补正期限为{by}，请在当天结束前补正，逾期未补正视为撤回申请。",
        "request_reminder": f"您的办件{number}需要您补充的内容请于{by}前在办件页面上传或到{window}提交，补充前办理时限暂停计算。",
        "lapse_correction": f"您的申请{number}未在{by}前补正，视为撤回申请。如需办理，请重新提出申请。",
        "await_applicant": f"您的办件{number}需要您补充：{note}。请于{by}前在办件页面上传或到{window}提交，期间办理时限暂停计算。",
        "applicant_answered": f"您的办件{number}已收到您补充的内容，继续办理。",
        "refuse_intake": f"您的申请{number}未予受理，理由及救济途径见不予受理通知书。",
        "suspend": f"您的办件{number}进入特别程序，办理时限暂停计算。原因：{note}。",
        "resume": f"您的办件{number}特别程序已结束，继续办理。",
        "complete": f"您的办件{number}已办结，电子结果已送达，请登录办件页面查看。"
        if online
        else f"您的办件{number}已办结，请到{window}领取结果。",
        "refuse": f"您的办件{number}不予许可，原因：{note}。决定书已在办件页面送达。"
        if online
        else f"您的办件{number}不予许可，原因：{note}。决定书请到{window}领取。",
        "deliver": f"您的办件{number}办理结果已邮寄送达，{carrier_name(data.get('carrier'))}运单号{data['waybill']}，请注意查收。"
        if data.get("waybill")
        else f"您的办件{number}办理结果已送达（{DELIVERY_WORDS.get(data.get('method'), '已交付')}）。",
        "permit_issued": f"您的电子居住证{permit}已签发，可在“我的办件”中查看和出示。",
        "permit_endorsed": f"您的居住证{permit}已完成签注，有效期延长一年。",
        "follow_up_closed": f"您对办件{number}的评价已有答复，请登录查看。",
    }
    return SIGNATURE + words.get(event.action, f"您的办件{number}有新进展，请登录查看。")


def enqueue_sms(session: Session, case: Case, event: Event, now: datetime) -> None:
    """A text to the mobile number given on the application, with or
    without an account (walk-in applicants too)."""
    mobile = (case.applicant_mobile or "").strip()
    if not mobile:
        return
    enqueue(
        session, OutboxChannel.sms, "sms", lambda _id: {"mobile": mobile, "event_id": event.id, "action": event.action},
        now, case=case,
    )


def lockout_text(case: Case, locked_until: datetime) -> str:
    """The warning that someone is guessing the case's query code; it names
    neither the code nor where the guesses came from."""
    until = locked_until.astimezone(SHANGHAI)
    return (
        f"{SIGNATURE}有人多次用错误的查询码查询您的办件{case.number}，"
        f"该办件的查询码查询已暂停至{until:%m月%d日%H:%M}。请妥善保管申请回执，不要把查询码告诉他人。"
    )


def enqueue_lockout_warning(session: Session, case: Case, locked_until: datetime, now: datetime) -> None:
    """A text to the mobile number on the application when its tracking is
    locked: the words are stored with it, as there is no event to word them
    from."""
    mobile = (case.applicant_mobile or "").strip()
    if not mobile:
        return
    text = lockout_text(case, locked_until)
    enqueue(
        session, OutboxChannel.sms, "sms", lambda _id: {"mobile": mobile, "action": "tracking_locked", "text": text},
        now, case=case,
    )


def enqueue_text(session: Session, mobile: str, action: str, text: str, now: datetime) -> None:
    """A text about an account rather than a case (a verification code, a
    warning), worded now and stored with the message."""
    enqueue(
        session, OutboxChannel.sms, "sms", lambda _id: {"mobile": mobile, "action": action, "text": text}, now,
    )


def without_codes(payload: dict) -> dict:
    """The message as kept once sent or given up: a verification code in
    it is blanked, so the database never keeps a usable code in plain
    text after the relay needed it."""
    text = payload.get("text")
    if not text or not VERIFICATION_CODE.search(text):
        return payload
    return {**payload, "text": VERIFICATION_CODE.sub(HIDDEN_CODE, text)}


def text_for(session: Session, payload: dict) -> str | None:
    """The words of a pending text: those stored once sent, or worded now
    from its event (None when the case has since been deleted)."""
    if payload.get("text"):
        return payload["text"]
    event = session.get(Event, payload.get("event_id") or 0)
    if event is None or event.case_id is None:
        return None
    return sms_text(session.get(Case, event.case_id), event)


class Gateway(Protocol):
    def send(self, mobile: str, text: str) -> Attempt: ...


class LogGateway:
    """For development and tests: the text goes to the application log,
    with the mobile number and the query code masked. Verification codes
    show outside production (``show_codes``), so that a newcomer on
    ``make run`` can finish a registration from the worker's output; in
    production they are masked like the query code."""

    def __init__(self, logger, show_codes: bool = False):
        self.logger, self.show_codes = logger, show_codes

    def send(self, mobile: str, text: str) -> Attempt:
        # The query code opens the case's tracking page: it stays out of logs too.
        text = QUERY_CODE.sub(HIDDEN_CODE, text)
        if not self.show_codes:
            text = VERIFICATION_CODE.sub(HIDDEN_CODE, text)
        self.logger.info("SMS to %s: %s", mask_mobile(mobile), text)
        return Attempt(True)


class HttpGateway:
    """A real SMS gateway taking JSON {mobile, text} with a bearer token."""

    def __init__(self, url: str, token: str = "", timeout: float = GATEWAY_TIMEOUT):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, mobile: str, text: str) -> Attempt:
        body = json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return post_json(self.url, body, headers, self.timeout)


def gateway_from_config(config, logger) -> Gateway:
    if config.get("PORTAL_SMS_GATEWAY", "log") == "http":
        return HttpGateway(config["PORTAL_SMS_URL"], config.get("PORTAL_SMS_TOKEN", ""))
    return LogGateway(logger, show_codes=config.get("PORTAL_ENV") != "production")
