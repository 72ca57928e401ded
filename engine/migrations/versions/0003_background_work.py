"""background work: timer claims, durable jobs, receipts, notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Timer rows get a claim (claimed_by, lease_until) so that no two workers fire the same timer; background jobs
are stored before a broker hears of them; job receipts record effects done under an idempotency key; e-mail
notifications are planned once under a unique key before they are sent.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
STAMP = engine.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('timer_waits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('lease_until', STAMP, nullable=True))

    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('payload', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', STAMP, nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('lease_until', STAMP, nullable=True),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('finished_at', STAMP, nullable=True),
    sa.Column('result', JSON, nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs')),
    sa.UniqueConstraint('key', name=op.f('uq_background_jobs_key'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_jobs_status_not_before'), ['status', 'not_before'],
                              unique=False)

    op.create_table('job_receipts',
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_job_receipts'))
    )

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', STAMP, nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('lease_until', STAMP, nullable=True),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('sent_at', STAMP, nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_status_not_before'), ['status', 'not_before'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_task_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_status_not_before'))
    op.drop_table('notifications')
    op.drop_table('job_receipts')
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_jobs_status_not_before'))
    op.drop_table('background_jobs')
    with op.batch_alter_table('timer_waits', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
