"""`flask --app portal partner-sim …` or `python -m portal.partner_sim …`:
serve the simulated partner system on loopback."""

from __future__ import annotations

import click
from werkzeug.serving import run_simple

from portal.partner_sim import create_app


@click.command("partner-sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=5100, show_default=True, type=click.IntRange(1, 65535))
@click.option("--portal-url", default="http://127.0.0.1:5000", show_default=True, help="Where the portal takes callbacks.")
@click.option("--agency", default="ys-hrss", show_default=True, help="The agency code this system speaks for.")
@click.option("--secret", required=True, help="The agency's signing secret (as set in the portal).")
@click.option("--delay", default=2.0, show_default=True, type=click.FloatRange(min=0), help="Seconds before each callback.")
@click.option("--fail-times", default=0, type=click.IntRange(min=0), help="Answer 500 to the next N messages.")
@click.option("--slow", default=0.0, type=click.FloatRange(min=0), help="Store, then answer after this many seconds.")
@click.option("--reject", is_flag=True, help="Answer 400 to every message.")
@click.option("--refuse", is_flag=True, help="Report every task refused instead of completed.")
@click.option("--no-callbacks", is_flag=True, help="Store messages only; never call back.")
@click.option("--database", default=":memory:", show_default=True, help="SQLite file keeping what was received.")
def partner_sim_command(host, port, portal_url, agency, secret, delay, fail_times, slow, reject, refuse, no_callbacks, database):
    """Play an agency's own system: take the portal's signed task messages,
    keep each once, and report back through signed callbacks. Change the
    fault modes while it runs with POST /control (see GET /control)."""
    app = create_app(
        {
            "AGENCY": agency, "SECRET": secret, "PORTAL_URL": portal_url, "DATABASE": database,
            "CALLBACK_DELAY": delay, "FAIL_TIMES": fail_times, "SLOW_SECONDS": slow, "REJECT": reject,
            "REFUSE_TASKS": refuse, "CALLBACKS": not no_callbacks,
        }
    )
    click.echo(f"Partner system of {agency} on http://{host}:{port}/tasks, calling back {portal_url}")
    run_simple(host, port, app, threaded=True, use_reloader=False)
