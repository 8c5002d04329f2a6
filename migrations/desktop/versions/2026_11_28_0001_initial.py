"""Initial local store: catalogue cache, collection, plays, cleanings, styluses, outbox, sync state.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:44:55.648357
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cleanings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('cleaned_at', sa.DateTime(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('deep', sa.Boolean(), nullable=False),
    sa.Column('field_clocks', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cleanings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleanings_cleaned_at'), ['cleaned_at'], unique=False)
        batch_op.create_index('ix_cleanings_release_cleaned', ['release_id', 'cleaned_at'], unique=False)

    op.create_table('collection_items',
    sa.Column('instance_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('folder_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=True),
    sa.Column('media_condition', sa.String(length=200), nullable=False),
    sa.Column('sleeve_condition', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('archive_reason', sa.String(length=32), nullable=True),
    sa.Column('field_clocks', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('instance_id')
    )
    with op.batch_alter_table('collection_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_items_folder_id'), ['folder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_items_release_id'), ['release_id'], unique=False)

    op.create_table('folders',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('field_clocks', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('outbox',
    sa.Column('mutation_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('op', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('hlc', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('pushed_seq', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('mutation_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_pushed_seq'), ['pushed_seq'], unique=False)

    op.create_table('plays',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('played_at', sa.DateTime(), nullable=False),
    sa.Column('stylus_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('sides', sa.JSON(), nullable=True),
    sa.Column('field_clocks', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plays_played_at'), ['played_at'], unique=False)
        batch_op.create_index('ix_plays_release_played', ['release_id', 'played_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_plays_stylus_id'), ['stylus_id'], unique=False)

    op.create_table('releases',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('duration_estimated', sa.Boolean(), nullable=False),
    sa.Column('has_tracklist', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releases_fetched_at'), ['fetched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_releases_title'), ['title'], unique=False)
        batch_op.create_index(batch_op.f('ix_releases_year'), ['year'], unique=False)

    op.create_table('styluses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manufacturer', sa.String(length=200), nullable=False),
    sa.Column('lifespan_hours', sa.Integer(), nullable=True),
    sa.Column('purchased_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('field_clocks', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('styluses', schema=None) as batch_op:
        batch_op.create_index('uq_styluses_one_primary', ['primary'], unique=True, sqlite_where=sa.text('"primary" = 1 AND deleted = 0'))

    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('clock_node', sa.String(length=64), nullable=False),
    sa.Column('hlc_last', sa.String(length=100), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.String(length=200), nullable=True),
    sa.Column('server_url', sa.String(length=2000), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint('id = 1', name='ck_sync_state_single_row'),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('sync_state')
    with op.batch_alter_table('styluses', schema=None) as batch_op:
        batch_op.drop_index('uq_styluses_one_primary', sqlite_where=sa.text('"primary" = 1 AND deleted = 0'))

    op.drop_table('styluses')
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_releases_year'))
        batch_op.drop_index(batch_op.f('ix_releases_title'))
        batch_op.drop_index(batch_op.f('ix_releases_fetched_at'))

    op.drop_table('releases')
    with op.batch_alter_table('plays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plays_stylus_id'))
        batch_op.drop_index('ix_plays_release_played')
        batch_op.drop_index(batch_op.f('ix_plays_played_at'))

    op.drop_table('plays')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_pushed_seq'))

    op.drop_table('outbox')
    op.drop_table('folders')
    with op.batch_alter_table('collection_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_items_release_id'))
        batch_op.drop_index(batch_op.f('ix_collection_items_folder_id'))

    op.drop_table('collection_items')
    with op.batch_alter_table('cleanings', schema=None) as batch_op:
        batch_op.drop_index('ix_cleanings_release_cleaned')
        batch_op.drop_index(batch_op.f('ix_cleanings_cleaned_at'))

    op.drop_table('cleanings')
