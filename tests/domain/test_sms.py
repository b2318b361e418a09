"""Text messages to applicants: worded in Chinese from the step, sent by the
relay through the configured gateway (log or http), never in the request."""

import json
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from werkzeug.wrappers import Request, Response

from portal.config import ConfigError, load_config
from portal.domain.dispatch import run_once
from portal.domain.sms import HttpGateway, LogGateway, gateway_from_config, sms_text
from portal.models import Case, Event, OutboxMessage
from portal.models.enums import OutboxStatus
from tests.factories import now
from tests.partners import Served, routed_case


def texts(session):
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.created_at, OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()


def test_the_acceptance_text_names_the_case_its_due_date_and_query_code(session):
    case = routed_case(session)
    accept = session.scalar(select(Event).where(Event.case_id == case.id, Event.action == "accept"))
    text = sms_text(case, accept)
    assert text.startswith("【常山玉山跨省通办】") and case.number in text and case.query_code in text
    assert case.due_at.astimezone().date().isoformat()[:4] in text and "已受理" in text
    assert len(text) <= 140


@pytest.mark.parametrize(
    "action",
    [
        "request_correction", "refuse_intake", "suspend", "resume", "complete", "refuse", "deliver", "follow_up_closed",
        "correction_reminder", "lapse_correction", "await_applicant", "applicant_answered",
    ],
)
def test_every_notified_step_has_its_own_short_text(session, action):
    case = routed_case(session)
    event = Event(
        case_id=case.id, action=action, actor_role="system", note="需现场核查",
        data={"method": "post", "by": "2026-11-09"}, created_at=now(),
    )
    text = sms_text(case, event)
    assert case.number in text and "有新进展" not in text and len(text) <= 140


def test_the_relay_sends_texts_through_the_log_gateway_with_the_number_masked(session, caplog):
    case = routed_case(session)
    logger = logging.getLogger("tests.sms.log")
    with caplog.at_level(logging.INFO, logger="tests.sms.log"):
        report = run_once(session, now(), "relay-sms", gateway=LogGateway(logger))
    assert report.outcomes["sent"] == 1
    (sms,) = texts(session)
    assert sms.status is OutboxStatus.sent and case.number in sms.payload["text"]
    assert case.number in caplog.text and case.applicant_mobile not in caplog.text
    assert case.applicant_mobile[-4:] in caplog.text
    assert case.query_code in sms.payload["text"] and f"查询码{case.query_code}" not in caplog.text


class FakeGateway:
    """An SMS gateway on loopback that records what it got and answers as told."""

    def __init__(self):
        self.received, self.answers = [], []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.received.append((request.headers.get("Authorization"), json.loads(request.get_data())))
            status = self.answers.pop(0) if self.answers else 200
        return Response(json.dumps({"ok": status == 200}), status=status, content_type="application/json")(environ, start_response)


@pytest.fixture
def sms_gateway():
    fake = FakeGateway()
    served = Served(fake)
    yield fake, served.url + "/send"
    served.stop()


def test_the_http_gateway_gets_mobile_and_text_with_the_token_and_retries_when_down(session, sms_gateway):
    fake, url = sms_gateway
    fake.answers = [503]
    case = routed_case(session)
    gateway = HttpGateway(url, "sms-token")
    start = now()
    run_once(session, start, "relay-sms", gateway=gateway)
    (sms,) = texts(session)
    assert (sms.status, sms.attempts, sms.last_status_code) == (OutboxStatus.pending, 1, 503)
    run_once(session, sms.next_attempt_at, "relay-sms", gateway=gateway)
    (sms,) = texts(session)
    assert (sms.status, sms.attempts) == (OutboxStatus.sent, 2)
    assert fake.received[-1][0] == "Bearer sms-token"
    assert fake.received[-1][1] == {"mobile": case.applicant_mobile, "text": sms.payload["text"]}


def test_a_gateway_refusing_a_text_marks_it_dead(session, sms_gateway):
    fake, url = sms_gateway
    fake.answers = [400]
    routed_case(session)
    run_once(session, now(), "relay-sms", gateway=HttpGateway(url))
    (sms,) = texts(session)
    assert (sms.status, sms.last_status_code) == (OutboxStatus.dead, 400)


def test_a_text_whose_case_was_deleted_is_not_sent(session):
    case = routed_case(session)
    session.execute(delete(Case).where(Case.id == case.id))  # as `demo remove` does
    session.commit()
    run_once(session, now() + timedelta(seconds=1), "relay-sms", gateway=LogGateway(logging.getLogger("tests")))
    (sms,) = texts(session)
    assert sms.status is OutboxStatus.dead and "no longer exists" in sms.last_error


def test_the_gateway_is_chosen_by_configuration(tmp_path):
    assert load_config(str(tmp_path), {})["PORTAL_SMS_GATEWAY"] == "log"
    config = load_config(str(tmp_path), {"PORTAL_SMS_GATEWAY": "http", "PORTAL_SMS_URL": "https://sms.test/send", "PORTAL_SMS_TOKEN": "t"})
    gateway = gateway_from_config(config, logging.getLogger("tests"))
    assert isinstance(gateway, HttpGateway) and (gateway.url, gateway.token) == ("https://sms.test/send", "t")
    assert isinstance(gateway_from_config(load_config(str(tmp_path), {}), logging.getLogger("tests")), LogGateway)
    with pytest.raises(ConfigError, match="PORTAL_SMS_GATEWAY"):
        load_config(str(tmp_path), {"PORTAL_SMS_GATEWAY": "carrier-pigeon"})
    with pytest.raises(ConfigError, match="PORTAL_SMS_URL"):
        load_config(str(tmp_path), {"PORTAL_SMS_GATEWAY": "http"})
