"""clients without a NIK, newest first: a partial index, so that the data-quality page
reads the hundred it shows instead of sorting every client without a NIK

Revision ID: 0014_missing_nik_index
Revises: 0013_open_room_index
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_missing_nik_index'
down_revision = '0013_open_room_index'
branch_labels = None
depends_on = None

MISSING_NIK = sa.text("nik IS NULL AND merged_into_id IS NULL")


def upgrade():
    op.create_index('ix_clients_missing_nik', 'clients', ['created_at', 'id'], unique=False,
                    sqlite_where=MISSING_NIK, postgresql_where=MISSING_NIK)


def downgrade():
    op.drop_index('ix_clients_missing_nik', table_name='clients')
