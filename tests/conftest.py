"""Fixtures: ``app``, ``client``, ``runner``, ``login_as`` and page helpers.

The suite runs on a SQLite file by default and on PostgreSQL when
PORTAL_TEST_DATABASE_URL is set. The schema is built once per run by the
real Alembic migrations and the calendar and the packaged catalog are
loaded once; each test starts from empty tables but those two, which are
restored only when a test changed them.
"""

from __future__ import annotations

import os

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key-of-at-least-32-bytes")
os.environ["PORTAL_ENV"] = "test"

import flask_migrate
import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.catalog import load_catalog
from portal.config import test_database_url
from portal.db import db
from portal.domain.calendar import seed_calendar
from portal.models import Agency, CalendarDay, CalendarYear, Service
from portal.models.enums import DaySource
from tests import factories
from tests.journeys import complete_second_factor
from tests.pages import PageClient
from tests.partners import partner_sim, portal_server  # noqa: F401  (fixtures: the partner simulator, the portal on loopback)

UPLOADS = None


def _test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "PORTAL_UPLOAD_FOLDER": UPLOADS,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ARGON2_PARAMETERS": factories.FAST_ARGON2,
        "SERVER_NAME": None,
        # The test client's own host: links a test follows stay on it.
        "PORTAL_BASE_URL": "http://localhost",
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    global UPLOADS
    UPLOADS = str(tmp_path_factory.mktemp("uploads"))
    return test_database_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"


@pytest.fixture(scope="session")
def migrated(database_url):
    """Build the schema with the migrations, from nothing."""
    app = create_app(_test_config(database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        _seed_calendar()
        CATALOG.load(db.session)
        db.session.commit()
        db.engine.dispose()
    return database_url


class PackagedCatalog:
    """The agencies and services of catalog.yaml, loaded once per run.

    A test may change them (deactivate an agency, switch it to http, load
    another file, …), so before each test every row of both tables, every
    column, is compared with the rows as loaded; on any difference both
    tables are emptied and the catalog loaded afresh. Comparing whole rows
    rather than marking the tests that change them means no test can
    change the catalog unnoticed, whichever way it writes."""

    tables = (Agency.__table__, Service.__table__)

    def __init__(self):
        self.as_loaded = None

    def rows(self, session) -> list:
        return [
            session.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in self.tables
        ]

    def load(self, session) -> None:
        # Every table referring to these was emptied first (see _empty_tables).
        for table in reversed(self.tables):
            session.execute(table.delete())
        load_catalog(session)
        self.as_loaded = self.rows(session)

    def restore_if_changed(self, session) -> bool:
        if self.rows(session) == self.as_loaded:
            return False
        self.load(session)
        return True


CATALOG = PackagedCatalog()
CALENDAR_TABLES = {"calendar_day", "calendar_year", "data_stamp"}
SEEDED_YEARS: list[int] = []


def _seed_calendar() -> None:
    seed_calendar(db.session, factories.now())
    SEEDED_YEARS[:] = db.session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)).all()


def _calendar_changed() -> bool:
    """A day or year an admin set, or years added by a seed at another
    date (the commands seed from the real one)."""
    return bool(
        db.session.scalars(select(CalendarYear.year).where(CalendarYear.source == DaySource.admin)).all()
        or db.session.scalars(select(CalendarDay.day).where(CalendarDay.source == DaySource.admin).limit(1)).all()
        or db.session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)).all() != SEEDED_YEARS
    )
KEPT_TABLES = CALENDAR_TABLES | {table.name for table in PackagedCatalog.tables}


def _empty_tables() -> None:
    """Empty every table but the calendar and the catalog, which are loaded
    once per run and restored only when a test changed them."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEPT_TABLES:
            db.session.execute(table.delete())
    CATALOG.restore_if_changed(db.session)
    if _calendar_changed():
        db.session.execute(CalendarDay.__table__.delete())
        db.session.execute(CalendarYear.__table__.delete())
        _seed_calendar()
    db.session.commit()


@pytest.fixture
def app(migrated):
    app = create_app(_test_config(migrated))
    app.test_client_class = PageClient
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    """The database session, inside an app context, for domain tests."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app) -> PageClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(app, client):
    """Create a user of ``role`` and sign in through the real login form."""

    def sign_in(role: str, **overrides):
        with app.app_context():
            user = factories.create_user(db.session, role, **overrides)
            db.session.commit()
            login = user.username or user.mobile
            user_id = user.id
        response = client.submit("/login", {"login": login, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].endswith("/login/code"):
            complete_second_factor(app, client, login)
        return user_id

    return sign_in


@pytest.fixture
def count_statements(app):
    """``with count_statements() as counted: …`` then ``counted[0]``."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counted = [0]

        def count(*_args):
            counted[0] += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting


@pytest.fixture
def calendar(session):
    """The seeded working-day calendar as the clock reads it."""
    from portal.domain.clock import WorkCalendar

    return WorkCalendar.load(session)
