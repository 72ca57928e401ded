"""admin console (program availability, password resets, escalation acknowledgements)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Programs can be closed to new starts; an uploaded bundle is kept, checked, until an admin deploys it; bulk
migration plans keep a row per instance (what the dry run found, what the run did); escalations raised by
boundary timers and acknowledged overdue tasks; reassignments with their reason; an admin can make a user choose
a new password at the next sign-in.

The console's lists read index ranges: instances by status, pathway and version (newest first), running
instances with nothing to wake them (a partial index), audit events by person and by action; on PostgreSQL the
list reads that name patients in their details (inbox pages, patient lists) get a GIN index, so "who saw this
patient" does not scan the trail.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
STAMP = engine.models.base.UtcDateTime(timezone=True)
STUCK = "status = 'running' AND open_tasks = 0 AND timer_rows = 0 AND message_rows = 0"
LISTED = "details ? 'patients'"


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('program_availability',
    sa.Column('process_id', sa.String(length=200), nullable=False),
    sa.Column('open_for_starts', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('changed_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('process_id', name=op.f('pk_program_availability'))
    )
    op.create_table('bundle_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('files', JSON, nullable=False),
    sa.Column('problems', JSON, nullable=False),
    sa.Column('warnings', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', STAMP, nullable=False),
    sa.Column('deployed_at', STAMP, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_uploads'))
    )
    _migration_tables()
    _escalation_tables()
    _indexes()
    _instance_counts()


def _migration_tables() -> None:
    op.create_table('migration_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('filters', JSON, nullable=False),
    sa.Column('mapping', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('movable', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=True),
    sa.Column('started_at', STAMP, nullable=True),
    sa.Column('finished_at', STAMP, nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['deployments.id'], name=op.f('fk_migration_plans_source_id_deployments')),
    sa.ForeignKeyConstraint(['target_id'], ['deployments.id'], name=op.f('fk_migration_plans_target_id_deployments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_plans'))
    )
    op.create_table('migration_items',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('at_elements', sa.String(length=500), nullable=True),
    sa.Column('movable', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('at', STAMP, nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['migration_plans.id'], name=op.f('fk_migration_items_plan_id_migration_plans'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'instance_id', name=op.f('pk_migration_items'))
    )
    op.create_index(op.f('ix_migration_items_plan_id_outcome_instance_id'), 'migration_items',
                    ['plan_id', 'outcome', 'instance_id'], unique=False)


def _escalation_tables() -> None:
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.String(length=100), nullable=True),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('element_id', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('raised_at', STAMP, nullable=False),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('acknowledged_at', STAMP, nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('key', name=op.f('uq_escalations_key'))
    )
    op.create_index(op.f('ix_escalations_acknowledged_at_id'), 'escalations', ['acknowledged_at', 'id'])
    op.create_index(op.f('ix_escalations_task_id'), 'escalations', ['task_id'])
    op.create_table('reassignments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('from_assignee', sa.String(length=200), nullable=True),
    sa.Column('to_assignee', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reassignments'))
    )
    op.create_index(op.f('ix_reassignments_task_id_id'), 'reassignments', ['task_id', 'id'])


def _indexes() -> None:
    # plain CREATE INDEX (never a batch copy: rebuilding audit_events would drop its append-only triggers)
    op.create_index('ix_instances_status_id', 'instances', ['status', 'id'])
    op.create_index('ix_instances_process_id_status_id', 'instances', ['process_id', 'status', 'id'])
    op.create_index('ix_instances_deployment_id_status_id', 'instances', ['deployment_id', 'status', 'id'])
    op.create_index('ix_instances_stuck', 'instances', ['id'], sqlite_where=sa.text(STUCK),
                    postgresql_where=sa.text(STUCK))
    op.create_index('ix_instances_status_started_at', 'instances', ['status', 'started_at'])
    op.create_index('ix_instances_id_started_at', 'instances', ['id', 'started_at'])
    op.create_index('ix_audit_events_actor_at_id', 'audit_events', ['actor', 'at', 'id'])
    op.create_index('ix_audit_events_action_at_id', 'audit_events', ['action', 'at', 'id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_audit_events_listed_patients ON audit_events "
                   f"USING gin ((details -> 'patients') jsonb_path_ops) WHERE {LISTED}")


COUNT_KEY = "(deployment_id, process_id, status, slot)"


def _instance_counts() -> None:
    """Counts per version, pathway and status, kept by triggers; filled from the instances there are."""
    op.create_table('instance_counts',
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('deployment_id', 'process_id', 'status', 'slot', name=op.f('pk_instance_counts'))
    )
    op.execute("INSERT INTO instance_counts (deployment_id, process_id, status, slot, n) "
               "SELECT deployment_id, process_id, status, id % 16, COUNT(*) FROM instances "
               "GROUP BY deployment_id, process_id, status, id % 16")
    if op.get_bind().dialect.name == "postgresql":
        _count_triggers_postgresql()
    else:
        _count_triggers_sqlite()


def _bump(row: str, delta: str, current: str = "instance_counts.n") -> str:
    return (f"INSERT INTO instance_counts (deployment_id, process_id, status, slot, n) VALUES "
            f"({row}.deployment_id, {row}.process_id, {row}.status, {row}.id % 16, {delta}) "
            f"ON CONFLICT {COUNT_KEY} DO UPDATE SET n = {current} + {delta}")


def _count_triggers_postgresql() -> None:
    # the two rows a change moves are locked in one order (version, then status), so two transactions moving
    # instances the opposite ways (running -> error, error -> running) cannot deadlock on them
    op.execute(f"""
        CREATE FUNCTION instance_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            {_bump('NEW', '1')};
          ELSIF TG_OP = 'DELETE' THEN
            {_bump('OLD', '-1')};
          ELSIF (OLD.deployment_id, OLD.status) < (NEW.deployment_id, NEW.status) THEN
            {_bump('OLD', '-1')};
            {_bump('NEW', '1')};
          ELSE
            {_bump('NEW', '1')};
            {_bump('OLD', '-1')};
          END IF;
          RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER instances_count_insert AFTER INSERT ON instances "
               "FOR EACH ROW EXECUTE FUNCTION instance_counts_keep()")
    op.execute("CREATE TRIGGER instances_count_delete AFTER DELETE ON instances "
               "FOR EACH ROW EXECUTE FUNCTION instance_counts_keep()")
    op.execute("CREATE TRIGGER instances_count_update AFTER UPDATE OF status, deployment_id ON instances "
               "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
               "OR OLD.deployment_id IS DISTINCT FROM NEW.deployment_id) EXECUTE FUNCTION instance_counts_keep()")


def _count_triggers_sqlite() -> None:
    def bump(row: str, delta: str) -> str:
        return _bump(row, delta, "n")  # SQLite's triggers take no table alias, and `n` is the row's own

    op.execute(f"CREATE TRIGGER instances_count_insert AFTER INSERT ON instances BEGIN {bump('NEW', '1')}; END")
    op.execute(f"CREATE TRIGGER instances_count_delete AFTER DELETE ON instances BEGIN {bump('OLD', '-1')}; END")
    op.execute("CREATE TRIGGER instances_count_update AFTER UPDATE OF status, deployment_id ON instances "
               "WHEN OLD.status IS NOT NEW.status OR OLD.deployment_id IS NOT NEW.deployment_id "
               f"BEGIN {bump('OLD', '-1')}; {bump('NEW', '1')}; END")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def downgrade() -> None:
    for trigger in ("instances_count_insert", "instances_count_delete", "instances_count_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (" ON instances" if _postgresql() else ""))
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS instance_counts_keep()")
        op.execute("DROP INDEX IF EXISTS ix_audit_events_listed_patients")
    op.drop_table('instance_counts')
    for name, table in (('ix_audit_events_action_at_id', 'audit_events'), ('ix_audit_events_actor_at_id', 'audit_events'),
                        ('ix_instances_id_started_at', 'instances'), ('ix_instances_status_started_at', 'instances'),
                        ('ix_instances_stuck', 'instances'), ('ix_instances_deployment_id_status_id', 'instances'),
                        ('ix_instances_process_id_status_id', 'instances'), ('ix_instances_status_id', 'instances')):
        op.drop_index(name, table_name=table)
    op.drop_index(op.f('ix_reassignments_task_id_id'), table_name='reassignments')
    op.drop_table('reassignments')
    op.drop_index(op.f('ix_escalations_task_id'), table_name='escalations')
    op.drop_index(op.f('ix_escalations_acknowledged_at_id'), table_name='escalations')
    op.drop_table('escalations')
    op.drop_index(op.f('ix_migration_items_plan_id_outcome_instance_id'), table_name='migration_items')
    op.drop_table('migration_items')
    op.drop_table('migration_plans')
    op.drop_table('bundle_uploads')
    op.drop_table('program_availability')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
