"""data stamps: a token per body of reference data (calendar, catalog) that
changes with every change to it, so each process may keep it in memory
until it does

Revision ID: 0009_data_stamps
Revises: 0008_worker
Create Date: 2026-12-01 12:30:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_data_stamps'
down_revision = '0008_worker'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table('data_stamp',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_stamp'))
    )
    op.bulk_insert(stamps, [{'name': name, 'stamp': uuid.uuid4().hex} for name in ('calendar', 'catalog')])


def downgrade():
    op.drop_table('data_stamp')
