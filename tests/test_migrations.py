import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect

from portal.db import db


def test_the_migrations_build_exactly_the_schema_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


# What PostgreSQL adds when it stores a CHECK: casts, and ``= ANY (ARRAY[…])`` for ``IN (…)``.
CAST = re.compile(r"::(?:text|character varying|integer|bigint|boolean|numeric)(?:\[\])?")
ANY_ARRAY = re.compile(r"(\w+) = ANY \(ARRAY\[([^\]]*)\]\)")
VALUE_LIST = re.compile(r"^(\w+) IN \(('[^']*'(?:, '[^']*')*)\)$")


def normalised(sqltext: str, table: str) -> str:
    """The condition of a CHECK as one comparable string, whichever database
    stored it: no casts, no table prefix, no parentheses, single spaces, and
    the allowed values of an enum's ``column IN (…)`` in sorted order."""
    text = CAST.sub("", " ".join(sqltext.split()))
    text = ANY_ARRAY.sub(r"\1 IN (\2)", text).replace(f"{table}.", "")
    values = VALUE_LIST.match(text)
    if values:
        allowed = sorted(value.strip() for value in values.group(2).split(","))
        return f"{values.group(1)} IN ({', '.join(allowed)})"
    return " ".join(text.replace("(", " ").replace(")", " ").split())


def migrated_checks(connection) -> dict[tuple[str, str], str]:
    inspector = inspect(connection)
    return {
        (table.name, check["name"]): normalised(check["sqltext"], table.name)
        for table in db.metadata.sorted_tables
        for check in inspector.get_check_constraints(table.name)
    }


def model_checks(dialect) -> dict[tuple[str, str], str]:
    return {
        (table.name, constraint.name): normalised(
            str(constraint.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True})), table.name
        )
        for table in db.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def test_the_migrations_build_the_check_constraints_the_models_describe(app):
    """Alembic does not compare CHECK constraints, and an enum is stored as
    text with a CHECK of its values: without this, a value added to an enum
    without a migration would pass every test on a fresh database and fail
    in production."""
    with app.app_context(), db.engine.connect() as connection:
        migrated, models = migrated_checks(connection), model_checks(connection.dialect)
    assert len(models) > 40  # every enum column and every rule of the models
    differences = {
        name: {"migrated": migrated.get(name), "models": models.get(name)}
        for name in migrated.keys() | models.keys()
        if migrated.get(name) != models.get(name)
    }
    assert differences == {}


def test_the_comparison_tells_an_enum_with_a_new_value_from_the_migrated_one():
    stored = "delivery_mode::text = ANY (ARRAY['portal'::character varying, 'http'::character varying]::text[])"
    assert normalised(stored, "agency") == normalised("agency.delivery_mode IN ('http', 'portal')", "agency")
    assert normalised(stored, "agency") != normalised("agency.delivery_mode IN ('portal', 'http', 'queue')", "agency")
    compound = "(kind::text = ANY (ARRAY['weekday'::character varying]::text[])) AND workday OR NOT workday"
    assert normalised(compound, "calendar_day") == normalised("(kind IN ('weekday') AND workday) OR NOT workday", "calendar_day")
