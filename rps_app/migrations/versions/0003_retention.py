"""retention: clients keep when they were anonymised and their birth year

Revision ID: 0003_retention
Revises: 0002_access_grants
"""
from alembic import op
import sqlalchemy as sa

import rps_app.types

revision = "0003_retention"
down_revision = "0002_access_grants"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("anonymised_at", rps_app.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("birth_year")
        batch.drop_column("anonymised_at")
