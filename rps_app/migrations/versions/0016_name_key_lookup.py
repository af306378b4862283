"""client name keys on PostgreSQL: a lookup index by key that carries the columns the
duplicate check weighs, so the check reads the index alone instead of a heap page per key
(SQLite's table is already kept in key order, without rowid)

Revision ID: 0016_name_key_lookup
Revises: 0015_client_name_keys
Create Date: 2026-12-01 11:00:00

"""
from alembic import op


revision = '0016_name_key_lookup'
down_revision = '0015_client_name_keys'
branch_labels = None
depends_on = None

CARRIED = ["client_id", "word_no", "words", "sex", "born", "origin"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_client_name_keys_lookup", "client_name_keys", ["key"],
                        postgresql_include=CARRIED)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_client_name_keys_lookup", table_name="client_name_keys")
