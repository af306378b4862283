"""data version: one row whose number goes up with every transaction that changes the
shelter's data (rps_app/data_version.py), the key of the page cache

Revision ID: 0017_data_version
Revises: 0016_name_key_lookup
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_data_version'
down_revision = '0016_name_key_lookup'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')))
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade():
    op.drop_table('data_version')
