"""server-side web sessions; the audit trail closed to REPLACE (SQLite) and TRUNCATE (PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

A web session is a row: the browser holds a random token, the server the hash of it, so sign-out, a password
change or a disabled account ends the session on the server, whatever happens to the cookie. The audit trail's
triggers refused UPDATE and DELETE; REPLACE INTO (SQLite: it deletes the old row without firing DELETE
triggers) and TRUNCATE (PostgreSQL: row triggers do not see it) got past them, and now do not.
"""
import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

STAMP = engine.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('ended_at', STAMP, nullable=True),
    sa.Column('ended_why', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id_ended_at'), ['user_id', 'ended_at'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events "
            "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_replace")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id_ended_at'))
    op.drop_table('user_sessions')
