"""Running as a service: liveness and readiness, the database or Redis
away, the client's address behind a proxy, request ids and log lines."""

from __future__ import annotations

import json
import logging

import pytest

from portal import create_app
from portal.config import server_settings
from portal.db import db
from portal.extensions import limiter
from portal.logs import formatter
from tests import factories
from tests.conftest import _test_config
from tests.pages import PageClient

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def portal_with(migrated, **config):
    app = create_app({**_test_config(migrated), **config})
    app.test_client_class = PageClient
    return app


@pytest.fixture
def unreachable():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": UNREACHABLE_DATABASE})
    app.test_client_class = PageClient
    return app


def test_healthz_answers_while_the_process_serves_even_without_a_database(client, unreachable):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def a_worker_beat(app, seconds_ago: float) -> None:
    from datetime import UTC, datetime, timedelta

    from portal.domain.heartbeats import WorkerIdentity, register_worker

    with app.app_context():
        register_worker(db.session, WorkerIdentity.of_this_process(), datetime.now(UTC) - timedelta(seconds=seconds_ago))


def test_readyz_names_each_check_and_its_state(app, client):
    a_worker_beat(app, seconds_ago=3)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["oldest_due_outbox_seconds"] is None
    assert body["checks"] == {"database": "ok", "rate_limit_storage": "in-process", "outbox": "ok", "worker": "ok"}
    assert 2 <= body["worker_heartbeat_seconds"] < 30
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_no_worker_or_a_stale_one_as_degraded(app, client):
    assert client.get("/readyz").get_json()["checks"]["worker"] == "none"
    a_worker_beat(app, seconds_ago=app.config["PORTAL_READY_HEARTBEAT_AGE"] + 30)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "degraded"
    assert ready.get_json()["checks"]["worker"] == "stale"


def test_readyz_is_503_with_retry_after_when_the_database_is_unreachable(unreachable):
    response = unreachable.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["checks"]["database"] == "unreachable"


def test_pages_and_the_api_answer_503_not_500_while_the_database_is_away(unreachable):
    client = unreachable.test_client()
    page = client.get("/services")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "暂时无法访问" in page.get_data(as_text=True)
    api = client.get("/api/v1/services")
    assert api.status_code == 503 and api.content_type == "application/problem+json"
    assert api.get_json()["type"] == "/api/v1/problems/unavailable"


def test_sign_in_and_tracking_keep_working_while_redis_is_away(app, migrated):
    with app.app_context():
        user = factories.create_user(db.session, "clerk")
        db.session.commit()
        username = user.username
    away = portal_with(migrated, RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS, RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1})
    client = away.test_client()
    assert client.submit("/login", {"login": username, "password": factories.PASSWORD}).status_code == 302
    tracked = client.submit("/track", {"number": "KSCS202612010001", "code": "123456"})
    assert tracked.status_code == 400  # no such case: said, not a 500
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "degraded" and ready["checks"]["rate_limit_storage"] == "degraded"


def test_readyz_checks_a_real_redis(app, migrated):
    ready = portal_with(migrated, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15").test_client().get("/readyz")
    assert ready.get_json()["checks"]["rate_limit_storage"] == "ok"


def _failed_logins(client, count: int, forwarded_for=None) -> list[int]:
    codes = []
    for n in range(count):
        headers = {"X-Forwarded-For": forwarded_for(n)} if forwarded_for else {}
        page = client.get("/login")
        csrf = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        answer = client.post("/login", data={"csrf_token": csrf, "login": f"nobody{n}", "password": "wrong"}, headers=headers)
        codes.append(answer.status_code)
    return codes


def test_a_clients_own_x_forwarded_for_is_ignored_without_a_trusted_proxy(app, migrated):
    limiter.reset()
    # A moving window: three requests that straddle a minute's turn still meet one limit.
    direct = portal_with(migrated, PORTAL_LOGIN_LIMIT="2 per minute", PORTAL_TRUSTED_PROXIES=0, RATELIMIT_STRATEGY="moving-window")
    codes = _failed_logins(direct.test_client(), 3, forwarded_for=lambda n: f"203.0.113.{n + 1}")
    assert codes == [400, 400, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app, migrated):
    limiter.reset()
    proxied = portal_with(migrated, PORTAL_LOGIN_LIMIT="2 per minute", PORTAL_TRUSTED_PROXIES=1, RATELIMIT_STRATEGY="moving-window")
    codes = _failed_logins(proxied.test_client(), 3, forwarded_for=lambda n: f"203.0.113.{n + 1}")
    assert codes == [400, 400, 400]
    limiter.reset()


def test_every_response_carries_a_request_id_and_keeps_a_proxys(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e"}).headers["X-Request-ID"] == "nginx-4f2a9c1e"
    assert client.get("/healthz", headers={"X-Request-ID": "not an id; <b>"}).headers["X-Request-ID"] != "not an id; <b>"


def test_the_request_line_names_the_route_never_the_query_code(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = client.submit("/track", {"number": "KSCS202612010001", "code": "654321"})
    (record,) = [r for r in caplog.records if r.name == "portal.request" and r.method == "POST"]
    line = record.getMessage()
    assert line.startswith("POST /track 400 ") and "654321" not in line and "KSCS" not in line
    assert record.request_id == response.headers["X-Request-ID"]
    assert (record.method, record.status, record.route) == ("POST", 400, "/track")
    assert not [r for r in caplog.records if "654321" in r.getMessage() or "654321" in str(vars(r))]


def test_json_logs_are_one_object_per_line_with_the_request_id():
    record = logging.LogRecord("portal.request", logging.INFO, __file__, 1, "GET %s 200", ("/healthz",), None)
    record.request_id = "abc123abc123"
    parsed = json.loads(formatter("json").format(record))
    assert parsed["message"] == "GET /healthz 200" and parsed["request_id"] == "abc123abc123" and parsed["level"] == "INFO"


def test_gunicorn_takes_its_workers_from_the_cpu_count_unless_set():
    assert server_settings({}, cpu_count=2)["workers"] == 5
    assert server_settings({"PORTAL_WEB_WORKERS": "3"}, cpu_count=2)["workers"] == 3
    assert server_settings({}, cpu_count=2)["bind"] == "127.0.0.1:8000"


def test_readyz_reports_the_outbox_late_when_a_due_message_waits_too_long(app, client):
    from datetime import timedelta

    from portal.domain.outbox import enqueue
    from portal.models.enums import OutboxChannel

    with app.app_context():
        message = enqueue(
            db.session, OutboxChannel.sms, "sms", lambda _id: {"mobile": "13800000001", "text": "您的办件有新进展。"}, factories.now()
        )
        message.next_attempt_at = factories.now() - timedelta(seconds=app.config["PORTAL_READY_OUTBOX_AGE"] + 60)
        db.session.commit()
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "degraded" and ready["checks"]["outbox"] == "late"
    assert ready["oldest_due_outbox_seconds"] > app.config["PORTAL_READY_OUTBOX_AGE"]


def _sample(text: str, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def test_metrics_count_requests_and_read_open_work_from_the_database(app, client):
    from datetime import timedelta

    with app.app_context():
        case = factories.create_case(db.session, status="in_progress", accepted_at=factories.now() - timedelta(days=9))
        factories.create_task(db.session, case, "ys-psb", due_at=factories.now() - timedelta(days=2))
        db.session.commit()
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert _sample(text, "portal_http_requests_total", endpoint="ops.healthz", method="GET", status="200") >= 1
    assert _sample(text, "portal_open_tasks", level="overdue") == 1
    assert _sample(text, "portal_outbox_oldest_due_seconds", target="sms") == 0
    assert _sample(text, "portal_worker_heartbeat_age_seconds") == -1


def test_metrics_are_refused_to_other_addresses_unless_they_bring_the_token(app, migrated):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert app.test_client().get("/metrics", environ_base=outside).status_code == 404
    guarded = portal_with(migrated, PORTAL_METRICS_TOKEN="metrics-secret-1234").test_client()
    assert guarded.get("/metrics", environ_base=outside).status_code == 404
    assert guarded.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer metrics-secret-1234"}).status_code == 200


@pytest.mark.parametrize(
    "url", ["/agency/tasks/99999999999999999999999", "/cases/KSCS1/notices/99999999999", "/counter/?page=99999999999999999999"]
)
def test_a_number_too_large_for_the_database_is_not_found(client, login_as, url):
    login_as("clerk" if "counter" in url else "officer")
    assert client.get(url).status_code == 404


def test_a_nul_character_in_a_form_or_query_is_refused_before_any_view(client):
    assert client.get("/services?q=a%00b").status_code == 400
    csrf = client.page("/login").select_one("input[name=csrf_token]")["value"]
    refused = client.post("/login", data={"login": "a\x00b", "password": "wrong-password", "csrf_token": csrf})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "请求有误" in page and "无法识别该请求" in page
    assert 'action="/login"' not in page  # the error page, not the sign-in form with a message
