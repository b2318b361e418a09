"""Web portal of the Changshan–Yushan cross-province joint-service window."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: config → db → extensions → blueprints → errors → cli."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    from portal import cli, db, errors, extensions, i18n, security
    from portal.extensions import csrf, limiter, migrate
    from portal.web import register_blueprints

    db.init_app(app)
    extensions.init_app(app)
    migrate.init_app(app, db.db, directory=str(Path(__file__).with_name("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    from portal.dispatch_cli import dispatch_cli
    from portal.partner_sim.cli import partner_sim_command
    from portal.sla_cli import sla_cli

    app.cli.add_command(sla_cli)
    app.cli.add_command(dispatch_cli)
    app.cli.add_command(partner_sim_command)
    if app.config["PORTAL_ENV"] == "production":
        security.refuse_unsafe_production(app)
    return app


__all__ = ["ConfigError", "create_app"]
