"""reports (time logged without a task, per-instance facts)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Its tables are added by the work on this area; until then this revision changes nothing.
"""

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
