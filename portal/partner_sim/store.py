"""What the simulated partner system received and answered, in SQLite
(in memory by default): each task message once per Idempotency-Key, with
the number of times it was delivered; each callback it sent."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime

SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    key TEXT PRIMARY KEY, topic TEXT, task_id INTEGER, case_number TEXT,
    body TEXT, first_received_at TEXT, deliveries INTEGER, request_id TEXT
);
CREATE TABLE IF NOT EXISTS callback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT, task_id INTEGER, action TEXT,
    status INTEGER, answer TEXT, sent_at TEXT
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: str = ":memory:"):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)

    def save_message(self, key: str, topic: str, body: dict, request_id: str = "") -> bool:
        """Store a message; True when its key is new, False for a resend
        (only counted). The portal's X-Request-ID of the latest delivery is kept."""
        task = body.get("task") or {}
        case = body.get("case") or {}
        with self._lock:
            inserted = self._db.execute(
                "INSERT OR IGNORE INTO message VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                (key, topic, task.get("id"), case.get("number"), json.dumps(body, ensure_ascii=False), _now(), request_id),
            ).rowcount
            if not inserted:
                self._db.execute(
                    "UPDATE message SET deliveries = deliveries + 1, request_id = ? WHERE key = ?", (request_id, key)
                )
        return bool(inserted)

    def messages(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM message ORDER BY first_received_at, rowid").fetchall()
        return [{**dict(row), "body": json.loads(row["body"])} for row in rows]

    def tasks(self) -> list[dict]:
        """One entry per task the portal handed over, whatever the number of messages about it."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id, case_number, COUNT(*) AS messages, SUM(deliveries) AS deliveries "
                "FROM message WHERE topic = 'task.created' GROUP BY task_id, case_number ORDER BY task_id"
            ).fetchall()
        return [dict(row) for row in rows]

    def save_callback(self, event: dict, status: int | None, answer: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO callback (event_id, task_id, action, status, answer, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
                (event["event_id"], event["task_id"], event["action"], status, answer[:500], _now()),
            )

    def callbacks(self) -> list[dict]:
        with self._lock:
            return [dict(row) for row in self._db.execute("SELECT * FROM callback ORDER BY id").fetchall()]
