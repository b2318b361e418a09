"""The shipped production server: gunicorn with gunicorn.conf.py serves
wsgi:app, writes one JSON line per request with its request id, and stops
cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.partners import free_port

ROOT = Path(__file__).resolve().parents[1]


def start_gunicorn(migrated, tmp_path, workers: int = 2):
    """gunicorn with the shipped configuration, and the port it listens on,
    once it answers /readyz; the first answer is returned too."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATABASE_URL": migrated,
        "PORTAL_UPLOAD_FOLDER": str(tmp_path),
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WEB_WORKERS": str(workers),
        "PORTAL_LOG_FORMAT": "json",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            return server, port, requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            if server.poll() is not None or time.monotonic() >= deadline:
                server.kill()
                raise AssertionError("gunicorn did not start: " + server.communicate(timeout=30)[0]) from None
            time.sleep(0.2)


def test_gunicorn_serves_the_portal_with_the_shipped_configuration(app, migrated, tmp_path):
    server, port, ready = start_gunicorn(migrated, tmp_path)
    try:
        assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
        browser = requests.Session()
        form = browser.get(f"http://127.0.0.1:{port}/track", timeout=5)
        csrf = form.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        tracked = browser.post(
            f"http://127.0.0.1:{port}/track", data={"csrf_token": csrf, "number": "KSCS202612010001", "code": "246810"}, timeout=5
        )
        assert tracked.status_code == 400
        for _ in range(12):
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        scraped = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    # Whichever of the two workers answered each request, the scrape counts all twelve.
    counted = [
        s.value for family in text_string_to_metric_families(scraped.text) for s in family.samples
        if s.name == "portal_http_requests_total" and s.labels.get("endpoint") == "ops.healthz"
    ]
    assert sum(counted) == 12
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests_logged = [line for line in lines if line["name"] == "portal.request"]
    assert [(r["method"], r["route"], r["status"]) for r in requests_logged[:3]] == [
        ("GET", "/readyz", 200), ("GET", "/track", 200), ("POST", "/track", 400)
    ]
    assert len({r["request_id"] for r in requests_logged}) == len(requests_logged) == 16
    assert requests_logged[2]["request_id"] == tracked.headers["X-Request-ID"]
    assert "246810" not in output  # the query code reaches no log line
    assert any(line["message"] == "Shutting down: Master" for line in lines)


def test_gunicorns_answers_name_no_framework_or_version(app, migrated, tmp_path):
    server, port, ready = start_gunicorn(migrated, tmp_path, workers=1)
    try:
        answers = [
            ready,
            requests.get(f"http://127.0.0.1:{port}/", timeout=5),
            requests.get(f"http://127.0.0.1:{port}/api/v1/services", timeout=5),
            requests.get(f"http://127.0.0.1:{port}/no-such-page", timeout=5),
            requests.get(f"http://127.0.0.1:{port}/api/v1/cases", timeout=5),  # 401 problem+json
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 401]
    for answer in answers:
        assert answer.headers["Server"] == "portal"
        headers = " ".join(f"{name}: {value}" for name, value in answer.headers.items()).lower()
        for word in ("gunicorn", "werkzeug", "flask", "python"):
            assert word not in headers, (answer.url, answer.headers)


def test_the_nginx_site_hides_its_version_in_every_server():
    site = (ROOT / "deploy" / "nginx-portal.conf").read_text()
    servers = site.count("\nserver {")
    assert servers == 2 and site.count("server_tokens off;") == servers
