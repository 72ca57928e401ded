"""care teams (memberships, break-the-glass access, saved filters, delegation, comments, time zones)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A patient's care team (FHIR CareTeam participants, each with a period and a reason), access granted by breaking
the glass, the care plan as a record, the answers each task was completed with, comments and notices, saved
inbox filters, each person's time zone, and the inbox row's delegation (`delegated_by`).

Patient search matches given and family names in any order, by prefix, and MRN prefixes, from an index on each
database: PostgreSQL's full-text search (a GIN index over the name's words, `simple` configuration: no
stemming, no stop words) and SQLite's FTS5 (a table of the name's words kept by triggers); MRN prefixes from a
pattern index on the lower-cased MRN (PostgreSQL) or a NOCASE index (SQLite, whose LIKE ignores case).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STAMP = engine.models.base.UtcDateTime(timezone=True)
# the words of a name, and the name again without apostrophes and hyphens ("o'brien" is found as "obrien"
# too); engine.care.patient_search asks with the same expression
PG_WORDS = "to_tsvector('simple'::regconfig, search_name || ' ' || translate(search_name, '''-', ''))"
SQLITE_WORDS = "search_name || ' ' || replace(replace(search_name, '''', ''), '-', '')"
SQLITE_NEW_WORDS = SQLITE_WORDS.replace("search_name", "new.search_name")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('care_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('lead', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('started_at', STAMP, nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=False),
    sa.Column('ended_at', STAMP, nullable=True),
    sa.Column('ended_by', sa.String(length=200), nullable=True),
    sa.Column('end_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_care_team_members_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_team_members'))
    )
    with op.batch_alter_table('care_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_members_patient_id_ended_at'), ['patient_id', 'ended_at'])
        batch_op.create_index(batch_op.f('ix_care_team_members_username_ended_at'), ['username', 'ended_at'])

    op.create_table('access_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('roles', JSON, nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', STAMP, nullable=False),
    sa.Column('expires_at', STAMP, nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_username_patient_id_expires_at'),
                              ['username', 'patient_id', 'expires_at'])
        batch_op.create_index(batch_op.f('ix_access_grants_granted_at'), ['granted_at'])

    op.create_table('care_plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('program', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_key', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('progress', JSON, nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', STAMP, nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan_items'))
    )
    with op.batch_alter_table('care_plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_items_patient_id_kind'), ['patient_id', 'kind'])
        batch_op.create_index(batch_op.f('ix_care_plan_items_instance_id_item_key'), ['instance_id', 'item_key'])

    op.create_table('task_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('form_schema', sa.String(length=300), nullable=True),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('completed_by', sa.String(length=200), nullable=False),
    sa.Column('completed_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_results')),
    sa.UniqueConstraint('task_id', name=op.f('uq_task_results_task_id'))
    )
    with op.batch_alter_table('task_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_results_patient_id_form_schema_completed_at'),
                              ['patient_id', 'form_schema', 'completed_at'])

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('mentions', JSON, nullable=True),
    sa.Column('created_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_patient_id_id'), ['patient_id', 'id'])
        batch_op.create_index(batch_op.f('ix_comments_task_id_id'), ['task_id', 'id'])

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('patient_id', sa.String(length=100), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('read_at', STAMP, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_username_read_at_id'), ['username', 'read_at', 'id'])

    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('query', JSON, nullable=False),
    sa.Column('shared_role', sa.String(length=50), nullable=True),
    sa.Column('created_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
    sa.UniqueConstraint('username', 'name', name=op.f('uq_saved_filters_username_name'))
    )
    with op.batch_alter_table('saved_filters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filters_shared_role'), ['shared_role'])

    op.create_table('user_preferences',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('updated_at', STAMP, nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_user_preferences'))
    )

    with op.batch_alter_table('inbox_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegated_by', sa.String(length=200), nullable=True))
    # a plain ADD COLUMN (a batch copy of instances would drop its count triggers); no team exists yet
    op.add_column('instances', sa.Column('team_roles', sa.String(length=200), server_default='', nullable=False))
    _patient_search_up()


def _patient_search_up() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_patients_search_words ON patients USING gin ({PG_WORDS})")
        op.execute("CREATE INDEX ix_patients_mrn_prefix ON patients (lower(mrn) varchar_pattern_ops)")
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE patients_search USING fts5(patient_id UNINDEXED, search_name, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
        op.execute(f"INSERT INTO patients_search (patient_id, search_name) SELECT id, {SQLITE_WORDS} FROM patients")
        op.execute("CREATE TRIGGER patients_search_added AFTER INSERT ON patients BEGIN "
                   "INSERT INTO patients_search (patient_id, search_name) "
                   f"VALUES (new.id, {SQLITE_NEW_WORDS}); END")
        op.execute("CREATE TRIGGER patients_search_renamed AFTER UPDATE OF search_name ON patients BEGIN "
                   "DELETE FROM patients_search WHERE patient_id = old.id; "
                   "INSERT INTO patients_search (patient_id, search_name) "
                   f"VALUES (new.id, {SQLITE_NEW_WORDS}); END")
        op.execute("CREATE TRIGGER patients_search_removed AFTER DELETE ON patients BEGIN "
                   "DELETE FROM patients_search WHERE patient_id = old.id; END")
        op.execute("CREATE INDEX ix_patients_mrn_nocase ON patients (mrn COLLATE NOCASE)")


def _patient_search_down() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_patients_mrn_prefix")
        op.execute("DROP INDEX IF EXISTS ix_patients_search_words")
    elif dialect == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_patients_mrn_nocase")
        for trigger in ("patients_search_added", "patients_search_renamed", "patients_search_removed"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS patients_search")


def downgrade() -> None:
    _patient_search_down()
    op.execute("ALTER TABLE instances DROP COLUMN team_roles")  # SQLite 3.35+ and PostgreSQL, no table copy
    with op.batch_alter_table('inbox_tasks', schema=None) as batch_op:
        batch_op.drop_column('delegated_by')
    op.drop_table('user_preferences')
    with op.batch_alter_table('saved_filters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filters_shared_role'))
    op.drop_table('saved_filters')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_username_read_at_id'))
    op.drop_table('notices')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_task_id_id'))
        batch_op.drop_index(batch_op.f('ix_comments_patient_id_id'))
    op.drop_table('comments')
    with op.batch_alter_table('task_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_results_patient_id_form_schema_completed_at'))
    op.drop_table('task_results')
    with op.batch_alter_table('care_plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_items_instance_id_item_key'))
        batch_op.drop_index(batch_op.f('ix_care_plan_items_patient_id_kind'))
    op.drop_table('care_plan_items')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grants_granted_at'))
        batch_op.drop_index(batch_op.f('ix_access_grants_username_patient_id_expires_at'))
    op.drop_table('access_grants')
    with op.batch_alter_table('care_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_members_username_ended_at'))
        batch_op.drop_index(batch_op.f('ix_care_team_members_patient_id_ended_at'))
    op.drop_table('care_team_members')
