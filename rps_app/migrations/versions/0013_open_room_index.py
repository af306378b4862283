"""open assignments per room: a partial index, so that who sleeps in a room now is read
without the room's whole history (placement, bed board, stay and intake pages)

Revision ID: 0013_open_room_index
Revises: 0012_safety
Create Date: 2026-11-30 23:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_open_room_index'
down_revision = '0012_safety'
branch_labels = None
depends_on = None

OPEN_ASSIGNMENT = sa.text("end_at IS NULL")


def upgrade():
    op.create_index('ix_bed_assignments_open_room', 'bed_assignments', ['room_id'],
                    unique=False, sqlite_where=OPEN_ASSIGNMENT,
                    postgresql_where=OPEN_ASSIGNMENT)


def downgrade():
    op.drop_index('ix_bed_assignments_open_room', table_name='bed_assignments')
