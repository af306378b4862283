"""Case work on a stay: the social assessment (asesmen), case conferences; and the note on
why a client has no NIK (the data-quality page asks for one)."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime

# The parts of the structured assessment form, in the order the form shows them.
ASSESSMENT_PARTS = ("situation", "health", "family_origin", "needs", "plan")
ASSESSMENT_HOURS = 24  # expected within 24 hours of arrival (domain.md: triage)


class Assessment(db.Model):
    """The social assessment of one stay. Edited in place while the stay lasts; every save
    is audited with the parts it changed."""
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), unique=True)
    situation: Mapped[str] = mapped_column(Text)      # situasi saat ditemukan / kondisi kini
    health: Mapped[str] = mapped_column(Text)         # kesehatan fisik dan mental
    family_origin: Mapped[str] = mapped_column(Text)  # keluarga dan daerah asal
    needs: Mapped[str] = mapped_column(Text)          # kebutuhan
    plan: Mapped[str] = mapped_column(Text)           # rencana intervensi / rujukan
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first saved
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseConference(db.Model):
    """A case conference (konferensi kasus) on a stay: when, who took part, what was decided."""
    __tablename__ = "case_conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NikNote(db.Model):
    """Why a client has no NIK (e.g. "tidak membawa KTP, menunggu pencocokan Disdukcapil")."""
    __tablename__ = "nik_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    note: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
