"""verification codes: texted codes for registration, password reset and mobile change

Revision ID: 0011_verification_codes
Revises: 0010_tracking_lockout
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_verification_codes'
down_revision = '0010_tracking_lockout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('verification_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('register', 'reset', 'mobile_change', name='code_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mobile', sa.String(length=18), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('decoy', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('real_name', sa.String(length=50), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_verification_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_code')),
    sa.UniqueConstraint('purpose', 'mobile', name='uq_verification_code_purpose_mobile')
    )
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.create_index('ix_verification_code_expires', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_code_expires')

    op.drop_table('verification_code')
