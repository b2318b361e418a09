"""case search: indexes on the applicant's ID number and mobile, which the
staff's case search matches exactly

Revision ID: 0013_case_search
Revises: 0012_second_factor
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_case_search'
down_revision = '0012_second_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_index('ix_case_applicant_id_number', ['applicant_id_number'], unique=False)
        batch_op.create_index('ix_case_applicant_mobile', ['applicant_mobile'], unique=False)


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_applicant_mobile')
        batch_op.drop_index('ix_case_applicant_id_number')
