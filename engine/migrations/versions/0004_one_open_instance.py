"""one open instance per patient and pathway; inbox rows know whether they have drafts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

A patient has at most one running, suspended or erroring instance of a pathway: a partial unique index makes
the rule the database's, so two concurrent starts cannot both succeed, whichever door they came through.
An inbox row says whether someone saved a draft of it, so that completing a task without drafts (most, and every
one a system completes) does not pay for deleting none.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ONE_OPEN = "status IN ('running', 'error', 'suspended')"


def upgrade() -> None:
    twice = op.get_bind().execute(sa.text(
        f"SELECT patient_id, process_id, COUNT(*) FROM instances WHERE {ONE_OPEN} "
        "GROUP BY patient_id, process_id HAVING COUNT(*) > 1 ORDER BY patient_id, process_id")).all()
    if twice:
        listed = "; ".join(f"patient {p}: {n} open instances of {process}" for p, process, n in twice[:20])
        raise RuntimeError("a patient may have only one open instance of a pathway, and some have more: "
                           f"{listed}. End the extra ones (carepath terminate ID) and upgrade again.")
    op.create_index('uq_instances_one_open', 'instances', ['patient_id', 'process_id'], unique=True,
                    sqlite_where=sa.text(ONE_OPEN), postgresql_where=sa.text(ONE_OPEN))
    with op.batch_alter_table('inbox_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_drafts', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE inbox_tasks SET has_drafts = true WHERE id IN (SELECT task_id FROM task_drafts)")


def downgrade() -> None:
    with op.batch_alter_table('inbox_tasks', schema=None) as batch_op:
        batch_op.drop_column('has_drafts')
    op.drop_index('uq_instances_one_open', table_name='instances')
