"""access grants: accounts given client access, acknowledged by the head

Revision ID: 0002_access_grants
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import rps_app.types

revision = "0002_access_grants"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("previous_role", sa.String(length=20), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_by", sa.String(length=80), nullable=True),
        sa.Column("granted_at", rps_app.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", rps_app.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_access_grants_user_id_users")),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"],
                                name=op.f("fk_access_grants_granted_by_id_users")),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["users.id"],
                                name=op.f("fk_access_grants_acknowledged_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
    )
    with op.batch_alter_table("access_grants") as batch:
        batch.create_index(batch.f("ix_access_grants_user_id"), ["user_id"])
        batch.create_index(batch.f("ix_access_grants_acknowledged_at"), ["acknowledged_at"])


def downgrade():
    op.drop_table("access_grants")
