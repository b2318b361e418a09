"""Benchmark: 100,000 deadlines over random acceptance dates (2004–2028)
and N in 0–20, against the calendar in the configured database.

    .venv/bin/python benchmarks/deadlines.py [COUNT]

Prints the wall time of the whole batch and the SQL statements it issued
(loading the calendar snapshot included). Run `make run` or
`flask --app portal setup` first so the calendar is seeded.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta

from sqlalchemy import event

from portal import create_app
from portal.db import db
from portal.domain.clock import SHANGHAI, WorkCalendar, deadline


def main(count: int = 100_000) -> None:
    app = create_app()
    rng = random.Random(20261128)
    start_day = date(2004, 1, 1)
    span = (date(2028, 12, 31) - start_day).days
    inputs = [
        (datetime.combine(start_day + timedelta(days=rng.randrange(span)), datetime.min.time(), tzinfo=SHANGHAI)
         + timedelta(hours=rng.randrange(24)), rng.randrange(21))
        for _ in range(count)
    ]
    statements = 0

    with app.app_context():
        def count_statement(*_args):
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count_statement)
        began = time.perf_counter()
        calendar = WorkCalendar.load(db.session)
        loaded = time.perf_counter()
        provisional = 0
        for accepted_at, workdays in inputs:
            provisional += deadline(calendar, accepted_at, workdays).provisional
        finished = time.perf_counter()
        event.remove(db.engine, "before_cursor_execute", count_statement)
        url = db.engine.url.render_as_string(hide_password=True)

    print(f"database:            {url}")
    print(f"deadlines computed:  {count}")
    print(f"provisional results: {provisional}")
    print(f"SQL statements:      {statements}")
    print(f"calendar load:       {loaded - began:.3f} s")
    print(f"deadline batch:      {finished - loaded:.3f} s ({(finished - loaded) / count * 1e6:.1f} µs each)")
    print(f"total:               {finished - began:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
