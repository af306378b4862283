"""Accounts: creating users, passwords (scrypt), login with throttling, API tokens."""
from sqlalchemy import exists, func, select
from werkzeug.security import generate_password_hash

from .. import clock
from ..audit import services as audit
from ..errors import Conflict, ValidationError
from ..extensions import db
from .models import User
from .permissions import ROLES

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("Kata sandi terlalu pendek.",
                              {field: f"Minimal {MIN_PASSWORD_LENGTH} karakter."})


def any_user() -> bool:
    return db.session.scalar(select(exists().where(User.id.isnot(None))))


def create_user(actor, username: str, password: str, role: str, full_name: str = "",
                nip: str | None = None, must_change_password: bool = False) -> User:
    username = (username or "").strip()
    fields = {}
    if not username:
        fields["username"] = "Nama pengguna wajib diisi."
    elif len(username) > 80:
        fields["username"] = "Nama pengguna terlalu panjang (maks. 80)."
    if role not in ROLES:
        fields["role"] = "Peran harus salah satu dari: " + ", ".join(ROLES) + "."
    if fields:
        raise ValidationError("Data pengguna tidak valid.", fields)
    check_password_rules(password)
    taken = db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken:
        raise Conflict("Nama pengguna sudah dipakai.", {"username": "Nama pengguna sudah dipakai."},
                       code="username_taken")
    user = User(username=username, full_name=full_name or username, nip=nip, role=role,
                password_hash=hash_password(password), active=True, session_version=1,
                must_change_password=must_change_password, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, {"username": username, "role": role})
    return user
