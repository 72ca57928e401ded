"""pathway studio (drafts, test cases, reviews)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Its tables are added by the work on this area; until then this revision changes nothing.
"""

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
