"""paper files across the border (收受分离) and postal delivery (邮寄送达):
the originals a window holds and sends, the results posted to applicants,
and alerts for paper files in transit too long

Revision ID: 0014_paper_files
Revises: 0013_case_search
Create Date: 2026-12-01 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_paper_files'
down_revision = '0013_case_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('held', 'in_transit', 'received', 'missing', name='paper_file_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('missing_items', sa.JSON(), nullable=False),
    sa.Column('missing_note', sa.Text(), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=True),
    sa.Column('waybill', sa.String(length=30), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('transit_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_paper_file_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_paper_file_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_paper_file_received_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_file')),
    sa.UniqueConstraint('case_id', name=op.f('uq_paper_file_case_id'))
    )
    with op.batch_alter_table('paper_file', schema=None) as batch_op:
        batch_op.create_index('ix_paper_file_transit', ['state', 'transit_due_at'], unique=False)

    op.create_table('postal_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('waybill', sa.String(length=30), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_postal_delivery_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_postal_delivery_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postal_delivery')),
    sa.UniqueConstraint('case_id', name=op.f('uq_postal_delivery_case_id'))
    )

    with op.batch_alter_table('sla_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_file_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_sla_alert_paper_file_id_paper_file'), 'paper_file', ['paper_file_id'], ['id'], ondelete='CASCADE'
        )


def downgrade():
    with op.batch_alter_table('sla_alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sla_alert_paper_file_id_paper_file'), type_='foreignkey')
        batch_op.drop_column('paper_file_id')
    op.drop_table('postal_delivery')
    with op.batch_alter_table('paper_file', schema=None) as batch_op:
        batch_op.drop_index('ix_paper_file_transit')
    op.drop_table('paper_file')
