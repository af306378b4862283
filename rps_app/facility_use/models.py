"""Bookings of rooms, the visitor log of the lobby and maintenance requests.

Rows are never deleted: a booking is cancelled (its time freed), a visit gets its
departure, a maintenance request is marked done.
"""
from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

BOOKABLE_KINDS = ("therapy", "communal", "guest_house")
OPEN = text("done_at IS NULL")


class Booking(db.Model):
    """A room of kind therapy, communal or guest_house, taken for [starts_at, ends_at).

    Half-open: a booking ending at 10:00 and one starting at 10:00 do not overlap. A
    cancelled booking keeps its row and frees its time.
    """
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purpose: Mapped[str] = mapped_column(String(200))
    # The counsellor or social worker who holds the session: a member of the staff
    # register (operations), who need not have a login.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    # When the session's note was written (as a case note on each client's stay).
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    room: Mapped["Room"] = relationship()  # noqa: F821
    clients: Mapped[list["BookingClient"]] = relationship(back_populates="booking",
                                                          order_by="BookingClient.id")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_bookings_room_id_starts_at", "room_id", "starts_at"),
        Index("ix_bookings_starts_at", "starts_at"),
    )

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def stay_ids(self) -> list[int]:
        return [row.stay_id for row in self.clients]


class BookingClient(db.Model):
    """A client (by their stay) in a booked session; note_id: the case note written after."""
    __tablename__ = "booking_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))

    booking: Mapped[Booking] = relationship(back_populates="clients")

    __table_args__ = (UniqueConstraint("booking_id", "stay_id",
                                       name="uq_booking_clients_booking_id_stay_id"),)


class Visit(db.Model):
    """A visitor received at the lobby for a client in residence. Personal data: read by
    the roles that read clients, and every read is audited."""
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    visitor_name: Mapped[str] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("departed_at IS NULL OR departed_at >= arrived_at",
                        name="departs_after_arrival"),
    )


class MaintenanceRequest(db.Model):
    """Something in a room or bed to repair. With bed_out_of_service the bed is out of
    service (a BedOutage of facility, `outage_id`) from the request until it is done."""
    __tablename__ = "maintenance_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("beds.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    bed_out_of_service: Mapped[bool] = mapped_column(Boolean, default=False)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("bed_outages.id"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_note: Mapped[str | None] = mapped_column(Text)

    room: Mapped["Room"] = relationship()  # noqa: F821
    bed: Mapped["Bed | None"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint("NOT bed_out_of_service OR bed_id IS NOT NULL",
                        name="outage_needs_bed"),
        CheckConstraint("done_at IS NULL OR done_at >= reported_at", name="done_after_report"),
        Index("ix_maintenance_requests_open", "reported_at",
              sqlite_where=OPEN, postgresql_where=OPEN),
    )

    @property
    def is_open(self) -> bool:
        return self.done_at is None
