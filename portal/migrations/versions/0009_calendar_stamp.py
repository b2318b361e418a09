"""calendar stamp: a token that changes with every calendar change, so each
process may keep the calendar in memory until it does

Revision ID: 0009_calendar_stamp
Revises: 0008_worker
Create Date: 2026-12-01 12:30:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_calendar_stamp'
down_revision = '0008_worker'
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table('calendar_stamp',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_stamp'))
    )
    op.bulk_insert(stamp, [{'id': 1, 'stamp': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('calendar_stamp')
