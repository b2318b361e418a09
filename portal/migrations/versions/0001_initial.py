"""initial schema: agencies, services, accounts

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28 10:28:17.766934

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('department', sa.Enum('psb', 'gov', 'amr', 'eme', 'hrss', 'drc', name='department', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('address_zh', sa.String(length=200), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=False),
    sa.Column('delivery_mode', sa.Enum('portal', 'http', name='delivery_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_agency_code')),
    sa.UniqueConstraint('county', 'department', name=op.f('uq_agency_county'))
    )
    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('summary_zh', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('department', sa.Enum('psb', 'gov', 'amr', 'eme', 'hrss', 'drc', name='department', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mode', sa.Enum('online', 'collect', 'joint', name='service_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.Enum('instant', 'promised', name='service_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('applicant', sa.Enum('person', 'enterprise', name='applicant_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('promise_workdays', sa.Integer(), nullable=False),
    sa.Column('statutory_workdays', sa.Integer(), nullable=False),
    sa.Column('legal_basis_zh', sa.Text(), nullable=False),
    sa.Column('legal_basis_en', sa.Text(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('routing', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind <> 'instant' OR promise_workdays = 0", name=op.f('ck_service_instant_same_day')),
    sa.CheckConstraint('promise_workdays >= 0 AND promise_workdays <= 3', name=op.f('ck_service_promise_range')),
    sa.CheckConstraint('statutory_workdays >= promise_workdays', name=op.f('ck_service_statutory_not_shorter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('code', name=op.f('uq_service_code'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('resident', 'clerk', 'officer', 'supervisor', 'admin', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('real_name', sa.String(length=50), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('mobile', sa.String(length=11), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('window_county', sa.Enum('changshan', 'yushan', name='county', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role <> 'clerk' OR window_county IS NOT NULL", name=op.f('ck_user_account_clerk_has_window')),
    sa.CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL", name=op.f('ck_user_account_officer_has_agency')),
    sa.CheckConstraint("role <> 'resident' OR (id_number IS NOT NULL AND mobile IS NOT NULL)", name=op.f('ck_user_account_resident_identified')),
    sa.CheckConstraint("role = 'resident' OR username IS NOT NULL", name=op.f('ck_user_account_staff_has_username')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_user_account_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('id_number', name=op.f('uq_user_account_id_number')),
    sa.UniqueConstraint('mobile', name=op.f('uq_user_account_mobile')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )


def downgrade():
    op.drop_table('user_account')
    op.drop_table('service')
    op.drop_table('agency')
