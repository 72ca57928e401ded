"""accounts and patients

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

User accounts with their roles, the patient registry, patient imports, drafts of task forms and minutes
spent per task.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('done_rows', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', engine.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    op.create_table('patients',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('mrn', sa.String(length=50), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('search_name', sa.String(length=210), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('primary_care_provider', sa.String(length=200), nullable=True),
    sa.Column('preferred_language', sa.String(length=50), nullable=True),
    sa.Column('risk_tier', sa.String(length=20), nullable=True),
    sa.Column('conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('mrn', name=op.f('uq_patients_mrn'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_search_name'), ['search_name'], unique=False, postgresql_ops={'search_name': 'varchar_pattern_ops'})

    op.create_table('time_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('activity', sa.String(length=300), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('recorded_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_entries'))
    )
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_entries_patient_id_month'), ['patient_id', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_entries_username_month'), ['username', 'month'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', engine.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', engine.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('user_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_roles')),
    sa.UniqueConstraint('user_id', 'role', name=op.f('uq_user_roles_user_id_role'))
    )
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_roles_role'), ['role'], unique=False)

    op.create_table('task_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('saved_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['inbox_tasks.id'], name=op.f('fk_task_drafts_task_id_inbox_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_drafts')),
    sa.UniqueConstraint('task_id', 'username', name=op.f('uq_task_drafts_task_id_username'))
    )


def downgrade() -> None:
    op.drop_table('task_drafts')
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_roles_role'))

    op.drop_table('user_roles')
    op.drop_table('users')
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_entries_username_month'))
        batch_op.drop_index(batch_op.f('ix_time_entries_patient_id_month'))

    op.drop_table('time_entries')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_search_name'), postgresql_ops={'search_name': 'varchar_pattern_ops'})

    op.drop_table('patients')
    op.drop_table('import_jobs')
