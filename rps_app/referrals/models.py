from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime

INSTITUTION_KINDS = ("panti", "balai", "hospital", "dinsos", "other")


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
