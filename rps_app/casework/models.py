"""Case work on a stay: the social assessment (asesmen), case conferences; the note on
why a client has no NIK (the data-quality page asks for one); and the name keys through
which duplicate suggestions find their candidates."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, Text
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


class ClientNameKey(db.Model):
    """A key of one word of a client's name (duplicates.stored_keys: the folded word, the
    word with one letter dropped, its consonant skeleton, a long word's first letter and
    length), so that a duplicate check finds its candidates through this index instead of
    reading every client. With the rest of what the match weighs, the client's sex, birth
    year (duplicates.born_year) and origin (as the match compares it, "" for none), so that
    a check ranks its candidates here and reads only the clients it shows. Kept in step
    with clients by duplicates (a flush listener: new clients, changed names, sexes, ages
    and origins; none for a record merged away); `rps demo-data` and revision 0015 write
    them in bulk. `word_no` is the word's place in the folded name and `words` the number of its
    words (for the every-word rule)."""
    __tablename__ = "client_name_keys"

    key: Mapped[str] = mapped_column(String(130), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True,
                                           index=True)
    word_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    words: Mapped[int] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(1))
    born: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(100))

    # SQLite keeps the rows in the primary key's order (no rowid), so a lookup by key reads
    # them where the key is. PostgreSQL keeps them in a heap: the lookup index carries
    # the columns a duplicate check weighs, so it reads the index alone (revision 0016;
    # the check on a common name read 9,000 heap pages at 100,000 stays).
    __table_args__ = (
        Index("ix_client_name_keys_lookup", "key",
              postgresql_include=["client_id", "word_no", "words", "sex", "born", "origin"],
              info={"only_on": "postgresql"}).ddl_if(dialect="postgresql"),
        {"sqlite_with_rowid": False})
