"""Scale-out drill: two gunicorn instances and two workers over one fresh
PostgreSQL database; window systems file cases through the API, clerks
accept them on both instances, and the cases route to an agency in http
mode served by the partner simulator, which fails its first answers and is
restarted once midway. Prints what was filed, delivered and applied, and
whether anything was lost or delivered under two keys.

    .venv/bin/python scripts/scale_out_drill.py [--cases 200]

Everything runs on loopback; the database is dropped at the end.
Not run by CI (it takes a few minutes)."""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SECRET = "drill-partner-secret-2026"
SERVICE = "hrss-employment"  # routes its one task to ys-hrss for a Yushan resident


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise SystemExit(f"drill: {what} not reached within {timeout:g} s")


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def check_digit(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def id_number(n: int) -> str:
    body = f"36112319850505{n % 1000:03d}"
    return body + check_digit(body)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


class Drill:
    def __init__(self, cases: int):
        self.cases = cases
        self.name = f"portal_drill_{uuid.uuid4().hex[:8]}"
        self.url = f"{SERVER}/{self.name}"
        self.folder = Path(tempfile.mkdtemp(prefix="portal-drill-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "PORTAL_ENV": "development",
            "PORTAL_SECRET_KEY": "drill-secret-key",
            "PORTAL_DATABASE_URL": self.url,
            "PORTAL_UPLOAD_FOLDER": str(self.folder / "uploads"),
            "PORTAL_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/14",
            "PORTAL_SLA_SWEEP_MINUTES": "1",
            "PORTAL_WEB_WORKERS": "2",
            "PYTHONUNBUFFERED": "1",
        }
        self.web = [free_port(), free_port()]
        self.partner_port = free_port()

    def flask(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, text=True)

    def start(self, name: str, command: list[str], **env) -> None:
        log = (self.folder / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT)

    def start_partner(self, fail_times: int) -> None:
        self.start("partner", [
            sys.executable, "-m", "portal.partner_sim", "--port", str(self.partner_port),
            "--portal-url", f"http://127.0.0.1:{self.web[0]}", "--agency", "ys-hrss", "--secret", SECRET,
            "--delay", "0.2", "--fail-times", str(fail_times), "--database", str(self.folder / "partner.sqlite3"),
        ])
        wait_until(lambda: answers(f"http://127.0.0.1:{self.partner_port}/tasks"), 30, "the partner simulator")

    def stop(self, name: str, kill: bool = False) -> None:
        process = self.processes.pop(name)
        process.kill() if kill else process.terminate()
        process.wait(timeout=60)

    def prepare(self) -> str:
        engine = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()
        self.flask("db", "upgrade")
        self.flask("setup")
        self.flask("agencies", "delivery", "ys-hrss", "--http", f"http://127.0.0.1:{self.partner_port}/tasks",
                   "--secret", SECRET, "--timeout", "5")
        sys.path.insert(0, str(ROOT))
        from portal import create_app
        from portal.db import db
        from portal.domain.tokens import create_token
        from portal.models import Role, User

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.url})
        with app.app_context():
            admin = db.session.scalar(select(User).where(User.role == Role.admin).limit(1))
            _token, plaintext = create_token(
                db.session, name="Yushan window system", kind="window", county="yushan", created_by=admin, now=datetime.now(UTC)
            )
            db.session.commit()
            db.engine.dispose()
        return plaintext

    def run(self) -> None:
        token = self.prepare()
        self.start_partner(fail_times=15)
        for n, port in enumerate(self.web):
            self.start(f"web{n}", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                       PORTAL_BIND=f"127.0.0.1:{port}")
        for port in self.web:
            wait_until(lambda port=port: answers(f"http://127.0.0.1:{port}/healthz"), 60, f"gunicorn on {port}")
        for n in range(2):
            self.start(f"worker{n}", [sys.executable, "-m", "flask", "--app", "portal", "worker"])
        started = time.monotonic()
        clerks = [self.signed_in_clerk(port) for port in self.web]
        numbers, keys = [], Counter()
        for n in range(self.cases):
            port = self.web[n % 2]
            key = f"drill-{n:04d}"
            body = {
                "service": SERVICE,
                "applicant": {"name": "演练申请人", "id_number": id_number(n), "mobile": f"139{n:08d}"},
                "identity_checked": True,
                "facts": {"hukou_county": "yushan", "residence_county": "yushan"},
                "fields": self.field_values(port),
            }
            for _attempt in range(2):  # the second post repeats the key: the same case answers
                filed = requests.post(f"http://127.0.0.1:{port}/api/v1/cases", json=body, timeout=30,
                                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
                assert filed.status_code in (200, 201), filed.text
            number = filed.json()["number"]
            keys[number] += 1
            numbers.append(number)
            self.accept(clerks[(n + 1) % 2], self.web[(n + 1) % 2], number)
            if n == self.cases // 2:
                self.stop("partner", kill=True)  # the partner system crashes and comes back
                time.sleep(2)
                self.start_partner(fail_times=5)
        filed_seconds = time.monotonic() - started
        self.wait_for_completion(numbers)
        self.report(numbers, keys, filed_seconds, time.monotonic() - started)

    _fields = None

    def field_values(self, port: int) -> dict:
        if self._fields is None:
            spec = requests.get(f"http://127.0.0.1:{port}/api/v1/services/{SERVICE}", timeout=10).json()
            values = {}
            for field in spec["fields"]:
                values[field["name"]] = {"select": lambda f: f["choices"][0]["value"], "date": lambda f: "2026-11-02",
                                         "number": lambda f: 1000}.get(field["type"], lambda f: "演练")(field)
            self._fields = values
        return self._fields

    def signed_in_clerk(self, port: int) -> requests.Session:
        clerk = requests.Session()
        page = clerk.get(f"http://127.0.0.1:{port}/login", timeout=10).text
        signed = clerk.post(f"http://127.0.0.1:{port}/login", timeout=10, allow_redirects=False,
                            data={"csrf_token": csrf_of(page), "login": "clerk.ys", "password": "demo-pass-2026"})
        assert signed.status_code == 302, signed.text
        return clerk

    def accept(self, clerk: requests.Session, port: int, number: str) -> None:
        page = clerk.get(f"http://127.0.0.1:{port}/counter/cases/{number}/decide", timeout=30).text
        accepted = clerk.post(f"http://127.0.0.1:{port}/counter/cases/{number}/accept", timeout=30,
                              data={"csrf_token": csrf_of(page)}, allow_redirects=False)
        assert accepted.status_code == 302, accepted.text

    def wait_for_completion(self, numbers: list[str]) -> None:
        from portal.models import Case
        from portal.models.enums import CaseStatus

        engine = create_engine(self.url)

        def done():
            with Session(engine) as session:
                return session.scalar(
                    select(func.count()).select_from(Case).where(
                        Case.number.in_(numbers), Case.status.in_((CaseStatus.completed, CaseStatus.delivered))
                    )
                ) == len(numbers)

        wait_until(done, 600, "every case decided by the partner", step=2)
        engine.dispose()

    def report(self, numbers, keys, filed_seconds, total_seconds) -> None:
        from portal.models import Case, OutboxMessage, PartnerEvent, Task
        from portal.models.enums import OutboxChannel
        from portal.models.worker import PeriodicRun

        partner = requests.get(f"http://127.0.0.1:{self.partner_port}/messages", timeout=10).json()["messages"]
        engine = create_engine(self.url)
        with Session(engine) as session:
            cases = session.scalar(select(func.count()).select_from(Case))
            tasks = session.scalar(select(func.count()).select_from(Task))
            statuses = Counter(
                f"{c.value}/{s.value}" for c, s in session.execute(select(OutboxMessage.channel, OutboxMessage.status))
            )
            partner_messages = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.partner)).all()
            applied = session.scalar(select(func.count()).select_from(PartnerEvent).where(PartnerEvent.outcome == "applied"))
            runs = Counter((r.job, r.slot_start) for r in session.scalars(select(PeriodicRun)))
        engine.dispose()
        created_keys = Counter(m["task_id"] for m in partner if m["topic"] == "task.created")
        deliveries = Counter(m["deliveries"] for m in partner)
        ours = {m.id for m in partner_messages}
        print(f"cases filed through the API: {len(numbers)} (each posted twice with its key; cases in the database: {cases})")
        print(f"tasks created: {tasks}; tasks the partner received: {len(created_keys)}")
        print(f"outbox messages by channel/status: {dict(sorted(statuses.items()))}")
        print(f"partner messages received: {len(partner)}; deliveries per message key: {dict(sorted(deliveries.items()))}")
        print(f"tasks delivered under more than one key: {sum(1 for n in created_keys.values() if n > 1)}")
        print(f"partner keys the portal never wrote: {len({m['key'] for m in partner} - ours)}; "
              f"portal messages the partner never got: {len(ours - {m['key'] for m in partner})}")
        attempts = sum(m.attempts for m in partner_messages)
        print(f"delivery attempts to the partner: {attempts} for {len(partner_messages)} messages "
              f"({attempts - len(partner_messages)} answered with a failure or lost to the restart, then retried)")
        print(f"callbacks applied: {applied}")
        per_slot = Counter(runs.values())
        print(f"periodic runs: {len(runs)} slots, runs per slot {dict(per_slot)} "
              f"(jobs: {dict(Counter(job for job, _slot in runs))})")
        print(f"filing and accepting took {filed_seconds:.0f} s; all decided after {total_seconds:.0f} s")
        lost = len(numbers) != cases or any(n != 1 for n in keys.values()) or len(created_keys) != tasks
        print("nothing lost, nothing under two keys" if not lost and all(n == 1 for n in created_keys.values()) else "PROBLEM")

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        engine = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    drill = Drill(parser.parse_args().cases)
    try:
        drill.run()
    finally:
        drill.close()
        print(f"logs: {drill.folder}")


if __name__ == "__main__":
    main()
