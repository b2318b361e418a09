"""Parts of public pages that are the same for every visitor — the service
table of the catalog, a service's one-time notice — rendered once per
catalog stamp and language and kept by the process, so a visitor's request
renders only what is theirs (the header, the apply button). A catalog
change writes a new stamp (``domain.stamps``), and the next request on
every worker renders afresh.

A visitor who is not signed in and has no message waiting sees exactly
what every other such visitor of the same address and language sees, so
for them the whole page is kept the same way (``public_page``).

Staff pages and tracking results show cases, so their main part is kept
while the work stamp is unchanged as well (``work_fragment``): any commit
that changes a case, a task, a timeline or a tally renews it, and the
next request renders afresh. Where a page depends on the clock too, its
key names what of it: the current second for levels and times waited,
the dashboard's next clock change; tracking results depend on none. What
is the visitor's own — the header, the alert badge, forms with their
CSRF token — stays outside and is rendered for every request."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.db import db
from portal.domain.stamps import read_stamps, unsettled

KEPT_MAX = 512  # filters come from the query string: the oldest go first
WORK_KEPT_MAX = 256  # a kind of page's copies of one epoch: per user, address and language


class _Copies:
    """A process's copies, the least recently used dropped past ``most``.
    With an ``epoch`` (the stamps and the clock they were made for),
    copies of an earlier one are dropped at once: they can never be shown
    again."""

    def __init__(self, most: int):
        self.most = most
        self.items: OrderedDict[tuple, object] = OrderedDict()
        self.epoch: tuple | None = None
        self.lock = threading.Lock()

    def get(self, key: tuple, produce: Callable, epoch: tuple | None = None):
        with self.lock:
            if epoch is not None and epoch != self.epoch:
                self.items.clear()
                self.epoch = epoch
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
                return hit
        made = produce()
        with self.lock:
            if epoch is None or epoch == self.epoch:
                self.items[key] = made
                while len(self.items) > self.most:
                    self.items.popitem(last=False)
        return made


_kept = _Copies(KEPT_MAX)
_work_copies: dict[str, _Copies] = {}  # one per kind of page, each with its own epoch


def data_stamps(names: tuple[str, ...]) -> dict[str, str]:
    """The stamps of ``names`` that exist, each read once per request."""
    known = g.setdefault("data_stamps", {})
    missing = tuple(name for name in names if name not in known)
    if missing:
        found = read_stamps(db.session, missing)
        known.update({name: found.get(name) for name in missing})
    return known


@event.listens_for(Session, "after_commit")
def _forget_stamps(_session) -> None:
    """A request that commits and then renders reads the stamps its own
    commit wrote."""
    if has_app_context():
        g.pop("data_stamps", None)


def catalog_fragment(name: str, render: Callable[[], str], *key: Hashable) -> Markup:
    """``render()``'s HTML, from this process's copy while the catalog's
    stamp and the language are those it was rendered for."""
    return _kept_fragment(("catalog",), name, render, key)


def work_fragment(name: str, render: Callable[[], str], *key: Hashable, clock: Hashable = None) -> Markup:
    """``render()``'s HTML, from this process's copy while the calendar,
    the catalog and the work are as they were, the language is the same
    and ``clock`` too: what of the time the HTML depends on — the current
    second (``second_of``) for a page that shows levels or times waited,
    the next moment it would read differently where that is known, None
    where the clock changes nothing in it. ``key`` must name whatever else
    the HTML depends on: the address with its query, and the user or the
    case where it shows theirs."""
    stamps = _stamps_of(("calendar", "catalog", "work"))
    if stamps is None:
        return Markup(render())
    copies = _work_copies.get(name)
    if copies is None:
        copies = _work_copies.setdefault(name, _Copies(WORK_KEPT_MAX))
    return copies.get((str(get_locale()), *key), lambda: Markup(render()), (*stamps, clock))


def second_of(now) -> int:
    """The ``clock`` of a page that shows levels or times waited."""
    return int(now.timestamp())


def work_page(name: str, render: Callable[[], str], *key: Hashable, clock: Hashable = None) -> str:
    """The whole page ``render()`` makes, kept as ``work_fragment`` keeps a
    part, for a visitor who is not signed in and has no message waiting:
    they all see the same header. Anyone else's page is rendered."""
    if _visitor_of_their_own():
        return render()
    return work_fragment(name, render, *key, clock=clock)


def _visitor_of_their_own() -> bool:
    """Signed in, or a message is waiting: the header is theirs."""
    return current_user.is_authenticated or bool(session.get("_flashes"))


def work_count(name: str, count: Callable[[], int], *key: Hashable) -> int:
    """``count()``, from this process's copy while the work is unchanged:
    for the header's badges, which change with the data and not with the
    clock. ``key`` names the user they are counted for."""
    stamps = _stamps_of(("work",))
    if stamps is None:
        return count()
    return _kept.get((name, *stamps, *key), count)


def _kept_fragment(names: tuple[str, ...], name: str, render: Callable[[], str], key: tuple) -> Markup:
    stamps = _stamps_of(names)
    if stamps is None:
        return Markup(render())
    return _kept.get((name, *stamps, str(get_locale()), *key), lambda: Markup(render()))


def _stamps_of(names: tuple[str, ...]) -> tuple[str, ...] | None:
    """The stamps to key a copy on; None where there is nothing to trust a
    copy on: a stamp never written, or this request's own changes not yet
    committed."""
    if unsettled(db.session):
        return None
    stamps = data_stamps(names)
    if any(stamps[name] is None for name in names):
        return None
    return tuple(stamps[name] for name in names)


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
    if _visitor_of_their_own():
        return with_validator(render())
    return with_validator(catalog_fragment(f"{name}-page", render, request.full_path, *key))
