"""phrases: the ready phrases (常用语) staff pick for correction items,
refusals, opinions

Revision ID: 0016_phrases
Revises: 0015_returns_corrections
Create Date: 2026-12-01 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_phrases'
down_revision = '0015_returns_corrections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('phrase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use', sa.Enum('correction', 'intake_refusal', 'task_opinion', 'task_refusal', name='phrase_use', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_phrase_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phrase'))
    )
    with op.batch_alter_table('phrase', schema=None) as batch_op:
        batch_op.create_index('ix_phrase_use_service', ['use', 'service_id'], unique=False)


def downgrade():
    with op.batch_alter_table('phrase', schema=None) as batch_op:
        batch_op.drop_index('ix_phrase_use_service')

    op.drop_table('phrase')
