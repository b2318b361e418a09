"""Blueprints, one per audience or area, and what every request meets
before a view: ids and page numbers a database integer can hold, and no
NUL character in what a form or a query sends."""

from flask import abort, request
from werkzeug.routing import IntegerConverter

from portal.extensions import csrf
from portal.web import assets, levels
from portal.web.admin import bp as admin_bp
from portal.web.agency.views import bp as agency_bp
from portal.web.api.views import bp as api_bp
from portal.web.apply.views import bp as apply_bp
from portal.web.auth.views import bp as auth_bp
from portal.web.cases.views import bp as cases_bp
from portal.web.counter.views import bp as counter_bp
from portal.web.home import bp as home_bp
from portal.web.navigation import external_url
from portal.web.open311.views import bp as open311_bp
from portal.web.ops.views import bp as ops_bp
from portal.web.permits.views import bp as permits_bp
from portal.web.public.views import bp as public_bp
from portal.web.ratings.views import bp as ratings_bp
from portal.web.resident.views import bp as resident_bp
from portal.web.search.views import bp as search_bp
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
    search_bp,
    admin_bp,
    api_bp,
    permits_bp,
    ratings_bp,
    open311_bp,
    ops_bp,
)


DB_INT_MAX = 2**31 - 1  # the largest id a database integer column holds


class DatabaseId(IntegerConverter):
    """``<int:…>`` in a route matches only ids a database integer can hold:
    a longer number is a page not found, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def refuse_unreadable_input():
    """No browser sends a NUL character; one in a page's form or query
    string is refused before it reaches a view or the database. A page
    number past any real page is not found."""
    if request.path.startswith(("/api/", "/open311/")):
        return None  # they answer NUL themselves, naming the parameter or member (422)
    sent = [request.path]
    for values in (request.args, request.form):
        sent += [*values.keys(), *(value for _key, value in values.items(multi=True))]
    if any("\x00" in value for value in sent):
        abort(400)
    page = request.args.get("page", "")
    if page.isdigit() and int(page) > DB_INT_MAX:
        abort(404)


def register_blueprints(app) -> None:
    app.url_map.converters["int"] = DatabaseId
    app.before_request(refuse_unreadable_input)
    levels.init_app(app)
    assets.init_app(app)
    app.jinja_env.globals["external_url"] = external_url
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # The API authenticates by token, not by cookie, so CSRF does not apply.
    csrf.exempt(api_bp)
    csrf.exempt(open311_bp)
