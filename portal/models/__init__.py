"""Typed models, one module per aggregate. Importing this package registers
every table on ``Base.metadata`` (Alembic and the tests rely on that)."""

from portal.models.agency import Agency
from portal.models.catalog import Service
from portal.models.enums import County, Department, Role
from portal.models.user import User

__all__ = ["Agency", "County", "Department", "Role", "Service", "User"]
