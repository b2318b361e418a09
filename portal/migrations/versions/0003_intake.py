"""intake: drafts, files, notices, sequences, involvement

Revision ID: 0003_intake
Revises: 0002_calendar_cases
Create Date: 2026-11-28 10:45:43.484523

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_intake'
down_revision = '0002_calendar_cases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_sequence',
    sa.Column('county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('county', 'day', name=op.f('pk_case_sequence'))
    )
    op.create_table('application_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_application_draft_owner_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_application_draft_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_draft')),
    sa.UniqueConstraint('token', name=op.f('uq_application_draft_token'))
    )
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_draft_owner_id'), ['owner_id'], unique=False)

    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('material_code', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('case_id IS NOT NULL OR draft_id IS NOT NULL', name=op.f('ck_case_file_belongs_somewhere')),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_file_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['application_draft.id'], name=op.f('fk_case_file_draft_id_application_draft'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_case_file_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_case_file_stored_name'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_draft_id'), ['draft_id'], unique=False)

    op.create_table('case_involvement',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_involvement_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'county', name=op.f('pk_case_involvement'))
    )
    op.create_table('case_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('acceptance', 'acceptance_pending', 'correction', 'refusal', 'decision_refusal', name='notice_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('follow_up_by', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_notice_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_case_notice_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notice'))
    )
    with op.batch_alter_table('case_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notice_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notice_case_id'))

    op.drop_table('case_notice')
    op.drop_table('case_involvement')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_draft_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_case_id'))

    op.drop_table('case_file')
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_draft_owner_id'))

    op.drop_table('application_draft')
    op.drop_table('case_sequence')
