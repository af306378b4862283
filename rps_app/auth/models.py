from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class User(UserMixin, db.Model):
    """A member of staff. Never deleted: deactivated, so the audit log keeps its names."""
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    nip: Mapped[str | None] = mapped_column(String(30))  # staff ID (NIP) for documents
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change and deactivation: every older session cookie
    # names an older version and stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped at password change, reset and deactivation (not at logout: an API client of
    # the same user must survive a web logout): older API tokens stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'kepala', 'petugas', 'staf')", name="role"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class LoginFailure(db.Model):
    """One failed (or still running) login, counted per (username, client address) and per
    address in a sliding window shared by all workers. The typed username is not stored:
    `user_key` is its HMAC with SECRET_KEY (a mistyped password or a NIK typed as a
    username must not end up in the database)."""
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 0.1 stored the typed username here; never written since (kept empty so that an
    # upgraded 0.1 database keeps every column).
    username: Mapped[str | None] = mapped_column(String(80))
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its sha256 is stored."""
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessGrant(db.Model):
    """An account given a role that reads client records (created so, or changed to it).
    Shown to the head of the RPS until acknowledged: an administrator, who may not read
    client records, cannot quietly give someone (or a second account) that access."""
    __tablename__ = "access_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    previous_role: Mapped[str | None] = mapped_column(String(20))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_by: Mapped[str | None] = mapped_column(String(80))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
