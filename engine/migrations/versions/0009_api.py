"""JSON API and FHIR (API clients and tokens, idempotency keys, webhooks)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Its tables are added by the work on this area; until then this revision changes nothing.
"""

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
