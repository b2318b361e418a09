"""Benchmark: requests per second and latency of the portal's main pages
under the shipped gunicorn configuration, next to a bare Flask "hello".

    .venv/bin/python benchmarks/pages.py                                   # SQLite, temporary file (make bench)
    .venv/bin/python benchmarks/pages.py --database postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench
    .venv/bin/python benchmarks/pages.py --duration 30 --pages catalog track api --workers 4

What it does:
- a fresh database (a temporary SQLite file, or the PostgreSQL database
  named, created afresh through the server's ``postgres`` database and
  dropped at the end) gets what ``make run`` gives: ``db upgrade`` and
  ``setup --demo-cases 400`` (catalog, calendar, demo accounts, 400 cases
  through the real workflow); then a window system's API token and a few
  resident accounts for the online submit, made through the domain;
- the portal (``gunicorn -c gunicorn.conf.py wsgi:app``) and the hello app
  (benchmarks/hello.py, the same configuration) start on free loopback
  ports with PORTAL_WEB_WORKERS workers (2) and PORTAL_RATE_LIMITS=off,
  the benchmark-only setting without which sign-in and tracking would
  answer 429 within seconds (production refuses it);
- it signs in once per role with the demo accounts (POST /login with its
  CSRF token) and drives each page for --duration seconds with ``wrk -t2
  -c16`` (a Lua script gives the method, body and the p50/p95; cookies and
  tokens go as -H headers) or, without wrk, a Python generator (16
  threads, one keep-alive requests.Session each);
- hello runs before and after the pages; their mean is the reference.

Printed: one row per page with req/s, p50 and p95 in ms, req/s divided by
hello's, and the answers that were not 2xx/3xx (or failed). The online
submit with a 1 MB upload is always driven by the Python generator (a
multipart upload and a four-request journey are awkward in wrk): its row
counts whole submissions (form, 1 MB POST, review, submit), so its
figures are per submission, not per request.

Every process it starts is stopped at the end, also on Ctrl-C, and the
database and temporary files are removed. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

SERVICE = "psb-rp-apply"
APPLY_SERVICE = "psb-no-record"  # the service tests/journeys.py applies for
UPLOAD_BYTES = 1024 * 1024
CONNECTIONS = 16

# name: (role signed in or None, what it is)
PAGES = {
    "catalog": (None, "GET /services"),
    "service": (None, f"GET /services/{SERVICE}"),
    "track": (None, "tracking lookup (POST /track, or GET where POST is 405)"),
    "agency": ("officer.cs-psb", "GET /agency/ (officer's queue)"),
    "counter": ("clerk.cs", "GET /counter/ (clerk's desk)"),
    "case": ("clerk.cs", "GET /cases/<number> as staff"),
    "resident": ("13800000001", "GET /resident/ (My applications)"),
    "dashboard": ("supervisor", "GET /supervisor/dashboard"),
    "api": (None, "POST /api/v1/cases (window token, no Idempotency-Key)"),
    "submit": (None, "online submit, 1 MB upload (Python generator, per submission)"),
}


@dataclass
class Target:
    """One request, as wrk and the Python generator send it."""

    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""


@dataclass
class Result:
    name: str
    what: str
    rate: float
    p50: float
    p95: float
    bad: int
    driver: str
    detail: str = ""


# --- load generators --------------------------------------------------------

LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def run_wrk(base: str, target: Target, duration: int, folder: Path) -> tuple[float, float, float, int]:
    """wrk -t2 -c16 -d<duration>: (req/s, p50 ms, p95 ms, answers not 2xx/3xx or failed)."""
    script = folder / "wrk.lua"
    body_headers = {k: v for k, v in target.headers.items() if k in ("Content-Type",)}
    script.write_text(
        LUA.format(
            method=lua_string(target.method),
            body=lua_string(target.body) if target.body else "nil",
            headers="\n".join(f"wrk.headers[ {lua_string(k)} ] = {lua_string(v)}" for k, v in body_headers.items()),
        ),
        encoding="utf-8",
    )
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "30s", "-s", str(script)]
    for name, value in target.headers.items():
        if name not in body_headers:
            command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, base + target.path], capture_output=True, text=True, check=False)
    line = next((raw for raw in done.stdout.splitlines() if raw.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    requests_done, micros, p50, p95, status_errors, socket_errors = (int(v) for v in line.split()[1:])
    return requests_done / (micros / 1e6), p50 / 1000, p95 / 1000, status_errors + socket_errors


def run_python(duration: int, prepare, one) -> tuple[float, float, float, int]:
    """CONNECTIONS threads, each with ``prepare()``'s keep-alive session,
    calling ``one(session)`` (returns a status code) until the time is up."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    sessions = [prepare(i) for i in range(CONNECTIONS)]
    start = threading.Barrier(CONNECTIONS + 1)
    stop_at = [0.0]

    def user(session):
        mine, errors = [], 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                status = one(session)
            except requests.RequestException:
                status = 0
            mine.append((time.perf_counter() - began) * 1000)
            errors += not (200 <= status < 400)
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    threads = [threading.Thread(target=user, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return len(latencies) / elapsed, harness.percentile(latencies, 50), harness.percentile(latencies, 95), bad[0]


def plain_session(cookie: str = "") -> requests.Session:
    session = requests.Session()
    if cookie:
        session.headers["Cookie"] = cookie
    return session


def drive(base: str, target: Target, duration: int, folder: Path, use_wrk: bool) -> tuple[tuple, str]:
    if use_wrk:
        return run_wrk(base, target, duration, folder), "wrk"
    url = base + target.path
    body = target.body.encode("utf-8") if target.body else None

    def one(session):
        answer = session.request(target.method, url, headers=target.headers, data=body, allow_redirects=False, timeout=60)
        answer.content  # noqa: B018 - read the whole answer, as wrk does
        return answer.status_code

    return run_python(duration, lambda i: plain_session(), one), "python"


# --- the pages --------------------------------------------------------------


def prepare_targets(names: list[str], base: str, space: harness.Workspace) -> tuple[dict, dict]:
    """What each page needs: signed-in cookies, a case, an API token, the
    residents of the online submit. Returns (targets, extra for submit)."""
    from sqlalchemy import select

    from portal.models import Case, CaseStatus, County

    cookies: dict[str, str] = {}

    def cookie_of(login: str) -> str:
        if login not in cookies:
            session = requests.Session()
            harness.sign_in(session, base, login)
            cookies[login] = harness.cookie_header(session)
        return cookies[login]

    targets, submit = {}, {}
    with harness.portal_app(space) as (_app, db):
        tracked = harness.tracked_cases(db, 1)[0]
        staff_case = db.scalar(
            select(Case.number).where(Case.receiving_county == County.changshan, Case.status == CaseStatus.in_progress).order_by(Case.id)
        )
        token = harness.window_token(db) if "api" in names else ""
        api_body = walk_in_body(db) if "api" in names else {}
        if "submit" in names:
            submit["logins"] = harness.register_residents(db, CONNECTIONS)
            submit["data"], submit["files"] = harness.application(db, APPLY_SERVICE, UPLOAD_BYTES)
    for name in names:
        role = PAGES[name][0]
        headers = {"Cookie": cookie_of(role)} if role else {}
        if name == "catalog":
            targets[name] = Target("GET", "/services")
        elif name == "service":
            targets[name] = Target("GET", f"/services/{SERVICE}")
        elif name == "track":
            session = requests.Session()
            method, path, data = harness.track_request(session, base, *tracked)
            headers = {"Cookie": harness.cookie_header(session)}
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            targets[name] = Target(method, path, headers, urlencode(data) if method == "POST" else "")
            PAGES[name] = (None, f"tracking lookup, {method} /track" + (" with its CSRF token" if method == "POST" else "?number=&code="))
        elif name == "agency":
            targets[name] = Target("GET", "/agency/", headers)
        elif name == "counter":
            targets[name] = Target("GET", "/counter/", headers)
        elif name == "case":
            targets[name] = Target("GET", f"/cases/{staff_case}", headers)
        elif name == "resident":
            targets[name] = Target("GET", "/resident/", headers)
        elif name == "dashboard":
            targets[name] = Target("GET", "/supervisor/dashboard", headers)
        elif name == "api":
            targets[name] = Target(
                "POST", "/api/v1/cases",
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, json.dumps(api_body),
            )
    return targets, submit


def walk_in_body(db) -> dict:
    """A valid walk-in filing (tests/api_data.py walk_in_body)."""
    from sqlalchemy import select

    from portal.models import Service

    fields = {}
    for spec in db.scalar(select(Service).where(Service.code == APPLY_SERVICE)).fields:
        fields[spec["name"]] = {"select": lambda s: s["choices"][0]["value"], "date": lambda s: "2026-11-02", "number": lambda s: 1000}.get(
            spec["type"], lambda s: "测试内容"
        )(spec)
    return {
        "service": APPLY_SERVICE,
        "applicant": {"name": "赵六", "id_number": harness.valid_id_number("361123", "19850505", 7), "mobile": "13812345678"},
        "identity_checked": True,
        "facts": {"hukou_county": "yushan", "residence_county": "changshan"},
        "fields": fields,
        "materials": [{"code": "id-card", "reference": "window-scan-0001"}],
    }


def probe(base: str, name: str, target: Target) -> None:
    """One request before the run: a page that does not answer as it
    should (200, or the submit's redirect) is not benchmarked, so a
    redirect to the sign-in page is never measured as the page."""
    answer = requests.request(
        target.method, base + target.path, headers=target.headers,
        data=target.body.encode("utf-8") if target.body else None, allow_redirects=False, timeout=60,
    )
    expected = (200, 201) if target.method == "GET" or name == "api" else (200, 201, 302, 303)
    if answer.status_code not in expected:
        raise RuntimeError(f"{name}: {target.method} {target.path} answered {answer.status_code}: {answer.text[:300]}")


def run_submit(base: str, submit: dict, duration: int) -> tuple[tuple, str]:
    logins = iter(submit["logins"])
    numbers: list[str] = []

    def prepare(_i):
        session = requests.Session()
        harness.sign_in(session, base, next(logins))
        return session

    def one(session):
        status, number = harness.submit_online(session, base, APPLY_SERVICE, submit["data"], submit["files"])
        if number:
            numbers.append(number)
        return status

    figures = run_python(duration, prepare, one)
    return figures, f"{len(numbers)} cases submitted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file); a PostgreSQL database is created afresh")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES), metavar="NAME", help=", ".join(PAGES))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (PORTAL_WEB_WORKERS, default 2)")
    parser.add_argument("--demo-cases", type=int, default=400, help="generated demo cases (default 400, as make run)")
    args = parser.parse_args()
    names = [name for name in PAGES if name in args.pages]
    use_wrk = shutil.which("wrk") is not None
    harness.stop_on_sigterm()
    began = time.perf_counter()
    with harness.workspace(args.database) as space, harness.servers() as running, tempfile.TemporaryDirectory() as scratch:
        setup_s = harness.prepare_demo(space, args.demo_cases)
        portal = running.start(space, "portal", "wsgi:app", args.workers, "/healthz")
        hello = running.start(space, "hello", "hello:app", args.workers, "/", pythonpath=str(harness.BENCHMARKS))
        targets, submit = prepare_targets(names, portal.base, space)
        for name, target in targets.items():
            probe(portal.base, name, target)
        generator = f"wrk -t2 -c{CONNECTIONS}" if use_wrk else f"Python, {CONNECTIONS} threads"
        print(
            f"{space.dialect}, {args.workers} gunicorn workers, {args.duration} s per page, {generator}; "
            f"demo data ready in {setup_s:.0f} s; load average {os.getloadavg()[0]:.1f} (others' work skews the figures)",
            flush=True,
        )
        hello_runs = [drive(hello.base, Target("GET", "/"), args.duration, Path(scratch), use_wrk)]
        results = []
        for name in names:
            if name == "submit":
                figures, detail = run_submit(portal.base, submit, args.duration)
                driver = "python"
            else:
                (figures, driver), detail = drive(portal.base, targets[name], args.duration, Path(scratch), use_wrk), ""
            if portal.process.poll() is not None:
                raise SystemExit(f"the portal exited during {name}:\n{portal.tail()}")
            results.append(Result(name, PAGES[name][1], *figures, driver=driver, detail=detail))
            print(f"  {name}: {figures[0]:.1f}/s", flush=True)
        hello_runs.append(drive(hello.base, Target("GET", "/"), args.duration, Path(scratch), use_wrk))
    reference = statistics.mean(run[0][0] for run in hello_runs)
    print()
    print(f"{'page':<10} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'÷ hello':>8} {'not 2xx/3xx':>11}  what")
    for label, (figures, driver) in (("hello", hello_runs[0]), ("hello", hello_runs[1])):
        rate, p50, p95, bad = figures
        print(f"{label:<10} {rate:>9.1f} {p50:>8.1f} {p95:>8.1f} {rate / reference:>8.3f} {bad:>11}  GET / (bare Flask, {driver})")
    for r in results:
        note = f"; {r.detail}" if r.detail else ""
        figures = f"{r.rate:>9.1f} {r.p50:>8.1f} {r.p95:>8.1f} {r.rate / reference:>8.4f} {r.bad:>11}"
        print(f"{r.name:<10} {figures}  {r.what} [{r.driver}{note}]")
    print(
        f"\nhello reference: mean of before and after, {reference:.1f} req/s. Total time {time.perf_counter() - began:.0f} s; "
        f"load average at the end {os.getloadavg()[0]:.1f}."
    )
    if "submit" in names:
        print("submit: driven by the Python generator whatever the others use; req/s and ms are per submission of four requests.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and the database removed", file=sys.stderr)
        sys.exit(130)
