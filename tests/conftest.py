"""Fixtures: ``app``, ``client``, ``runner``, ``login_as`` and page helpers.

The suite runs on a SQLite file by default and on PostgreSQL when
PORTAL_TEST_DATABASE_URL is set. The schema is built once per run by the
real Alembic migrations; each test starts from empty tables plus the
packaged catalog.
"""

from __future__ import annotations

import os

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key")
os.environ["PORTAL_ENV"] = "test"

import flask_migrate
import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.catalog import load_catalog
from portal.config import test_database_url
from portal.db import db
from portal.domain.calendar import seed_calendar
from portal.models import CalendarDay, CalendarYear
from portal.models.enums import DaySource
from tests import factories
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
        seed_calendar(db.session, factories.now())
        db.session.commit()
        db.engine.dispose()
    return database_url


CALENDAR_TABLES = {"calendar_day", "calendar_year"}


def _empty_tables() -> None:
    """Empty every table but the calendar, which is seeded once per run and
    restored only when a test changed it."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in CALENDAR_TABLES:
            db.session.execute(table.delete())
    changed = db.session.scalars(
        select(CalendarYear.year).where(CalendarYear.source == DaySource.admin)
    ).all() or db.session.scalars(
        select(CalendarDay.day).where(CalendarDay.source == DaySource.admin).limit(1)
    ).all()
    if changed:
        db.session.execute(CalendarDay.__table__.delete())
        db.session.execute(CalendarYear.__table__.delete())
        seed_calendar(db.session, factories.now())
    db.session.commit()


@pytest.fixture
def app(migrated):
    app = create_app(_test_config(migrated))
    app.test_client_class = PageClient
    with app.app_context():
        _empty_tables()
        load_catalog(db.session)
        db.session.commit()
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
