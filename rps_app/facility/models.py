from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint,
                        exists)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

ROOM_KINDS = ("shelter", "isolation", "therapy", "guard_post", "communal", "lobby", "kitchen",
              "logistics", "office", "head_office", "guest_house")
RESIDENTIAL_KINDS = ("shelter", "isolation")
ROOM_TAGS = ("anak", "lansia")  # a tag restricts who may be placed in the room


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(1))  # 'L', 'P' or None
    tag: Mapped[str | None] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    beds: Mapped[list["Bed"]] = relationship(back_populates="room", order_by="Bed.sort_order")

    __table_args__ = (
        CheckConstraint("sex IS NULL OR sex IN ('L', 'P')", name="sex"),
        # A shelter room always has a sex (rule 1); no other kind has one.
        CheckConstraint("(kind = 'shelter') = (sex IS NOT NULL)", name="shelter_sex"),
        CheckConstraint("kind IN ('shelter', 'isolation', 'therapy', 'guard_post', 'communal', "
                        "'lobby', 'kitchen', 'logistics', 'office', 'head_office', "
                        "'guest_house')", name="kind"),
    )

    @property
    def residential(self) -> bool:
        return self.kind in RESIDENTIAL_KINDS


class Bed(db.Model):
    """The unit of allocation. Retired beds stay as rows so that history keeps its beds."""
    __tablename__ = "beds"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # In service from created_at until retired_at, except during its outages; the dates
    # matter for available bed nights in past reports, so none of this is overwritten.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    room: Mapped[Room] = relationship(back_populates="beds")
    outages: Mapped[list["BedOutage"]] = relationship(back_populates="bed",
                                                      order_by="BedOutage.start_at")

    __table_args__ = (UniqueConstraint("room_id", "label", name="uq_beds_room_id_label"),)

    @property
    def current_outage(self) -> "BedOutage | None":
        return next((o for o in self.outages if o.end_at is None), None)

    @property
    def in_service(self) -> bool:
        return self.current_outage is None

    @property
    def usable(self) -> bool:
        """Counts toward capacity: not retired and not out of service."""
        return self.retired_at is None and self.in_service


class BedOutage(db.Model):
    """A period in which a bed is out of service (broken, cleaning): not in capacity."""
    __tablename__ = "bed_outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_id: Mapped[int] = mapped_column(ForeignKey("beds.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")

    bed: Mapped[Bed] = relationship(back_populates="outages")


def bed_in_service():
    """Bed.in_service as SQL (no open outage), for a query that reads beds without their
    outages (the bed board and the pages that offer beds)."""
    return ~exists().where(BedOutage.bed_id == Bed.id, BedOutage.end_at.is_(None))
