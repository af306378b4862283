"""The client flow: an Intake (BAST) brings Stays; a Stay holds dated BedAssignments."""
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
                        String, Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship


from ..extensions import db
from ..types import UTCDateTime
from . import vocabulary

AGENCIES = ("satpol_pp", "polres", "polsek", "dinsos", "hospital", "public", "self")
EXIT_TYPES = ("family", "home_region", "panti", "balai", "hospital", "absconded", "deceased",
              "other")
LETTER_EXIT_TYPES = ("family", "home_region", "panti", "balai", "hospital")
INSTITUTION_EXIT_TYPES = ("panti", "balai", "hospital")
FAMILY_EXIT_TYPES = ("family", "home_region")
NOTE_KINDS = ("initial_assessment", "health", "guidance", "family_tracing", "case_conference",
              "incident")
SCREENING_FLAGS = ("sick_injured", "psychotic", "intoxicated", "aggressive", "contagious")
SPM_COMPONENTS = vocabulary.SPM_COMPONENTS  # numbered 1-11, see the component constraint

OPEN = text("exited_at IS NULL")
OPEN_ASSIGNMENT = text("end_at IS NULL")


def longer_than(nights: int, start: str, end: str) -> dict:
    """A partial index's condition, per database: the row spans more than `nights` nights.
    reporting/metrics.py repeats it word for word, so that the planner can use the index."""
    return {"postgresql_where": text(f"{end} - {start} > {nights}"),
            "sqlite_where": text(f"julianday({end}) - julianday({start}) > {nights}")}


# Reports find the rows of a date range by index at both ends (reporting/metrics.py): open
# rows, rows ending within LONG_NIGHTS after the range, and the few longer ones apart.
LONG_NIGHTS = 31
STAY_OPEN_DATE = text("exit_date IS NULL")
ASSIGNMENT_OPEN_DATE = text("end_date IS NULL")


class Intake(db.Model):
    """A handover record (BAST penerimaan): one sending officer, many clients."""
    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(20))
    officer_name: Mapped[str] = mapped_column(String(120))
    officer_id_number: Mapped[str] = mapped_column(String(40))  # NRP / NIP
    bast_number: Mapped[str] = mapped_column(String(60), index=True)  # may repeat
    operation_place: Mapped[str] = mapped_column(String(200))
    operation_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    stays: Mapped[list["Stay"]] = relationship(back_populates="intake", order_by="Stay.id")

    __table_args__ = (
        CheckConstraint("agency IN ('satpol_pp', 'polres', 'polsek', 'dinsos', 'hospital', "
                        "'public', 'self')", name="agency"),
    )


class Stay(db.Model):
    """One admission of a client, from intake to exit. Open while exited_at is NULL."""
    __tablename__ = "stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Local (RPS_TIMEZONE) dates, written with the times: reports bucket by them in
    # plain SQL on any database, through the indexes below.
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    needs_isolation: Mapped[bool] = mapped_column(Boolean, default=False)
    screening: Mapped[dict] = mapped_column(JSON, default=dict)  # SCREENING_FLAGS -> bool
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exit_date: Mapped[date | None] = mapped_column(Date, index=True)
    exit_type: Mapped[str | None] = mapped_column(String(20))
    max_stay_days: Mapped[int | None] = mapped_column(Integer)  # set by an extension

    client: Mapped["Client"] = relationship(back_populates="stays")  # noqa: F821
    intake: Mapped[Intake] = relationship(back_populates="stays")
    assignments: Mapped[list["BedAssignment"]] = relationship(
        back_populates="stay", order_by="BedAssignment.start_at")
    belongings: Mapped[list["Belonging"]] = relationship(back_populates="stay",
                                                         order_by="Belonging.id")
    exit: Mapped["StayExit | None"] = relationship(back_populates="stay")

    __table_args__ = (
        # Rule 4: a client has at most one open stay (the database holds it too).
        Index("uq_stays_open_client", "client_id", unique=True,
              sqlite_where=OPEN, postgresql_where=OPEN),
        Index("ix_stays_open_entry_date", "entry_date",
              sqlite_where=STAY_OPEN_DATE, postgresql_where=STAY_OPEN_DATE),
        Index("ix_stays_long_exit_date", "exit_date",
              **longer_than(LONG_NIGHTS, "entry_date", "exit_date")),
        CheckConstraint("(exited_at IS NULL) = (exit_type IS NULL)", name="exit_complete"),
        CheckConstraint("(exited_at IS NULL) = (exit_date IS NULL)", name="exit_date"),
        CheckConstraint("exit_type IS NULL OR exit_type IN ('family', 'home_region', 'panti', "
                        "'balai', 'hospital', 'absconded', 'deceased', 'other')",
                        name="exit_type"),
        CheckConstraint("exited_at IS NULL OR exited_at >= entered_at", name="exit_after_entry"),
    )

    @property
    def is_open(self) -> bool:
        return self.exited_at is None

    @property
    def current_assignment(self) -> "BedAssignment | None":
        return next((a for a in self.assignments if a.end_at is None), None)


class BedAssignment(db.Model):
    """A stay in a bed from start_at to end_at (open while NULL): the dated bed history."""
    __tablename__ = "bed_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    bed_id: Mapped[int] = mapped_column(ForeignKey("beds.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    # Copied from the room and the client so that the database can check rule 1.
    room_sex: Mapped[str | None] = mapped_column(String(1))
    client_sex: Mapped[str] = mapped_column(String(1))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stay: Mapped[Stay] = relationship(back_populates="assignments")
    bed: Mapped["Bed"] = relationship()  # noqa: F821

    __table_args__ = (
        # Rule 2: a bed holds at most one open stay; and a stay is in one bed at a time.
        Index("uq_bed_assignments_open_bed", "bed_id", unique=True,
              sqlite_where=OPEN_ASSIGNMENT, postgresql_where=OPEN_ASSIGNMENT),
        Index("uq_bed_assignments_open_stay", "stay_id", unique=True,
              sqlite_where=OPEN_ASSIGNMENT, postgresql_where=OPEN_ASSIGNMENT),
        # Who sleeps in a room now (placement, bed board): without it SQLite reads every
        # past assignment of the room through ix_bed_assignments_room_id.
        Index("ix_bed_assignments_open_room", "room_id",
              sqlite_where=OPEN_ASSIGNMENT, postgresql_where=OPEN_ASSIGNMENT),
        Index("ix_bed_assignments_open_start_date", "start_date",
              sqlite_where=ASSIGNMENT_OPEN_DATE, postgresql_where=ASSIGNMENT_OPEN_DATE),
        Index("ix_bed_assignments_long_end_date", "end_date",
              **longer_than(LONG_NIGHTS, "start_date", "end_date")),
        # Rule 1: a shelter room's sex is the client's.
        CheckConstraint("room_sex IS NULL OR room_sex = client_sex", name="room_sex"),
        CheckConstraint("end_at IS NULL OR end_at >= start_at", name="end_after_start"),
    )


class Belonging(db.Model):
    """An item taken into safekeeping at intake; returned (checked off) at exit."""
    __tablename__ = "belongings"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stay: Mapped[Stay] = relationship(back_populates="belongings")

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)


class StayExit(db.Model):
    """How a stay ended: where the client went, with whom, and who escorted them."""
    __tablename__ = "stay_exits"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), unique=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    family_contact: Mapped[dict | None] = mapped_column(JSON)  # name, relation, address, phone
    escort_name: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    stay: Mapped[Stay] = relationship(back_populates="exit")
    institution: Mapped["Institution | None"] = relationship()  # noqa: F821


class IsolationDecision(db.Model):
    """Setting or clearing needs_isolation is a recorded decision: who, when, why."""
    __tablename__ = "isolation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    needs_isolation: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StayExtension(db.Model):
    """A stay allowed past the limit, with the recorded reason."""
    __tablename__ = "stay_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    max_stay_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseNote(db.Model):
    """A typed note on a stay. Never edited: a correction is a new note naming the old."""
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))

    __table_args__ = (
        CheckConstraint("kind IN ('initial_assessment', 'health', 'guidance', "
                        "'family_tracing', 'case_conference', 'incident')", name="kind"),
    )


class ServiceRecord(db.Model):
    """An SPM service component given to a client during a stay."""
    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    component: Mapped[int] = mapped_column(Integer)
    given_on: Mapped[date] = mapped_column(Date, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("component BETWEEN 1 AND 11", name="component"),)
