from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

# A client whose NIK is still missing (and who is no merged pointer): the data-quality
# page (casework/quality.py) lists them newest first through the partial index below.
MISSING_NIK = text("nik IS NULL AND merged_into_id IS NULL")

def age_from(birth_date: date | None, estimated_age: int | None,
             estimated_on: date | None, day: date) -> int:
    """Age in whole years on `day`: from the birth date, else the estimate grown by the
    years since it was made (for plain rows as well as clients)."""
    if birth_date is not None:
        years = day.year - birth_date.year
        if (day.month, day.day) < (birth_date.month, birth_date.day):
            years -= 1
        return years
    base = estimated_on or day
    return (estimated_age or 0) + max(0, day.year - base.year
                                      - ((day.month, day.day) < (base.month, base.day)))


class Client(db.Model):
    """A person received by the RPS, once; every admission of theirs is a Stay.

    Never deleted. Identity may be unknown at intake (`name` is then an alias) and be
    completed later; every change is recorded field by field in the audit log.
    """
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))  # the name, or an alias when unknown
    identity_known: Mapped[bool] = mapped_column(Boolean, default=False)
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    estimated_age: Mapped[int | None] = mapped_column(Integer)
    age_estimated_on: Mapped[date | None] = mapped_column(Date)  # the estimate's date
    birth_place: Mapped[str | None] = mapped_column(String(100))
    origin_regency: Mapped[str | None] = mapped_column(String(100))
    origin_address: Mapped[str | None] = mapped_column(String(300))
    pmks_category: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)  # physical description
    guardian: Mapped[str | None] = mapped_column(String(200))  # for children, disabled persons
    photo_path: Mapped[str | None] = mapped_column(String(200))  # under the instance folder
    # Set when the head merged this record into another (a duplicate): the record stays as
    # a pointer, hidden from lists and search; its stays now belong to that client.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    # Retention (UU 27/2022): when the record was anonymised, and the birth year it keeps.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    stays: Mapped[list["Stay"]] = relationship(  # noqa: F821
        back_populates="client", order_by="Stay.entered_at")

    __table_args__ = (
        CheckConstraint("sex IN ('L', 'P')", name="sex"),
        CheckConstraint("pmks_category BETWEEN 1 AND 26", name="pmks_category"),
        CheckConstraint("birth_date IS NOT NULL OR estimated_age IS NOT NULL", name="age_known"),
        CheckConstraint("estimated_age IS NULL OR estimated_age BETWEEN 0 AND 130",
                        name="estimated_age"),
        # Name search (migration 0010): PostgreSQL a trigram GIN index; SQLite this B-tree
        # (prefixes) and the FTS5 trigram table clients_fts kept by triggers (substrings).
        Index("ix_clients_name", "name", postgresql_using="gin",
              postgresql_ops={"name": "gin_trgm_ops"}),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_self_merged"),
        # The data-quality page's newest clients without a NIK (revision 0014): else it
        # reads and sorts every such client (most of them: walk-ins bring no papers).
        Index("ix_clients_missing_nik", "created_at", "id",
              sqlite_where=MISSING_NIK, postgresql_where=MISSING_NIK),
    )

    def age_on(self, day: date) -> int:
        """Age in whole years on `day`, from the birth date or the dated estimate."""
        return age_from(self.birth_date, self.estimated_age, self.age_estimated_on, day)

    def is_minor_on(self, day: date) -> bool:
        return self.age_on(day) < 18
