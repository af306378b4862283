from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class IdempotencyKey(db.Model):
    """A POST claimed under a key (the API's Idempotency-Key header, or a form's one-time
    key), and once it succeeded its answer, to give again to a repeat of the same key by
    the same user within 24 hours. The row is inserted before the work runs: a concurrent
    duplicate meets the unique (user_id, key) and waits for, then replays, the first."""
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(80))            # "api:<key>" or "form:<key>"
    fingerprint: Mapped[str] = mapped_column(String(64))    # sha256 of method, path, body
    status: Mapped[int | None] = mapped_column(Integer)     # None while the first runs
    body: Mapped[str | None] = mapped_column(Text)          # the answer (API) or Location (form)
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_id_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )
