"""Blueprints, one per audience or area."""

from portal.extensions import csrf
from portal.web import levels
from portal.web.admin import bp as admin_bp
from portal.web.agency.views import bp as agency_bp
from portal.web.api.views import bp as api_bp
from portal.web.apply.views import bp as apply_bp
from portal.web.auth.views import bp as auth_bp
from portal.web.cases.views import bp as cases_bp
from portal.web.counter.views import bp as counter_bp
from portal.web.home import bp as home_bp
from portal.web.open311.views import bp as open311_bp
from portal.web.ops.views import bp as ops_bp
from portal.web.permits.views import bp as permits_bp
from portal.web.public.views import bp as public_bp
from portal.web.ratings.views import bp as ratings_bp
from portal.web.resident.views import bp as resident_bp
from portal.web.supervisor.views import bp as supervisor_bp

BLUEPRINTS = (
    public_bp,
    home_bp,
    auth_bp,
    apply_bp,
    cases_bp,
    resident_bp,
    counter_bp,
    agency_bp,
    supervisor_bp,
    admin_bp,
    api_bp,
    permits_bp,
    ratings_bp,
    open311_bp,
    ops_bp,
)


def register_blueprints(app) -> None:
    levels.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # The API authenticates by token, not by cookie, so CSRF does not apply.
    csrf.exempt(api_bp)
    csrf.exempt(open311_bp)
