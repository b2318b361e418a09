"""Administration: accounts, the working-day calendar, partners, tokens and phrases."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import calendar, partners, phrases, staff, tokens, views  # noqa: E402,F401  (routes register on bp)
