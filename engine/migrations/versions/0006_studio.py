"""pathway studio (drafts, test cases, reviews)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Drafts of a bundle stored on the server (each file with a version number, so two saves of one file conflict
instead of one being lost), who changed what and when, test runs, reviews, and how a pathway version was
published from the studio (change note, who published and approved it, its test results).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STAMP = engine.models.base.UtcDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('studio_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('base_deployment_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', STAMP, nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', STAMP, nullable=False),
    sa.Column('change_note', sa.Text(), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', STAMP, nullable=True),
    sa.Column('published_deployment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['base_deployment_id'], ['deployments.id'],
                            name=op.f('fk_studio_drafts_base_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['published_deployment_id'], ['deployments.id'],
                            name=op.f('fk_studio_drafts_published_deployment_id_deployments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_drafts'))
    )
    with op.batch_alter_table('studio_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_drafts_bundle_status'), ['bundle', 'status'], unique=False)
    op.create_table('studio_draft_files',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', STAMP, nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['studio_drafts.id'], ondelete='CASCADE',
                            name=op.f('fk_studio_draft_files_draft_id_studio_drafts')),
    sa.PrimaryKeyConstraint('draft_id', 'path', name=op.f('pk_studio_draft_files'))
    )
    op.create_table('studio_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', STAMP, nullable=False),
    sa.Column('file_version', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['studio_drafts.id'], ondelete='CASCADE',
                            name=op.f('fk_studio_changes_draft_id_studio_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_changes'))
    )
    with op.batch_alter_table('studio_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_changes_draft_id_id'), ['draft_id', 'id'], unique=False)
    op.create_table('studio_test_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('run_at', STAMP, nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('results', JSON, nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['studio_drafts.id'], ondelete='CASCADE',
                            name=op.f('fk_studio_test_runs_draft_id_studio_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_test_runs'))
    )
    with op.batch_alter_table('studio_test_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_test_runs_draft_id_id'), ['draft_id', 'id'], unique=False)
    op.create_table('studio_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('at', STAMP, nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['studio_drafts.id'], ondelete='CASCADE',
                            name=op.f('fk_studio_reviews_draft_id_studio_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_reviews'))
    )
    with op.batch_alter_table('studio_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_reviews_draft_id_id'), ['draft_id', 'id'], unique=False)
    op.create_table('pathway_publications',
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('published_by', sa.String(length=200), nullable=False),
    sa.Column('published_at', STAMP, nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('approved_at', STAMP, nullable=True),
    sa.Column('tests_passed', sa.Integer(), nullable=False),
    sa.Column('tests_failed', sa.Integer(), nullable=False),
    sa.Column('rollback_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'],
                            name=op.f('fk_pathway_publications_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['draft_id'], ['studio_drafts.id'],
                            name=op.f('fk_pathway_publications_draft_id_studio_drafts')),
    sa.PrimaryKeyConstraint('deployment_id', name=op.f('pk_pathway_publications'))
    )


def downgrade() -> None:
    op.drop_table('pathway_publications')
    with op.batch_alter_table('studio_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_reviews_draft_id_id'))
    op.drop_table('studio_reviews')
    with op.batch_alter_table('studio_test_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_test_runs_draft_id_id'))
    op.drop_table('studio_test_runs')
    with op.batch_alter_table('studio_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_changes_draft_id_id'))
    op.drop_table('studio_changes')
    op.drop_table('studio_draft_files')
    with op.batch_alter_table('studio_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_drafts_bundle_status'))
    op.drop_table('studio_drafts')
