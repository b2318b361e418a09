"""Benchmark: does the sign-in take the same time whether or not the login
exists? 50 sign-ins with a known login and a wrong password against 50
with an unknown login, through the test client, with the production
argon2id parameters (``portal.config.ARGON2_OWASP``), interleaved so any
drift of the machine hits both alike.

    .venv/bin/python benchmarks/sign_in.py [COUNT]

Prints each median, their ratio (known / unknown; 1.00 means no
difference), and for comparison the median of a right password. Runs on a
throw-away SQLite file; the rate limit is raised out of the way (its
counting is still done on every request).
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from portal import create_app
from portal.config import ARGON2_OWASP
from portal.db import db
from portal.domain.accounts import register_resident
from portal.extensions import password_hasher

PASSWORD = "correct-horse-42"
MOBILE = "13800000001"
ID_NUMBER = "330822199001011238"


def timed_post(client, login: str, password: str, expect: int) -> float:
    began = time.perf_counter()
    response = client.post("/login", data={"login": login, "password": password})
    elapsed = time.perf_counter() - began
    assert response.status_code == expect, response.status_code
    return elapsed


def main(count: int = 50) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'sign_in.sqlite3'}",
                "ARGON2_PARAMETERS": dict(ARGON2_OWASP),
                "PORTAL_LOGIN_LIMIT": "1000000 per minute",
                "WTF_CSRF_ENABLED": False,
            }
        )
        logging.getLogger("portal").setLevel(logging.WARNING)  # one request line per sign-in otherwise
        with app.app_context():
            db.metadata.create_all(db.engine)
            register_resident(
                db.session, real_name="王小明", id_number=ID_NUMBER, mobile=MOBILE, password=PASSWORD,
                passwords=password_hasher(), now=datetime.now(UTC),
            )
            db.session.commit()
        client = app.test_client()
        for _ in range(3):  # warm up: templates, translations, connections
            timed_post(client, MOBILE, "wrong-password-1", 400)
            timed_post(client, "13999999999", "wrong-password-1", 400)
        known, unknown, right = [], [], []
        for n in range(count):
            known.append(timed_post(client, MOBILE if n % 2 else ID_NUMBER, "wrong-password-1", 400))
            unknown.append(timed_post(client, f"139{n:08d}", "wrong-password-1", 400))
        for _ in range(min(count, 10)):
            right.append(timed_post(app.test_client(), MOBILE, PASSWORD, 302))
        with app.app_context():
            db.engine.dispose()

    known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
    print(f"argon2id parameters:            {ARGON2_OWASP}")
    print(f"known login, wrong password:    median {known_ms:.1f} ms of {count}")
    print(f"unknown login:                  median {unknown_ms:.1f} ms of {count}")
    print(f"ratio known / unknown:          {known_ms / unknown_ms:.3f}")
    print(f"right password (for reference): median {statistics.median(right) * 1000:.1f} ms of {len(right)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
