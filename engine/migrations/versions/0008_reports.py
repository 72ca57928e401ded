"""reports (time logged without a task, per-instance facts)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Reports read rows, never workflow state:
- `instance_facts`, one compact row per instance: the dates, scores and outcomes its pathway established
  (consent, care plan, discharge, contact, reconciliation, visit, first and latest PHQ-9 and GAD-7, stage, end);
- `outcome_measures`, the scores and measurements recorded on each day (PHQ-9, GAD-7, HbA1c, weight);
- `monthly_minutes`, each patient's minutes per calendar month and program, added to with each time entry
  (filled here from the time entries there are);
- time entries get the day the work was done (`spent_on`, for time logged on the patient page without a task)
  and who logged it (`recorded_by`, when someone logs a colleague's time).
The runtime writes the facts when a step saves an instance; instances that ran before this revision get theirs
at their next step, or all at once from `CarePathways.rebuild_report_facts()`.
"""
import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STAMP = engine.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('instance_facts',
    sa.Column('instance_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=False),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=200), nullable=True),
    sa.Column('risk_tier', sa.String(length=20), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('care_plan_on', sa.Date(), nullable=True),
    sa.Column('discharge_on', sa.Date(), nullable=True),
    sa.Column('tcm_complexity', sa.String(length=20), nullable=True),
    sa.Column('contact_on', sa.Date(), nullable=True),
    sa.Column('contact_outcome', sa.String(length=40), nullable=True),
    sa.Column('contact_attempts', sa.Integer(), nullable=True),
    sa.Column('med_rec_on', sa.Date(), nullable=True),
    sa.Column('visit_on', sa.Date(), nullable=True),
    sa.Column('visit_mdm', sa.String(length=20), nullable=True),
    sa.Column('no_visit_reason', sa.String(length=40), nullable=True),
    sa.Column('readmitted_on', sa.Date(), nullable=True),
    sa.Column('phq9_first', sa.Integer(), nullable=True),
    sa.Column('phq9_first_on', sa.Date(), nullable=True),
    sa.Column('phq9_latest', sa.Integer(), nullable=True),
    sa.Column('phq9_latest_on', sa.Date(), nullable=True),
    sa.Column('gad7_first', sa.Integer(), nullable=True),
    sa.Column('gad7_first_on', sa.Date(), nullable=True),
    sa.Column('gad7_latest', sa.Integer(), nullable=True),
    sa.Column('gad7_latest_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('updated_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_instance_facts'))
    )
    with op.batch_alter_table('instance_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_facts_process_id_started_on'), ['process_id', 'started_on'])
        batch_op.create_index(batch_op.f('ix_instance_facts_process_id_discharge_on'),
                              ['process_id', 'discharge_on'])
        batch_op.create_index(batch_op.f('ix_instance_facts_patient_id'), ['patient_id'])

    op.create_table('outcome_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_measures')),
    sa.UniqueConstraint('instance_id', 'measure', 'taken_on',
                        name=op.f('uq_outcome_measures_instance_id_measure_taken_on'))
    )
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_measures_measure_taken_on'), ['measure', 'taken_on'])
        batch_op.create_index(batch_op.f('ix_outcome_measures_patient_id_measure_taken_on'),
                              ['patient_id', 'measure', 'taken_on'])

    op.create_table('monthly_minutes',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'patient_id', 'program', name=op.f('pk_monthly_minutes'))
    )
    op.execute("INSERT INTO monthly_minutes (month, patient_id, program, minutes) "
               "SELECT month, patient_id, program, SUM(minutes) FROM time_entries "
               "GROUP BY month, patient_id, program")

    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('spent_on')
    op.drop_table('monthly_minutes')
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_measures_patient_id_measure_taken_on'))
        batch_op.drop_index(batch_op.f('ix_outcome_measures_measure_taken_on'))
    op.drop_table('outcome_measures')
    with op.batch_alter_table('instance_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_facts_patient_id'))
        batch_op.drop_index(batch_op.f('ix_instance_facts_process_id_discharge_on'))
        batch_op.drop_index(batch_op.f('ix_instance_facts_process_id_started_on'))
    op.drop_table('instance_facts')
