"""report summaries worked out ahead by background work: CCM billing, TCM compliance, the dashboard's counts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

`ccm_months`: one row per patient in Chronic Care Management per month, with its status and the worklist's sort
keys (engine.reports.ccm_months keeps it); `task_days`, `open_work` and `report_counts`, the dashboard's
throughput, open work and patients per stage and risk tier (engine.reports.work_summary); `tcm_discharges`,
TCM compliance's rows (engine.reports.tcm_summary); `report_refreshes`: how far each summary is brought up to
date.
Time entries get an index on when they were recorded, which is how the summary finds what changed, and inbox
tasks one on when they were created, the bottleneck heatmap's date range. Instances are indexed by status
alone, no more with `updated_at`: every step changes it, so no step's UPDATE could stay in its page (HOT) and
each added an entry to all of the table's indexes.
"""
import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STAMP = engine.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('ccm_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('care_plan_on', sa.Date(), nullable=True),
    sa.Column('complex', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=False),
    sa.Column('family_name', sa.String(length=200), nullable=False),
    sa.Column('mrn', sa.String(length=100), nullable=False),
    sa.Column('primary_care_provider', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('sort_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'patient_id', name=op.f('pk_ccm_months'))
    )
    op.create_index('ix_ccm_months_worklist', 'ccm_months',
                    ['month', 'rank', 'sort_minutes', 'family_name', 'given_name', 'patient_id'], unique=False)
    op.create_table('report_refreshes',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('refreshed_at', STAMP, nullable=False),
    sa.Column('changes_from', STAMP, nullable=False),
    sa.Column('rebuilt_at', STAMP, nullable=False),
    sa.Column('months', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_report_refreshes'))
    )
    op.create_index(op.f('ix_time_entries_recorded_at'), 'time_entries', ['recorded_at'], unique=False)
    op.create_index(op.f('ix_inbox_tasks_created_at'), 'inbox_tasks', ['created_at'], unique=False)
    op.drop_index('ix_instances_status_updated_at', table_name='instances')
    op.create_index(op.f('ix_instances_status'), 'instances', ['status'], unique=False)
    op.create_table('task_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'program', name=op.f('pk_task_days'))
    )
    op.create_table('open_work',
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('assignee', sa.String(length=200), nullable=False),
    sa.Column('open', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('program', 'role', 'assignee', name=op.f('pk_open_work'))
    )


    op.create_table('report_counts',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'program', 'key', name=op.f('pk_report_counts'))
    )
    op.create_table('tcm_discharges',
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('discharge_on', sa.Date(), nullable=False),
    sa.Column('complexity', sa.String(length=20), nullable=True),
    sa.Column('contact_deadline', sa.Date(), nullable=False),
    sa.Column('contact_on', sa.Date(), nullable=True),
    sa.Column('contact_outcome', sa.String(length=40), nullable=True),
    sa.Column('contact_attempts', sa.Integer(), nullable=True),
    sa.Column('contact', sa.String(length=10), nullable=False),
    sa.Column('med_rec_on', sa.Date(), nullable=True),
    sa.Column('visit_on', sa.Date(), nullable=True),
    sa.Column('visit_day', sa.Integer(), nullable=True),
    sa.Column('mdm', sa.String(length=20), nullable=True),
    sa.Column('code', sa.String(length=10), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('readmitted_on', sa.Date(), nullable=True),
    sa.Column('no_visit_reason', sa.String(length=40), nullable=True),
    sa.Column('tally', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_tcm_discharges'))
    )
    op.create_index(op.f('ix_tcm_discharges_discharge_on'), 'tcm_discharges', ['discharge_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_tcm_discharges_discharge_on'), table_name='tcm_discharges')
    op.drop_table('tcm_discharges')
    op.drop_table('report_counts')
    op.drop_table('open_work')
    op.drop_table('task_days')
    op.drop_index(op.f('ix_instances_status'), table_name='instances')
    op.create_index('ix_instances_status_updated_at', 'instances', ['status', 'updated_at'], unique=False)
    op.drop_index(op.f('ix_inbox_tasks_created_at'), table_name='inbox_tasks')
    op.drop_index(op.f('ix_time_entries_recorded_at'), table_name='time_entries')
    op.drop_table('report_refreshes')
    op.drop_index('ix_ccm_months_worklist', table_name='ccm_months')
    op.drop_table('ccm_months')
