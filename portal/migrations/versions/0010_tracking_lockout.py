"""tracking lockout: wrong query codes per case, and the lockouts they cause

Revision ID: 0010_tracking_lockout
Revises: 0009_data_stamps
Create Date: 2026-12-01 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_tracking_lockout'
down_revision = '0009_data_stamps'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_tracking_failure_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_failure'))
    )
    with op.batch_alter_table('tracking_failure', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_failure_case_time', ['case_id', 'failed_at'], unique=False)

    op.create_table('tracking_lockout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_tracking_lockout_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_lockout'))
    )
    with op.batch_alter_table('tracking_lockout', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_lockout_case_until', ['case_id', 'locked_until'], unique=False)


def downgrade():
    with op.batch_alter_table('tracking_lockout', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_lockout_case_until')

    op.drop_table('tracking_lockout')
    with op.batch_alter_table('tracking_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_failure_case_time')

    op.drop_table('tracking_failure')
