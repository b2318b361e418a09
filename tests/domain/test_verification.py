"""Texted codes in the domain: hashed, one live per number and purpose,
used once, and the text that carries one kept out of logs in production
and blanked in the outbox once sent."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain import DomainError
from portal.domain.dispatch import run_once
from portal.domain.sms import LogGateway, gateway_from_config
from portal.domain.verification import USED, confirm_registration, start_registration
from portal.models import OutboxMessage, User, VerificationCode
from portal.models.enums import OutboxStatus
from tests.factories import PASSWORD, PASSWORDS, now, valid_id_number

KEY = "test-key-of-the-codes"
CODE = re.compile(r"验证码(\d{6})")


def start(session, mobile="13712345678", at=None):
    row = start_registration(
        session, real_name="赵一", id_number=valid_id_number(serial=41), mobile=mobile, password=PASSWORD,
        passwords=PASSWORDS, key=KEY, now=at or now(), recovery_url="http://localhost/forgot",
    )
    session.flush()
    return row


def texted_code(session) -> str:
    texts = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return CODE.search(texts[-1].payload["text"]).group(1)


def test_the_code_is_stored_only_as_an_hmac(session):
    row = start(session)
    code = texted_code(session)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.password_hash and PASSWORD not in row.password_hash


def test_a_code_creates_the_account_once(session):
    row = start(session)
    code = texted_code(session)
    user = confirm_registration(session, row, code, KEY, now() + timedelta(seconds=10))
    assert user.mobile == "13712345678" and row.used_at is not None and row.password_hash is None
    with pytest.raises(DomainError) as refused:
        confirm_registration(session, row, code, KEY, now() + timedelta(seconds=20))
    assert refused.value.message is USED
    assert session.scalar(select(func.count(User.id))) == 1


def test_a_code_made_with_another_key_does_not_open(session):
    row = start(session)
    code = texted_code(session)
    with pytest.raises(DomainError):
        confirm_registration(session, row, code, "another-key", now())
    assert session.scalar(select(func.count(User.id))) == 0


def test_a_new_code_replaces_the_old_one_for_the_same_number(session):
    start(session)
    start(session, at=now() + timedelta(seconds=61))
    assert session.scalar(select(func.count(VerificationCode.id))) == 1


def test_the_log_gateway_shows_the_code_with_the_number_masked_outside_production_and_the_sent_text_is_blanked(session, caplog):
    start(session)
    code = texted_code(session)
    logger = logging.getLogger("tests.codes.log")
    with caplog.at_level(logging.INFO, logger="tests.codes.log"):
        run_once(session, now(), "relay-codes", gateway=LogGateway(logger, show_codes=True))
    assert f"验证码{code}" in caplog.text and "137****5678" in caplog.text and "13712345678" not in caplog.text
    sent = session.scalar(select(OutboxMessage).execution_options(populate_existing=True))
    assert sent.status is OutboxStatus.sent and code not in sent.payload["text"] and "验证码******" in sent.payload["text"]


def test_in_production_the_log_gateway_masks_codes(tmp_path, caplog):
    gateway = gateway_from_config({"PORTAL_ENV": "production", "PORTAL_SMS_GATEWAY": "log"}, logging.getLogger("tests.prod"))
    with caplog.at_level(logging.INFO, logger="tests.prod"):
        gateway.send("13712345678", "【常山玉山跨省通办】您正在注册账号，验证码123456，5分钟内有效。")
    assert "123456" not in caplog.text and "验证码******" in caplog.text
    development = gateway_from_config({"PORTAL_ENV": "development"}, logging.getLogger("tests.prod"))
    assert development.show_codes
