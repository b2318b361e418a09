"""What benchmarks/pages.py and benchmarks/load.py share: a fresh database
with the demo data, the portal (and a bare "hello" app) under the shipped
gunicorn configuration, sign-in through the login form, and timing.

Not a benchmark itself. Everything it starts it stops again (also on
Ctrl-C or SIGTERM), and the database and files it made are removed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench"
DEMO_PASSWORD = "demo-pass-2026"
# This checkout's portal, not whichever one the virtualenv was installed from.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"')


def stop_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C, so the cleanup runs; Ctrl-C
    interrupts even where the shell started the script with SIGINT ignored
    (a background job)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(share / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# --- the database -----------------------------------------------------------


@dataclass
class Workspace:
    """A temporary folder (uploads, logs, the SQLite file) and the database URL."""

    url: str
    folder: Path
    dropped_database: str | None = None  # PostgreSQL: the database to drop at the end

    @property
    def dialect(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"

    def environment(self, **extra) -> dict:
        """The portal's environment for the commands and gunicorn: this
        database, its own uploads, a fixed key, and rate limits off
        (PORTAL_RATE_LIMITS, a benchmark-only setting)."""
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            PYTHONUNBUFFERED="1",
            PORTAL_ENV="development",
            PORTAL_DATABASE_URL=self.url,
            PORTAL_UPLOAD_FOLDER=str(self.folder / "uploads"),
            PORTAL_SECRET_KEY=SECRET_KEY,
            PORTAL_RATE_LIMITS="off",
            PORTAL_SMS_GATEWAY="log",
        )
        env.pop("PORTAL_DEBUG", None)
        env.pop("FLASK_DEBUG", None)
        env.update(extra)
        return env


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def workspace(database: str | None):
    """A fresh, empty database and a temporary folder; both removed at the end.

    ``None`` is a SQLite file in the folder. A PostgreSQL URL names the
    database to create afresh (dropped first if it exists, dropped again at
    the end) through the server's ``postgres`` database; naming ``postgres``
    itself means ``portal_bench``."""
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    space = Workspace(database or f"sqlite:///{folder / 'bench.sqlite3'}", folder)
    try:
        if space.dialect == "postgresql":
            name = urlsplit(space.url).path.lstrip("/") or "postgres"
            if name in ("postgres", "template0", "template1"):
                name = "portal_bench"
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                raise SystemExit(f"refusing database name {name!r}: use lower-case letters, digits and _")
            space.url = _server_url(space.url, name)
            _recreate_database(space.url, name)
            space.dropped_database = name
        yield space
    finally:
        if space.dropped_database:
            try:
                _drop_database(space.url, space.dropped_database)
            except Exception as error:  # report and go on cleaning
                print(f"could not drop database {space.dropped_database}: {error}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(_psycopg_dsn(_server_url(url, "postgres")), autocommit=True)


def _recreate_database(url: str, name: str) -> None:
    with _maintenance(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str, name: str) -> None:
    with _maintenance(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_demo(space: Workspace, demo_cases: int = 400) -> float:
    """What ``make run`` gives: migrations, catalog, calendar, demo accounts
    and ``demo_cases`` generated cases, through the same commands. Seconds taken."""
    began = time.perf_counter()
    flask = [str(VENV_BIN / "flask"), "--app", "portal"]
    for command in (["db", "upgrade"], ["setup", "--demo-cases", str(demo_cases)]):
        done = subprocess.run(
            flask + command, cwd=ROOT, env=space.environment(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - began


@contextmanager
def portal_app(space: Workspace):
    """The portal in this process, on the benchmark's database, for
    preparing data through the domain and reading results back."""
    for key, value in space.environment().items():
        if key.startswith("PORTAL_"):
            os.environ[key] = value
    from portal import create_app
    from portal.db import db

    app = create_app()
    with app.app_context():
        try:
            yield app, db.session
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def window_token(session, county: str = "changshan") -> str:
    """A window system's API token (plaintext), made as the admin would."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.domain.tokens import create_token
    from portal.models import Role, User

    admin = session.scalar(select(User).where(User.role == Role.admin).limit(1))
    _token, plaintext = create_token(
        session, name="benchmark window system", kind="window", county=county, created_by=admin, now=datetime.now(UTC)
    )
    session.commit()
    return plaintext


def valid_id_number(region: str, birth: str, serial: int) -> str:
    from stdnum.cn import ric

    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def register_residents(session, count: int, start: int = 0) -> list[str]:
    """``count`` resident accounts with the demo password (their mobiles, the login)."""
    from datetime import UTC, datetime

    from portal.domain.accounts import register_resident
    from portal.domain.passwords import Passwords

    passwords, now, logins = Passwords(), datetime.now(UTC), []
    for i in range(start, start + count):
        mobile = f"1770000{i:04d}"
        register_resident(
            session, real_name="压测居民", id_number=valid_id_number("361123", f"19{70 + i // 1000 % 30}0101", i),
            mobile=mobile, password=DEMO_PASSWORD, passwords=passwords, now=now,
        )
        logins.append(mobile)
    session.commit()
    return logins


def tracked_cases(session, limit: int = 50) -> list[tuple[str, str]]:
    """(number, query code) of demo cases, for the public lookup."""
    from sqlalchemy import select

    from portal.models import Case

    return [(n, c) for n, c in session.execute(select(Case.number, Case.query_code).order_by(Case.id).limit(limit))]


def application(session, code: str, upload_bytes: int) -> tuple[dict, dict]:
    """Valid answers for the online form of ``code`` and one file per
    material slot of about ``upload_bytes`` each, of the slot's first type
    (tests/journeys.py application_data, with bigger files)."""
    from sqlalchemy import select

    from portal.models import Service

    service = session.scalar(select(Service).where(Service.code == code))
    data = {
        "receiving_county": "changshan",
        "hukou_county": "yushan",
        "hukou_province": "",
        "residence_county": "changshan",
        "residence_province": "",
        "business_county": "changshan",
        "business_province": "",
    }
    for spec in service.fields:
        data["field_" + spec["name"]] = {
            "select": lambda s: s["choices"][0]["value"],
            "date": lambda s: "2026-11-20",
            "number": lambda s: "1000",
        }.get(spec["type"], lambda s: "测试内容")(spec)
    files = {}
    for material in service.materials:
        kind = material["file_types"][0]
        files["material_" + material["code"].replace("-", "_")] = (
            {"pdf": "材料.pdf", "jpeg": "photo.jpg", "png": "scan.png"}[kind], sized_file(kind, upload_bytes),
            {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[kind],
        )
    return data, files


def sized_file(kind: str, size: int) -> bytes:
    """A file the upload check accepts (it reads the first bytes and a PDF's %%EOF), padded to ``size``."""
    head, tail = {
        "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%", b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
        "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", b"\xff\xd9"),
        "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde", b""),
    }[kind]
    return head + b"0" * max(0, size - len(head) - len(tail)) + tail


# --- servers ----------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Servers:
    """The gunicorn masters started; stopped together."""

    started: list[Server] = field(default_factory=list)

    def start(self, space: Workspace, name: str, app: str, workers: int, ready_path: str, pythonpath: str = "") -> Server:
        """``gunicorn -c gunicorn.conf.py APP`` with the shipped
        configuration, on a free loopback port, in its own process group."""
        port = free_port()
        metrics = space.folder / f"metrics-{name}"
        log = space.folder / f"{name}.log"
        env = space.environment(
            PORTAL_BIND=f"127.0.0.1:{port}",
            PORTAL_WEB_WORKERS=str(workers),
            PORTAL_METRICS_DIR=str(metrics),
            PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        )
        command = [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", *(["--pythonpath", pythonpath] if pythonpath else []), app]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name, process, f"http://127.0.0.1:{port}", log)
        self.started.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited at start:\n{server.tail()}")
            try:
                if requests.get(server.base + ready_path, timeout=2).status_code == 200:
                    return server
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} did not answer {ready_path} within 60 s:\n{server.tail()}")

    def stop(self) -> None:
        for server in reversed(self.started):
            if server.process.poll() is None:
                try:
                    os.killpg(server.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for server in reversed(self.started):
            try:
                server.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(server.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                server.process.wait()
        self.started.clear()


@contextmanager
def servers():
    running = Servers()
    try:
        yield running
    finally:
        # A second Ctrl-C during the stop must not leave workers behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            running.stop()
        finally:
            signal.signal(signal.SIGINT, previous)


# --- the browser's part -----------------------------------------------------


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("no csrf_token in the page")
    return found.group(1)


def sign_in(session: requests.Session, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """POST /login with the form's CSRF token, like a browser; where the
    account asks for its second factor (the demo supervisor and admin), the
    code from the demo secret follows."""
    page = session.get(base + "/login", timeout=30)
    answer = session.post(
        base + "/login", data={"login": login, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False, timeout=30,
    )
    if answer.status_code == 302 and answer.headers["Location"].endswith("/login/code"):
        import pyotp

        from portal.domain.second_factor import DEMO_SECRET

        page = session.get(base + "/login/code", timeout=30)
        answer = session.post(
            base + "/login/code", data={"code": pyotp.TOTP(DEMO_SECRET).now(), "csrf_token": csrf_token(page.text)},
            allow_redirects=False, timeout=30,
        )
    if answer.status_code != 302 or answer.headers["Location"].endswith(("/login", "/login/code")):
        raise RuntimeError(f"sign-in as {login} answered {answer.status_code}")


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def track_request(session: requests.Session, base: str, number: str, code: str) -> tuple[str, str, dict]:
    """The public lookup as it stands: a POST of number and code with the
    form's CSRF token from GET /track, or, where POST answers 405, the
    older GET /track?number=&code=. Returns (method, path, form data)."""
    page = session.get(base + "/track", timeout=30)
    found = CSRF.search(page.text)
    data = {"number": number, "code": code}
    if found:
        data["csrf_token"] = found.group(1)
    probe = session.post(base + "/track", data=data, allow_redirects=False, timeout=30)
    if probe.status_code == 405:
        return "GET", f"/track?number={number}&code={code}", {}
    return "POST", "/track", data


def submit_online(session: requests.Session, base: str, code: str, data: dict, files: dict) -> tuple[int, str | None]:
    """The resident's online application (tests/journeys.py apply_online):
    the form, its POST with the files, the review page and the submit.
    Returns (status of the last answer, case number or None)."""
    page = session.get(f"{base}/apply/{code}", timeout=60)
    if page.status_code != 200:
        return page.status_code, None
    token = TOKEN.search(page.text).group(1)
    posted = session.post(
        f"{base}/apply/{code}", data={**data, "csrf_token": csrf_token(page.text), "token": token},
        files={name: (filename, content, kind) for name, (filename, content, kind) in files.items()},
        allow_redirects=False, timeout=120,
    )
    if posted.status_code != 302:
        return posted.status_code, None
    review = session.get(f"{base}/apply/review/{token}", timeout=60)
    found = re.search(r'action="/apply/submit/[^"]*".*?name="csrf_token"[^>]*value="([^"]+)"', review.text, re.S)
    if review.status_code != 200 or not found:
        return review.status_code if review.status_code != 200 else 599, None
    submitted = session.post(f"{base}/apply/submit/{token}", data={"csrf_token": found.group(1)}, allow_redirects=False, timeout=60)
    location = submitted.headers.get("Location", "")
    number = location.split("/")[2] if submitted.status_code == 302 and location.startswith("/cases/") else None
    return submitted.status_code, number
