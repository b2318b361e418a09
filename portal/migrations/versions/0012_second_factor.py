"""second factor and staff administration: TOTP columns and recovery codes,
one-time password links, and account events

Revision ID: 0012_second_factor
Revises: 0011_verification_codes
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_second_factor'
down_revision = '0011_verification_codes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('second_factor_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('second_factor_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('password_setup_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('password_setup_until', sa.DateTime(timezone=True), nullable=True))

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_code_user', ['user_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_event_account_id_user_account'), 'user_account', ['account_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_event_account_time', ['account_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_account_time')
        batch_op.drop_constraint(batch_op.f('fk_event_account_id_user_account'), type_='foreignkey')
        batch_op.drop_column('account_id')

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_code_user')

    op.drop_table('recovery_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('password_setup_until')
        batch_op.drop_column('password_setup_nonce')
        batch_op.drop_column('second_factor_nonce')
        batch_op.drop_column('second_factor_failures')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_secret')
