from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
                        LargeBinary, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

INSTITUTION_KINDS = ("panti", "balai", "hospital", "dinsos", "other")
LETTER_KINDS = ("referral", "handover", "intake_bast", "referral_request")
EXIT_LETTER_KINDS = ("referral", "handover")
LETTER_STATUSES = ("valid", "replaced")
REFERRAL_STATUSES = ("sent", "accepted", "refused", "done")
REFUSAL_REASONS = ("over_capacity", "criteria", "documents", "other")

# One valid exit letter per stay; a stay may have many referral requests (letters too).
VALID = text("status = 'valid' AND kind IN ('referral', 'handover')")
PENDING_REFERRAL = text("status IN ('sent', 'accepted')")
VALID_BAST = text("status = 'valid' AND kind = 'intake_bast'")


class Institution(db.Model):
    """A panti, Balai, hospital or other Dinas Sosial that receives referred clients."""
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    # Seeded examples are marked so that an admin knows to check or retire them.
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("kind IN ('panti', 'balai', 'hospital', 'dinsos', 'other')", name="kind"),
    )


class Letter(db.Model):
    """An issued document: numbered once, its PDF kept byte for byte, never edited.

    A correction is a new letter (with a new number) naming the one it replaces; the
    replaced letter stays on file with status `replaced`, and its verification page says so.
    """
    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(120), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Everything printed, as it was when the letter was issued (JSON-safe values only).
    content: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # The secret part of the public verification address: random, not guessable.
    verify_code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="valid")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    replaces: Mapped["Letter | None"] = relationship(remote_side=[id],
                                                     back_populates="replaced_by")
    replaced_by: Mapped["Letter | None"] = relationship(back_populates="replaces")

    __table_args__ = (
        CheckConstraint("kind IN ('referral', 'handover', 'intake_bast', 'referral_request')",
                        name="kind"),
        CheckConstraint("status IN ('valid', 'replaced')", name="status"),
        CheckConstraint("sequence > 0", name="sequence"),
        CheckConstraint("(kind = 'intake_bast') = (intake_id IS NOT NULL)", name="intake_link"),
        CheckConstraint("(kind = 'intake_bast') = (stay_id IS NULL)", name="stay_link"),
        # One agenda book per year: a sequence number is used once.
        UniqueConstraint("year", "sequence", name="uq_letters_year_sequence"),
        # At most one valid exit letter per stay and one valid BAST per intake, even when
        # two requests race to issue the first one.
        Index("uq_letters_valid_stay", "stay_id", unique=True,
              sqlite_where=VALID, postgresql_where=VALID),
        Index("uq_letters_valid_intake", "intake_id", unique=True,
              sqlite_where=VALID_BAST, postgresql_where=VALID_BAST),
    )

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    def api_json(self) -> dict:
        """{id, number, pdf_url, verify_url}: the letter as the API names it (for instance
        in the exit answer, whose stays domain knows letters only by this)."""
        from .letters import letter_json
        return letter_json(self)

class Referral(db.Model):
    """A referral asked of an institution while the client is in residence: the request
    letter (surat permohonan rujukan) goes out, the institution answers (accepted, or
    refused with a reason), and an exit to that institution closes it (`done`).
    A refused client may be referred elsewhere: each ask is its own row."""
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)  # why the client is referred
    status: Mapped[str] = mapped_column(String(20), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_on: Mapped[date] = mapped_column(Date, index=True)  # local date: report ranges
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), unique=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_on: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(String(20))
    response_note: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    institution: Mapped[Institution] = relationship()
    letter: Mapped[Letter] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('sent', 'accepted', 'refused', 'done')", name="status"),
        CheckConstraint("refusal_reason IS NULL OR refusal_reason IN ('over_capacity', "
                        "'criteria', 'documents', 'other')", name="refusal_reason"),
        CheckConstraint("(status = 'refused') = (refusal_reason IS NOT NULL)",
                        name="refusal_has_reason"),
        CheckConstraint("(status = 'sent') = (responded_at IS NULL)", name="answered"),
        CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done"),
        CheckConstraint("responded_at IS NULL OR responded_at >= sent_at",
                        name="answer_after_ask"),
        # One pending ask per stay and institution (a second one waits for the answer).
        Index("uq_referrals_pending", "stay_id", "institution_id", unique=True,
              sqlite_where=PENDING_REFERRAL, postgresql_where=PENDING_REFERRAL),
    )
