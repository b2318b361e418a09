"""returns and correction deadlines: the working days a service gives for a
correction (补正时限), the reminder of a correction notice, and two notice
kinds (a correction not made in time, a request to the applicant)

Revision ID: 0015_returns_corrections
Revises: 0014_paper_files
Create Date: 2026-12-01 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_returns_corrections'
down_revision = '0014_paper_files'
branch_labels = None
depends_on = None

OLD_KINDS = ('acceptance', 'acceptance_pending', 'correction', 'refusal', 'decision_refusal')
NEW_KINDS = OLD_KINDS + ('correction_lapsed', 'supplement_request')


def _kinds(values):
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_workdays', sa.Integer(), nullable=False, server_default='5'))
    with op.batch_alter_table('case_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_case_notice_notice_kind'), type_='check')
        batch_op.create_check_constraint('notice_kind', _kinds(NEW_KINDS))


def downgrade():
    with op.batch_alter_table('case_notice', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_case_notice_notice_kind'), type_='check')
        batch_op.create_check_constraint('notice_kind', _kinds(OLD_KINDS))
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('correction_workdays')
