"""Parts of public pages that are the same for every visitor — the service
table of the catalog, a service's one-time notice — rendered once per
catalog stamp and language and kept by the process, so a visitor's request
renders only what is theirs (the header, the apply button). A catalog
change writes a new stamp (``domain.stamps``), and the next request on
every worker renders afresh.

A visitor who is not signed in and has no message waiting sees exactly
what every other such visitor of the same address and language sees, so
for them the whole page is kept the same way (``public_page``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from portal.db import db
from portal.domain.stamps import read_stamp

KEPT_MAX = 512  # filters come from the query string: the oldest go first
_kept: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


def catalog_stamp() -> str | None:
    if "catalog_stamp" not in g:
        g.catalog_stamp = read_stamp(db.session, "catalog")
    return g.catalog_stamp


def catalog_fragment(name: str, render: Callable[[], str], *key: Hashable) -> Markup:
    """``render()``'s HTML, from this process's copy while the catalog's
    stamp and the language are those it was rendered for."""
    stamp = catalog_stamp()
    if stamp is None:
        return Markup(render())
    full = (name, stamp, str(get_locale()), *key)
    with _lock:
        hit = _kept.get(full)
        if hit is not None:
            _kept.move_to_end(full)
            return hit
    html = Markup(render())
    with _lock:
        _kept[full] = html
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)
    return html


def with_validator(html: str):
    """The page with an ETag of its bytes: a browser that has them gets 304."""
    response = make_response(html)
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def public_page(name: str, render: Callable[[], str], *key: Hashable):
    """The page ``render()`` makes, with a validator; for an anonymous
    visitor with no flashed message, from this process's copy for this
    address (path and query) while the catalog's stamp is unchanged."""
    if current_user.is_authenticated or session.get("_flashes"):
        return with_validator(render())
    return with_validator(catalog_fragment(f"{name}-page", render, request.full_path, *key))
