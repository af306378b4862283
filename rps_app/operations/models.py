"""Daily operations: rosterable staff and their leave, guard-post minimums, the duty roster,
roll calls (apel) with their corrections, and incidents."""
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

SHIFTS = ("pagi", "siang", "malam")
LEAVE_KINDS = ("cuti", "sakit", "dinas_luar")
SESSIONS = ("pagi", "malam")
ROLLCALL_STATUSES = ("present", "absent", "permitted", "hospital")
INCIDENT_KINDS = ("medical", "conflict", "violence", "self_harm", "abscond", "property", "other")
SEVERITIES = ("low", "medium", "high")


class Staff(db.Model):
    """A person who can be put on the duty roster; a login (user) is optional."""
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(1))
    position: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    leaves: Mapped[list["StaffLeave"]] = relationship(back_populates="staff",
                                                      order_by="StaffLeave.from_date")

    __table_args__ = (CheckConstraint("sex IN ('L', 'P')", name="sex"),)


class StaffLeave(db.Model):
    """Leave (cuti), sick leave (sakit) or duty elsewhere (dinas luar), both dates included."""
    __tablename__ = "staff_leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    staff: Mapped[Staff] = relationship(back_populates="leaves")

    __table_args__ = (
        CheckConstraint("kind IN ('cuti', 'sakit', 'dinas_luar')", name="kind"),
        CheckConstraint("to_date >= from_date", name="period"),
    )


class PostMinimum(db.Model):
    """How many staff a guard post needs per shift. Kept here, keyed by room, because the
    facility knows rooms, not the roster. A post without a row needs 1 on every shift."""
    __tablename__ = "roster_post_minimums"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    shift: Mapped[str] = mapped_column(String(10))
    min_staff: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("room_id", "shift", name="uq_roster_post_minimums_room_id_shift"),
        CheckConstraint("shift IN ('pagi', 'siang', 'malam')", name="shift"),
        CheckConstraint("min_staff BETWEEN 0 AND 20", name="min_staff"),
    )


class RosterAssignment(db.Model):
    """One person on one shift at one post on one date. A person works one shift a day
    (the unique index holds the double-booking rule even against racing requests)."""
    __tablename__ = "roster_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    shift: Mapped[str] = mapped_column(String(10))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    staff: Mapped[Staff] = relationship()
    room: Mapped["Room"] = relationship()  # noqa: F821

    __table_args__ = (
        Index("uq_roster_assignments_staff_date", "staff_id", "date", unique=True),
        CheckConstraint("shift IN ('pagi', 'siang', 'malam')", name="shift"),
    )


class RollCall(db.Model):
    """An apel (pagi 07:00, malam 21:00). Its entries carry a version: a correction writes
    a new set with version + 1 and keeps the earlier ones as history."""
    __tablename__ = "rollcalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entries: Mapped[list["RollCallEntry"]] = relationship(
        back_populates="rollcall", order_by="(RollCallEntry.version, RollCallEntry.stay_id)")

    __table_args__ = (
        UniqueConstraint("date", "session", name="uq_rollcalls_date_session"),
        CheckConstraint("session IN ('pagi', 'malam')", name="session"),
    )

    @property
    def current_entries(self) -> list["RollCallEntry"]:
        return [entry for entry in self.entries if entry.version == self.version]


class RollCallEntry(db.Model):
    __tablename__ = "rollcall_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollcall_id: Mapped[int] = mapped_column(ForeignKey("rollcalls.id"))
    version: Mapped[int] = mapped_column(Integer)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    rollcall: Mapped[RollCall] = relationship(back_populates="entries")

    __table_args__ = (
        UniqueConstraint("rollcall_id", "version", "stay_id",
                         name="uq_rollcall_entries_rollcall_id_version_stay_id"),
        CheckConstraint("status IN ('present', 'absent', 'permitted', 'hospital')",
                        name="status"),
    )


class Incident(db.Model):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stays: Mapped[list["IncidentStay"]] = relationship(back_populates="incident",
                                                       order_by="IncidentStay.stay_id")

    __table_args__ = (
        CheckConstraint("kind IN ('medical', 'conflict', 'violence', 'self_harm', 'abscond', "
                        "'property', 'other')", name="kind"),
        CheckConstraint("severity IN ('low', 'medium', 'high')", name="severity"),
    )

    @property
    def stay_ids(self) -> list[int]:
        return [link.stay_id for link in self.stays]


class IncidentStay(db.Model):
    """A client (by stay) involved in an incident."""
    __tablename__ = "incident_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)

    incident: Mapped[Incident] = relationship(back_populates="stays")

    __table_args__ = (UniqueConstraint("incident_id", "stay_id",
                                       name="uq_incident_stays_incident_id_stay_id"),)
