"""Benchmark: the supervisor's dashboard and the overdue list at 100,000
and 1,000,000 cases, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/dashboard.py                       # SQLite, temporary file
    .venv/bin/python benchmarks/dashboard.py --database postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench
    .venv/bin/python benchmarks/dashboard.py --sizes 100000 1000000
    .venv/bin/python benchmarks/dashboard.py --database … --sizes 1000000 --reuse --month 2026-11

For each size the database is emptied and migrated, then filled with bulk
inserts (cases over the past 365 days across every service, both windows
and channels; tasks for accepted cases; about 2% of the last fortnight's
tasks still open and overdue), the daily tallies are rebuilt once with
`rebuild_tallies`, and the script prints the median of 5 runs of:
- the dashboard's figures for this month (the domain call: every query);
- the whole dashboard page, rendered for a signed-in supervisor (and, in
  brackets, the same page as the process keeps it within a second);
- the overdue list (first 100 and the count).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

BATCH = 20_000


def build_app(url: str):
    os.environ["PORTAL_DATABASE_URL"] = url
    from portal import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def reset_schema(app) -> None:
    import flask_migrate

    from portal.db import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()


def seed(app, now: datetime) -> None:
    from portal.catalog import load_catalog
    from portal.db import db
    from portal.demo_cases.accounts import load_demo
    from portal.domain.calendar import seed_calendar
    from portal.extensions import password_hasher

    with app.app_context():
        load_catalog(db.session)
        seed_calendar(db.session, now)
        load_demo(db.session, now, password_hasher())
        db.session.commit()


def fill(app, count: int, now: datetime, rng: random.Random) -> None:
    """Bulk rows shaped like the lifecycle's: statuses, figures fixed on
    each case, one task per accepted case for an agency of its service."""
    from portal.db import db
    from portal.domain.clock import SHANGHAI, WorkCalendar, deadline, local_date
    from portal.models import Agency, Case, Service, Task

    with app.app_context():
        session = db.session
        calendar = WorkCalendar.load(session)
        services = session.scalars(select(Service)).all()
        agencies = {(a.county.value, a.department.value): a.id for a in session.scalars(select(Agency))}
        today = local_date(now)
        case_rows, task_rows = [], []
        next_id = 1

        def flush():
            if not case_rows:
                return
            session.execute(insert(Case), case_rows)
            if task_rows:
                session.execute(insert(Task), task_rows)
            session.commit()
            case_rows.clear()
            task_rows.clear()

        for i in range(count):
            service = services[i % len(services)]
            county = ("changshan", "yushan")[rng.random() < 0.45]
            channel = ("online", "counter")[rng.random() < 0.55]
            day = today - timedelta(days=int(365 * (i / count)))
            submitted = datetime.combine(day, clock_time(8, 30), tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(480))
            submitted = min(submitted, now - timedelta(minutes=5))
            roll = rng.random()
            age = (today - day).days
            status, accepted, intake, outcome = "delivered", None, None, "completed"
            corrected = roll < 0.08
            if roll < 0.03:
                status, outcome = "refused_intake", None
            elif roll < 0.05:
                status, outcome = "withdrawn", None
            elif age < 10 and roll < 0.40:
                status, outcome = "in_progress", None
            elif roll < 0.07:
                outcome = "refused"
            if status != "refused_intake" and not (status == "withdrawn" and roll < 0.04):
                intake = rng.randrange(3, 40) if channel == "counter" else rng.randrange(30, 600)
                accepted = submitted + timedelta(minutes=intake)
            due = deadline(calendar, accepted, service.promise_workdays).due_at if accepted else None
            turnaround = on_time = same_day = closed = delivered = None
            if outcome:
                turnaround = max(0, min(service.promise_workdays + (1 if rng.random() < 0.06 else 0) - rng.randrange(2), 8))
                closed = datetime.combine(
                    calendar.nth_workday_after(local_date(accepted), turnaround) if turnaround else local_date(accepted),
                    clock_time(16), tzinfo=SHANGHAI,
                )
                closed = min(max(closed, accepted + timedelta(minutes=30)), now - timedelta(minutes=1))
                on_time = closed <= due
                same_day = local_date(closed) == day
                delivered = min(closed + timedelta(hours=20), now)
            elif status in ("refused_intake", "withdrawn"):
                closed = submitted + timedelta(minutes=20)
            case_rows.append(dict(
                id=next_id, number=f"KS{county[0].upper()}B{i:012d}"[:20], query_code=f"{i % 1000000:06d}",
                service_id=service.id, channel=channel, receiving_county=county, status=status,
                applicant_user_id=None, applicant_name="测试申请人", applicant_id_number="330822199001011238",
                applicant_mobile="13800000001", hukou_county=county, hukou_province="", residence_county=county,
                residence_province="", business_county=county, business_province="", form_data={},
                created_by_id=None, identity_checked=True, idempotency_key=None, submitted_at=submitted,
                received_on=day, accepted_at=accepted, due_at=due, due_provisional=False, closed_at=closed,
                turnaround_workdays=turnaround, intake_minutes=intake, corrected=corrected, outcome=outcome,
                on_time=on_time, same_day=same_day, delivery_method="window" if delivered else None,
                delivered_at=delivered, version=1,
            ))
            if accepted:
                department = service.routing[0]["steps"][0]["department"]
                task_status = "completed" if outcome else ("cancelled" if status == "withdrawn" else "claimed")
                task_due = due if rng.random() > 0.05 or outcome else now - timedelta(days=1)
                task_rows.append(dict(
                    case_id=next_id, agency_id=agencies[(county, department)], stage=1, stage_name_zh="审核",
                    stage_name_en="Review", action_zh="审核", action_en="Review", fallback=False,
                    status=task_status, assignee_id=None, due_at=task_due, opinion="", result={},
                    created_at=accepted, closed_at=closed if outcome else None,
                    workdays=turnaround if outcome else None, version=1,
                ))
            next_id += 1
            if len(case_rows) >= BATCH:
                flush()
        flush()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('case_record', 'id'), (SELECT max(id) FROM case_record))"))
            session.execute(text("ANALYZE"))
            session.commit()


def held_cases(app) -> int | None:
    """How many cases the database holds; None before it was migrated."""
    from sqlalchemy.exc import DBAPIError

    from portal.db import db

    with app.app_context():
        try:
            return db.session.scalar(text("SELECT count(*) FROM case_record"))
        except DBAPIError:
            return None


def median_ms(action, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measure(app, now: datetime, month: str | None = None) -> dict:
    from portal.db import db, tidy_tables
    from portal.domain.clock import local_date
    from portal.domain.dashboard import Filters, dashboard, month_range, overdue_work
    from portal.domain.tallies import rebuild_tallies
    from portal.models import CaseTally, TallyValue

    with app.app_context():
        began = time.perf_counter()
        rows = rebuild_tallies(db.session)
        db.session.commit()
        rebuild = time.perf_counter() - began
        # As `flask sla rebuild` does: the rows replaced are reclaimed (the
        # state autovacuum keeps), then the planner's statistics refreshed.
        tidy_tables(db.engine, CaseTally.__table__, TallyValue.__table__)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        # What the lifecycle adds to a status change: rebuilding one group.
        from portal.domain.tallies import refresh_group
        from portal.models import Case

        sample = db.session.scalars(select(Case).order_by(Case.id.desc()).limit(1)).first()  # the newest day's group
        group = (sample.received_on, sample.service_id, sample.receiving_county, sample.channel)
        refresh = median_ms(lambda: (refresh_group(db.session, *group), db.session.rollback()))
        # This month (its first day may be the only one with cases), or --month.
        filters = Filters(*month_range(date.fromisoformat(f"{month}-15") if month else local_date(now)))
        figures = median_ms(lambda: dashboard(db.session, filters, now))
        overdue = median_ms(lambda: overdue_work(db.session, filters, now))
        board = dashboard(db.session, filters, now)
    client = app.test_client()
    answer = client.post("/login", data={"login": "supervisor", "password": "demo-pass-2026"})
    if answer.headers.get("Location", "").endswith("/login/code"):  # the supervisor's second factor
        import pyotp

        from portal.domain.second_factor import DEMO_SECRET

        client.post("/login/code", data={"code": pyotp.TOTP(DEMO_SECRET).now()})
    address = "/supervisor/dashboard?" + urlencode(filters.query_args())
    assert client.get(address).status_code == 200
    # The process keeps the page for the second while the work is
    # unchanged (web/fragments.work_fragment): a new address each run is
    # rendered afresh, which is the figure the target is about; the same
    # address again is the kept page.
    runs = iter(range(1_000_000))
    page = median_ms(lambda: client.get(f"{address}&run={next(runs)}"))
    kept = median_ms(lambda: client.get(address))
    return {
        "tally_rows": rows, "rebuild_s": rebuild, "refresh_ms": refresh, "figures_ms": figures, "page_ms": page, "kept_ms": kept,
        "overdue_ms": overdue,
        "month_received": board.totals.received, "overdue_total": board.overdue_total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--reuse", action="store_true",
        help="measure the database as it stands when it already holds the size's cases (an earlier run's); "
        "with one --database per size, a second measurement skips the filling",
    )
    parser.add_argument("--month", help="the month shown, YYYY-MM (default: this month, as the dashboard opens)")
    args = parser.parse_args()
    now = datetime.now(UTC)
    results = {}
    for size in args.sizes:
        # A new SQLite file per size; PostgreSQL's schema is dropped and migrated again.
        url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.db"
        app = build_app(url)
        began = time.perf_counter()
        if not (args.reuse and held_cases(app) == size):
            reset_schema(app)
            seed(app, now)
            fill(app, size, now, random.Random(size))
        loaded = time.perf_counter() - began
        results[size] = measure(app, now, args.month)
        r = results[size]
        print(
            f"{url.split(':')[0]:<18} "
            f"{size:>9,} cases  load {loaded:6.1f} s  tallies {r['tally_rows']:>6,} rows in {r['rebuild_s']:5.1f} s  "
            f"dashboard figures {r['figures_ms']:7.1f} ms  page {r['page_ms']:7.1f} ms (kept {r['kept_ms']:5.1f} ms)  "
            f"overdue list {r['overdue_ms']:6.1f} ms  one group's tallies {r['refresh_ms']:5.1f} ms  "
            f"(month: {r['month_received']:,} received, "
            f"{r['overdue_total']:,} overdue)",
            flush=True,
        )
    if len(results) >= 2:
        small, large = min(results), max(results)
        for key in ("figures_ms", "page_ms", "overdue_ms", "refresh_ms"):
            print(f"ratio {large:,}/{small:,} {key}: {results[large][key] / results[small][key]:.2f}")


if __name__ == "__main__":
    main()
