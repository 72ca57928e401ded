"""admin console (program availability, password resets, escalation acknowledgements)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Its tables are added by the work on this area; until then this revision changes nothing.
"""

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
