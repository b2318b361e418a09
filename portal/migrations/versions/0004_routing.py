"""routing: tasks, messages, task events, agency activity, turnaround and delivery

Revision ID: 0004_routing
Revises: 0003_intake
Create Date: 2026-11-28 11:36:12.573190

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_routing'
down_revision = '0003_intake'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('stage_name_zh', sa.String(length=100), nullable=False),
    sa.Column('stage_name_en', sa.String(length=200), nullable=False),
    sa.Column('action_zh', sa.String(length=200), nullable=False),
    sa.Column('action_en', sa.String(length=300), nullable=False),
    sa.Column('fallback', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('open', 'claimed', 'suspended', 'completed', 'refused', 'returned', 'cancelled', name='task_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_task_agency_id_agency')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_task_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_task_case_id_case_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_agency_status_due', ['agency_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_task_case', ['case_id'], unique=False)

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_message_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_message_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('event_id', name=op.f('uq_message_event_id'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_user_unread', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('turnaround_workdays', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delivery_method', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_event_task_id_task'), 'task', ['task_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_task_id_task'), type_='foreignkey')
        batch_op.drop_column('task_id')

    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('delivery_method')
        batch_op.drop_column('turnaround_workdays')

    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_user_unread')

    op.drop_table('message')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_case')
        batch_op.drop_index('ix_task_agency_status_due')

    op.drop_table('task')
