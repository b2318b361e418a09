"""Web portal of the Changshan–Yushan cross-province joint-service window."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

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
    hops = app.config["PORTAL_TRUSTED_PROXIES"]
    if hops:
        # Behind nginx: the client's address and scheme are the ones the
        # trusted proxies saw. Without a trusted proxy a client's own
        # X-Forwarded-For is ignored (rate limits, audit, logs use the socket).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    # Imported here, not at the top: importing any module of the package
    # runs this file first, and the partner simulator (`python -m
    # portal.partner_sim`) and portal.config must not load the whole web
    # app and its extensions (seconds, and tens of MB) to start.
    from portal import commands, db, errors, extensions, i18n, logs, metrics, security
    from portal.web import register_blueprints

    logs.init_app(app)
    metrics.init_app(app)
    db.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    commands.init_app(app)
    if app.config["PORTAL_ENV"] == "production":
        security.refuse_unsafe_production(app)
    return app


__all__ = ["ConfigError", "create_app"]
