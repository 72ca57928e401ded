"""care teams (memberships, break-the-glass access, saved filters, delegation, comments, time zones)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Its tables are added by the work on this area; until then this revision changes nothing.
"""

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
