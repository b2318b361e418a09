"""The `flask --app portal …` commands, one module per command group,
registered on the app by :func:`init_app` (as flaskr's ``init_app`` does).

Every command runs in one app context with one database session; the
domain functions it calls flush, and the command commits once (or rolls
back whole and says why)."""

from __future__ import annotations

from flask import Flask

from portal.commands.agencies import agencies_cli
from portal.commands.backup import backup_cli
from portal.commands.calendar import calendar_cli
from portal.commands.catalog import catalog_cli
from portal.commands.demo import demo_cli
from portal.commands.dispatch import dispatch_cli
from portal.commands.drafts import drafts_cli
from portal.commands.routing import routing_cli
from portal.commands.setup import setup_command
from portal.commands.sla import sla_cli
from portal.commands.users import users_cli
from portal.commands.worker import worker_command
from portal.partner_sim.cli import partner_sim_command

COMMANDS = (
    setup_command,
    catalog_cli,
    calendar_cli,
    users_cli,
    demo_cli,
    drafts_cli,
    agencies_cli,
    routing_cli,
    sla_cli,
    dispatch_cli,
    backup_cli,
    worker_command,
    # The simulator's own command (also `python -m portal.partner_sim`),
    # kept with the simulator it starts.
    partner_sim_command,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
