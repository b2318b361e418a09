"""Benchmark: a mixed load of concurrent users on the portal under the
shipped gunicorn configuration, on PostgreSQL by default.

    .venv/bin/python benchmarks/load.py                                    # 50 users, 60 s, PostgreSQL portal_bench
    .venv/bin/python benchmarks/load.py --users 100 --duration 120 --think 0.5
    .venv/bin/python benchmarks/load.py --database sqlite                  # a temporary SQLite file instead

A fresh database (PostgreSQL: the database named, default ``portal_bench``
on postgres@127.0.0.1, created afresh through the server's ``postgres``
database and dropped at the end) gets what ``make run`` gives (``db
upgrade``, ``setup --demo-cases 400``), and a pool of resident accounts is
registered through the domain with the demo password. The portal starts
under ``gunicorn -c gunicorn.conf.py wsgi:app`` with PORTAL_WEB_WORKERS=4
and PORTAL_RATE_LIMITS=off (the benchmark-only setting; production
refuses it), on a free loopback port.

Then --users threads (default 50), each a user with its own keep-alive
requests.Session, act for --duration seconds (default 60), pausing
--think seconds on average between requests (uniformly 0.5–1.5 times it;
0 for no pause):
- 40% anonymous visitors: the catalog, then a service page;
- 20% tracking lookups: GET /track, then the POST of a demo case's number
  and query code with the form's CSRF token (or GET /track?number=&code=
  where POST answers 405);
- 20% residents: sign in (POST /login with its CSRF token), open the
  online form of psb-no-record, POST it with a --upload-kb file per
  material, the review page, submit, then My applications — a fresh
  session each round, one account of the pool per user;
- 20% officers of the 12 demo agencies: their queue (/agency/) and a task
  page from it, signed in once.

Printed: the requests of each kind and overall with p50/p95/p99 in ms,
the count of 5xx answers (target 0), of other answers not 2xx/3xx and of
requests that failed (connection, timeout); and at the end every case
number a submit answered with success is looked up in the database
(numbers answered vs rows found). Every process it starts is stopped,
also on Ctrl-C, and the database is removed. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

APPLY_SERVICE = "psb-no-record"
OFFICERS = [f"officer.{county}-{department}" for department in ("psb", "gov", "amr", "eme", "hrss", "drc") for county in ("cs", "ys")]
MIX = (("visitor", 0.4), ("tracker", 0.2), ("resident", 0.2), ("officer", 0.2))
TASK_LINK = re.compile(r'href="(/agency/tasks/\d+)"')


class Recorder:
    """One user's latencies and answers by kind; merged at the end."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.server_errors: dict[str, int] = defaultdict(int)
        self.other: dict[str, int] = defaultdict(int)
        self.failed: dict[str, int] = defaultdict(int)
        self.submitted: list[str] = []

    def request(self, kind: str, session: requests.Session, method: str, url: str, **options) -> requests.Response | None:
        began = time.perf_counter()
        try:
            answer = session.request(method, url, allow_redirects=False, timeout=60, **options)
            answer.content  # noqa: B018 - the whole answer is part of the time
        except requests.RequestException:
            self.latencies[kind].append((time.perf_counter() - began) * 1000)
            self.failed[kind] += 1
            return None
        self.latencies[kind].append((time.perf_counter() - began) * 1000)
        if answer.status_code >= 500:
            self.server_errors[kind] += 1
        elif not 200 <= answer.status_code < 400:
            self.other[kind] += 1
        return answer


class User(threading.Thread):
    def __init__(self, role: str, base: str, context: dict, stop_at: float, think: float, seed: int, login: str = ""):
        super().__init__(daemon=True)
        self.role, self.base, self.context, self.stop_at, self.think = role, base, context, stop_at, think
        self.random = random.Random(seed)
        self.login = login
        self.record = Recorder()

    def pause(self) -> bool:
        """Think, then say whether there is time left."""
        if self.think:
            time.sleep(min(max(0.0, self.stop_at - time.monotonic()), self.think * self.random.uniform(0.5, 1.5)))
        return time.monotonic() < self.stop_at

    def run(self) -> None:
        try:
            time.sleep(self.random.uniform(0, max(self.think, 0.5)))  # not all at once
            getattr(self, self.role)()
        except Exception as error:  # a user that breaks is reported, the others go on
            print(f"{self.role} stopped: {error!r}", file=sys.stderr)

    def visitor(self) -> None:
        session, codes = requests.Session(), self.context["services"]
        while time.monotonic() < self.stop_at:
            self.record.request("catalog", session, "GET", self.base + "/services")
            if not self.pause():
                break
            self.record.request("service page", session, "GET", f"{self.base}/services/{self.random.choice(codes)}")
            if not self.pause():
                break

    def tracker(self) -> None:
        session, cases = requests.Session(), self.context["tracked"]
        while time.monotonic() < self.stop_at:
            number, code = self.random.choice(cases)
            page = self.record.request("track form", session, "GET", self.base + "/track")
            if not self.pause():
                break
            if self.context["track_method"] == "POST":
                found = harness.CSRF.search(page.text) if page is not None else None
                data = {"number": number, "code": code, "csrf_token": found.group(1) if found else ""}
                self.record.request("track lookup", session, "POST", self.base + "/track", data=data)
            else:
                self.record.request("track lookup", session, "GET", self.base + "/track", params={"number": number, "code": code})
            if not self.pause():
                break

    def resident(self) -> None:
        base, data, files = self.base, self.context["data"], self.context["files"]
        while time.monotonic() < self.stop_at:
            session = requests.Session()
            form = self.record.request("sign-in form", session, "GET", base + "/login")
            if form is None or not self.pause():
                break
            signed = self.record.request(
                "sign-in", session, "POST", base + "/login",
                data={"login": self.login, "password": harness.DEMO_PASSWORD, "csrf_token": harness.csrf_token(form.text)},
            )
            if signed is None or signed.status_code != 302 or not self.pause():
                break
            page = self.record.request("apply form", session, "GET", f"{base}/apply/{APPLY_SERVICE}")
            if page is None or page.status_code != 200 or not self.pause():
                break
            token = harness.TOKEN.search(page.text).group(1)
            posted = self.record.request(
                "apply upload", session, "POST", f"{base}/apply/{APPLY_SERVICE}",
                data={**data, "csrf_token": harness.csrf_token(page.text), "token": token}, files=files,
            )
            if posted is None or posted.status_code != 302 or not self.pause():
                break
            review = self.record.request("review", session, "GET", f"{base}/apply/review/{token}")
            if review is None or review.status_code != 200 or not self.pause():
                break
            submitted = self.record.request(
                "submit", session, "POST", f"{base}/apply/submit/{token}", data={"csrf_token": harness.csrf_token(review.text)}
            )
            location = submitted.headers.get("Location", "") if submitted is not None else ""
            if submitted is not None and submitted.status_code == 302 and location.startswith("/cases/"):
                self.record.submitted.append(location.split("/")[2])
            if not self.pause():
                break
            self.record.request("my applications", session, "GET", base + "/resident/")
            if not self.pause():
                break

    def officer(self) -> None:
        session = requests.Session()
        harness.sign_in(session, self.base, self.login)
        while time.monotonic() < self.stop_at:
            queue = self.record.request("queue", session, "GET", self.base + "/agency/")
            if not self.pause():
                break
            links = TASK_LINK.findall(queue.text) if queue is not None else []
            if links:
                self.record.request("task page", session, "GET", self.base + self.random.choice(links))
                if not self.pause():
                    break


def roles(users: int) -> list[str]:
    counts = [int(users * share) for _, share in MIX]
    for i in range(users - sum(counts)):
        counts[i % len(counts)] += 1
    return [role for (role, _), count in zip(MIX, counts, strict=True) for _ in range(count)]


def report(users: list[User], elapsed: float) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    server_errors, other, failed = defaultdict(int), defaultdict(int), defaultdict(int)
    for user in users:
        for kind, values in user.record.latencies.items():
            latencies[kind].extend(values)
        for total, part in ((server_errors, user.record.server_errors), (other, user.record.other), (failed, user.record.failed)):
            for kind, count in part.items():
                total[kind] += count
    every = sorted(v for values in latencies.values() for v in values)
    print(f"\n{'kind':<16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'5xx':>5} {'other':>6} {'failed':>6}")
    for kind in sorted(latencies, key=lambda k: -len(latencies[k])):
        values = sorted(latencies[kind])
        print(
            f"{kind:<16} {len(values):>8} {harness.percentile(values, 50):>8.1f} {harness.percentile(values, 95):>8.1f} "
            f"{harness.percentile(values, 99):>8.1f} {server_errors[kind]:>5} {other[kind]:>6} {failed[kind]:>6}"
        )
    print(
        f"{'all':<16} {len(every):>8} {harness.percentile(every, 50):>8.1f} {harness.percentile(every, 95):>8.1f} "
        f"{harness.percentile(every, 99):>8.1f} {sum(server_errors.values()):>5} {sum(other.values()):>6} {sum(failed.values()):>6}"
    )
    print(
        f"\n{len(every)} requests in {elapsed:.1f} s ({len(every) / elapsed:.1f}/s); 5xx: {sum(server_errors.values())} (target 0); "
        f"other not 2xx/3xx: {sum(other.values())}; failed: {sum(failed.values())}"
    )
    return {"server_errors": sum(server_errors.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database", default=harness.POSTGRES_BENCH,
        help=f"SQLAlchemy URL of the database to create afresh (default {harness.POSTGRES_BENCH}); 'sqlite' for a temporary file",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (PORTAL_WEB_WORKERS, default 4)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's requests (default 1; 0: none)")
    parser.add_argument("--upload-kb", type=int, default=100, help="size of each uploaded material in KB (default 100)")
    parser.add_argument("--demo-cases", type=int, default=400, help="generated demo cases (default 400, as make run)")
    args = parser.parse_args()
    harness.stop_on_sigterm()
    began = time.perf_counter()
    database = None if args.database == "sqlite" else args.database
    cast = roles(args.users)
    with harness.workspace(database) as space, harness.servers() as running:
        setup_s = harness.prepare_demo(space, args.demo_cases)
        with harness.portal_app(space) as (_app, db):
            from sqlalchemy import select

            from portal.models import Service

            residents = harness.register_residents(db, cast.count("resident"))
            data, files = harness.application(db, APPLY_SERVICE, args.upload_kb * 1024)
            context = {
                "services": list(db.scalars(select(Service.code).order_by(Service.code))),
                "tracked": harness.tracked_cases(db, 200),
                "data": data,
                "files": files,
            }
        portal = running.start(space, "portal", "wsgi:app", args.workers, "/healthz")
        context["track_method"] = harness.track_request(requests.Session(), portal.base, *context["tracked"][0])[0]
        print(
            f"{space.dialect}, {args.workers} gunicorn workers, {args.users} users "
            f"({', '.join(f'{cast.count(role)} {role}s' for role, _ in MIX)}) for {args.duration} s, think {args.think} s; "
            f"tracking by {context['track_method']}; demo data ready in {setup_s:.0f} s; "
            f"load average {os.getloadavg()[0]:.1f} (others' work skews the figures)",
            flush=True,
        )
        stop_at = time.monotonic() + args.duration
        resident_logins, officer_logins = iter(residents), iter(OFFICERS * (args.users // len(OFFICERS) + 1))
        users = []
        for i, role in enumerate(cast):
            login = next(resident_logins) if role == "resident" else next(officer_logins) if role == "officer" else ""
            users.append(User(role, portal.base, context, stop_at, args.think, seed=i, login=login))
        started = time.perf_counter()
        for user in users:
            user.start()
        for user in users:
            user.join()
        elapsed = time.perf_counter() - started
        if portal.process.poll() is not None:
            print(f"the portal exited during the run:\n{portal.tail()}", file=sys.stderr)
        report(users, elapsed)
        numbers = [number for user in users for number in user.record.submitted]
        with harness.portal_app(space) as (_app, db):
            from sqlalchemy import func

            from portal.models import Case

            found = 0
            for i in range(0, len(numbers), 500):
                found += db.scalar(select(func.count()).select_from(Case).where(Case.number.in_(numbers[i:i + 500])))
        verdict = "all found" if found == len(set(numbers)) == len(numbers) else "MISSING OR DUPLICATED"
        print(f"submissions answered with success: {len(numbers)} case numbers; rows found in the database: {found} ({verdict})")
    print(f"Total time {time.perf_counter() - began:.0f} s; load average at the end {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted; the portal stopped and the database removed", file=sys.stderr)
        sys.exit(130)
