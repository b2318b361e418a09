"""tally values by measure: an index that holds what the dashboard's
percentiles read (a measure's counts for the whole group over a range of
days), so they are read from the index alone

Revision ID: 0017_tally_value_measure
Revises: 0016_phrases
Create Date: 2026-12-01 19:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_tally_value_measure'
down_revision = '0016_phrases'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tally_value', schema=None) as batch_op:
        batch_op.create_index('ix_tally_value_measure', ['measure', 'agency_id', 'day', 'value', 'count'], unique=False)


def downgrade():
    with op.batch_alter_table('tally_value', schema=None) as batch_op:
        batch_op.drop_index('ix_tally_value_measure')
