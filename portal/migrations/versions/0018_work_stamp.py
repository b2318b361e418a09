"""the work stamp: a data stamp that every committed change to cases,
their tasks, timelines and tallies renews, so staff pages and tracking
results kept by a process are rendered again exactly when what they show
has changed

Revision ID: 0018_work_stamp
Revises: 0017_tally_value_measure
Create Date: 2026-12-01 22:00:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_work_stamp'
down_revision = '0017_tally_value_measure'
branch_labels = None
depends_on = None

stamps = sa.table('data_stamp', sa.column('name', sa.String), sa.column('stamp', sa.String))


def upgrade():
    op.bulk_insert(stamps, [{'name': 'work', 'stamp': uuid.uuid4().hex}])


def downgrade():
    op.execute(stamps.delete().where(stamps.c.name == 'work'))
