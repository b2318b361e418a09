"""A partner agency's own case system, simulated: a small separate Flask app
that takes the portal's signed task messages, keeps each once per
Idempotency-Key, and after a delay reports back through signed callbacks
(accepted, then completed with a result number) — or misbehaves on
request, for fault tests and demonstrations.

    POST /tasks      a task message from the portal's relay (401 on a bad signature)
    GET  /tasks      the tasks received, one entry per task
    GET  /messages   every message kept, with how often it was delivered
    GET  /callbacks  the callbacks sent and the portal's answers
    GET  /control    the fault modes; POST /control with JSON changes them:
                     fail_times (answer 500 that many times), slow_seconds (store,
                     then answer that late), reject (answer 400), refuse_tasks
                     (report "refused" instead of completing), callbacks (on/off),
                     callback_delay (seconds)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask import Flask, jsonify, request

from portal.clients import post_json
from portal.domain.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, SignatureError, sign, verify
from portal.partner_sim.store import Store

CALLBACK_PATH = "/api/v1/partner/events"
CALLBACK_TRIES = 3


@dataclass
class Faults:
    fail_times: int = 0
    slow_seconds: float = 0.0
    reject: bool = False
    refuse_tasks: bool = False
    callbacks: bool = True
    callback_delay: float = 2.0

    def update(self, changes: dict) -> None:
        for name, kind in (("fail_times", int), ("slow_seconds", float), ("callback_delay", float)):
            if name in changes:
                setattr(self, name, max(0, kind(changes[name])))
        for name in ("reject", "refuse_tasks", "callbacks"):
            if name in changes:
                setattr(self, name, bool(changes[name]))


class Simulator:
    def __init__(self, agency: str, secret: str, portal_url: str, store: Store, faults: Faults):
        self.agency, self.secret, self.portal_url = agency, secret, portal_url.rstrip("/")
        self.store, self.faults = store, faults
        self.lock = threading.Lock()
        # The time signatures are checked against; tests replaying hours of
        # retries in moments set their own.
        self.clock = lambda: datetime.now(UTC)

    def take_failure(self) -> bool:
        with self.lock:
            if self.faults.fail_times > 0:
                self.faults.fail_times -= 1
                return True
            return False

    def report_back(self, message_key: str, task_id: int) -> None:
        """After the delay: accepted, then completed with a result number
        (or refused, in refuse mode), each signed with the agency's secret."""
        if not (self.faults.callbacks and self.portal_url):
            return
        steps = [("accepted", {})]
        if self.faults.refuse_tasks:
            steps.append(("refused", {"note": "不符合办理条件（模拟部门系统）"}))
        else:
            steps.append(("completed", {"note": "审核通过（模拟部门系统）", "result": {"number": f"SIM-{task_id}"}}))
        delay = self.faults.callback_delay

        def run():
            for action, extra in steps:
                time.sleep(delay)
                self.send_event({
                    "event_id": f"{message_key}:{action}", "agency": self.agency, "task_id": task_id,
                    "action": action, "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"), **extra,
                })

        threading.Thread(target=run, name=f"callbacks-{task_id}", daemon=True).start()

    def send_event(self, event: dict) -> None:
        body = json.dumps(event, ensure_ascii=False).encode()
        for attempt in range(CALLBACK_TRIES):
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE_HEADER: sign(self.secret, body, datetime.now(UTC)),
            }
            outcome = post_json(self.portal_url + CALLBACK_PATH, body, headers, 10)
            self.store.save_callback(event, outcome.status_code, outcome.error or "ok")
            if outcome.delivered or not outcome.retry:
                return
            time.sleep(1 + attempt)


def create_app(config: dict | None = None) -> Flask:
    """``config``: AGENCY, SECRET, PORTAL_URL, DATABASE (":memory:" or a
    file) and any fault mode of :class:`Faults` in upper case."""
    config = {"AGENCY": "ys-hrss", "SECRET": "", "PORTAL_URL": "", "DATABASE": ":memory:", **(config or {})}
    app = Flask(__name__)
    app.json.ensure_ascii = False
    faults = Faults()
    faults.update({name.lower(): value for name, value in config.items() if name.lower() in asdict(faults)})
    sim = Simulator(config["AGENCY"], config["SECRET"], config["PORTAL_URL"], Store(config["DATABASE"]), faults)
    app.extensions["partner_sim"] = sim

    @app.post("/tasks")
    def receive_task():
        raw = request.get_data(cache=False)
        try:
            verify(sim.secret, raw, request.headers.get(SIGNATURE_HEADER), sim.clock())
        except SignatureError as error:
            return jsonify(error=f"signature refused: {error}"), 401
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return jsonify(error="Idempotency-Key header missing"), 400
        if sim.take_failure():
            return jsonify(error="simulated failure"), 500
        if sim.faults.reject:
            return jsonify(error="simulated refusal: the message does not match our schema"), 400
        try:
            body = json.loads(raw)
        except ValueError:
            return jsonify(error="body is not JSON"), 400
        topic = request.headers.get("X-Portal-Topic") or body.get("topic", "")
        new = sim.store.save_message(key, topic, body, request.headers.get("X-Request-ID", ""))
        if new and topic == "task.created":
            sim.report_back(key, body["task"]["id"])
        if sim.faults.slow_seconds:
            time.sleep(sim.faults.slow_seconds)  # stored already: the portal times out and resends
        return jsonify(status="stored" if new else "duplicate", key=key)

    @app.get("/tasks")
    def tasks():
        return jsonify(tasks=sim.store.tasks())

    @app.get("/messages")
    def messages():
        return jsonify(messages=sim.store.messages())

    @app.get("/callbacks")
    def callbacks():
        return jsonify(callbacks=sim.store.callbacks())

    @app.route("/control", methods=["GET", "POST"])
    def control():
        if request.method == "POST":
            try:
                sim.faults.update(request.get_json(force=True) or {})
            except (TypeError, ValueError, AttributeError):
                return jsonify(error="send a JSON object of fault modes"), 400
        return jsonify(asdict(sim.faults))

    @app.get("/")
    def index():
        return jsonify(agency=sim.agency, portal=sim.portal_url, faults=asdict(sim.faults), tasks=len(sim.store.tasks()))

    return app
