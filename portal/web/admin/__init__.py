"""Administration: accounts overview and the working-day calendar."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import calendar, partners, staff, tokens, views  # noqa: E402,F401  (routes register on bp)
