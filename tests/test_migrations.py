from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.db import db


def test_the_migrations_build_exactly_the_schema_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
