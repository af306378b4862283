"""second communal room: the blueprint's two Ruang Komunal on an existing installation

An installation seeded before this revision has one communal room, KOM-1 "Ruang Komunal";
the blueprint (and contract.md's `rps init`) has two. This adds KOM-2 right after KOM-1
(the rooms after it move down one place, as in a new installation) and names KOM-1
"Ruang Komunal 1" when it still has the seeded name. Nothing happens on an empty database
(`rps init` seeds both rooms after migrating), nor where KOM-2 exists or an administrator
already added a second communal room.

Revision ID: 0006_second_communal_room
Revises: 0005_facility_use
Create Date: 2026-11-30 16:40:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import rps_app.types


# revision identifiers, used by Alembic.
revision = '0006_second_communal_room'
down_revision = '0005_facility_use'
branch_labels = None
depends_on = None

rooms = sa.table("rooms", sa.column("id", sa.Integer), sa.column("code", sa.String),
                 sa.column("name", sa.String), sa.column("kind", sa.String),
                 sa.column("sex", sa.String), sa.column("tag", sa.String),
                 sa.column("sort_order", sa.Integer), sa.column("active", sa.Boolean))
audit_entries = sa.table("audit_entries", sa.column("at", rps_app.types.UTCDateTime()),
                         sa.column("username", sa.String), sa.column("action", sa.String),
                         sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                         sa.column("detail", sa.JSON))


def upgrade():
    bind = op.get_bind()
    first = bind.execute(sa.select(rooms.c.id, rooms.c.name, rooms.c.sort_order)
                         .where(rooms.c.code == "KOM-1")).first()
    if first is None:
        return  # an empty database: `rps init` seeds both rooms
    communal = bind.scalar(sa.select(sa.func.count()).select_from(rooms)
                           .where(rooms.c.kind == "communal"))
    taken = bind.scalar(sa.select(rooms.c.id).where(sa.func.upper(rooms.c.code) == "KOM-2"))
    if communal >= 2 or taken is not None:
        return
    bind.execute(rooms.update().where(rooms.c.sort_order > first.sort_order)
                 .values(sort_order=rooms.c.sort_order + 1))
    bind.execute(rooms.insert().values(code="KOM-2", name="Ruang Komunal 2", kind="communal",
                                       sex=None, tag=None, sort_order=first.sort_order + 1,
                                       active=True))
    added = bind.scalar(sa.select(rooms.c.id).where(rooms.c.code == "KOM-2"))
    renamed = first.name == "Ruang Komunal"
    if renamed:
        bind.execute(rooms.update().where(rooms.c.id == first.id)
                     .values(name="Ruang Komunal 1"))
    bind.execute(audit_entries.insert().values(
        at=datetime.now(timezone.utc), username="migration", action="seed", entity="room",
        entity_id=str(added), detail={"revision": revision, "code": "KOM-2",
                                      "renamed_kom_1": renamed}))


def downgrade():
    # The room may hold bookings and maintenance requests by now: a schema downgrade
    # leaves the building as it is.
    pass
