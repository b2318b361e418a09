"""calendar, cases, suspensions and events

Revision ID: 0002_calendar_cases
Revises: 0001_initial
Create Date: 2026-11-28 10:38:43.435726

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_calendar_cases'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.Enum('weekday', 'weekend', 'holiday', 'makeup', name='day_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('source', sa.Enum('library', 'estimate', 'admin', name='day_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind IN ('weekday', 'makeup') AND workday) OR (kind IN ('weekend', 'holiday') AND NOT workday)", name=op.f('ck_calendar_day_kind_matches_workday')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.Enum('official', 'provisional', name='year_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.Enum('library', 'estimate', 'admin', name='day_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    op.create_table('case_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('query_code', sa.String(length=6), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('receiving_county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'correction_requested', 'accepted', 'refused_intake', 'in_progress', 'suspended', 'completed', 'refused', 'delivered', 'withdrawn', name='case_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('applicant_user_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=50), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=18), nullable=False),
    sa.Column('applicant_mobile', sa.String(length=11), nullable=False),
    sa.Column('hukou_county', sa.String(length=12), nullable=False),
    sa.Column('hukou_province', sa.String(length=20), nullable=False),
    sa.Column('residence_county', sa.String(length=12), nullable=False),
    sa.Column('residence_province', sa.String(length=20), nullable=False),
    sa.Column('business_county', sa.String(length=12), nullable=True),
    sa.Column('business_province', sa.String(length=20), nullable=False),
    sa.Column('form_data', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('identity_checked', sa.Boolean(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_user_id'], ['user_account.id'], name=op.f('fk_case_record_applicant_user_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_case_record_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_case_record_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_record')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_case_record_idempotency_key')),
    sa.UniqueConstraint('number', name=op.f('uq_case_record_number'))
    )
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_index('ix_case_applicant', ['applicant_user_id'], unique=False)
        batch_op.create_index('ix_case_status_receiving', ['status', 'receiving_county'], unique=False)

    op.create_table('case_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_suspension_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_suspension'))
    )
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_suspension_case_id'), ['case_id'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_event_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_case_time', ['case_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_case_time')

    op.drop_table('event')
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_suspension_case_id'))

    op.drop_table('case_suspension')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_receiving')
        batch_op.drop_index('ix_case_applicant')

    op.drop_table('case_record')
    op.drop_table('calendar_year')
    op.drop_table('calendar_day')
