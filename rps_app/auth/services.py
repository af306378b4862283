"""Accounts: creating users, passwords (scrypt), login with throttling, API tokens.

Services never read the request: views pass an Actor (who acts, from which address).
"""
import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, text
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..audit import services as audit
from ..audit.services import Actor
from ..errors import Conflict, NotAuthenticated, TooManyAttempts, ValidationError, found
from ..extensions import db
from ..reads import Query, rows
from .loaders import token_digest
from .models import AccessGrant, ApiToken, LoginFailure, User
from .permissions import ROLES, Permission, role_can

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
LANGUAGES = ("id", "en")
# Checked against when the username is unknown, so that a wrong username takes as long as
# a wrong password (the answer time does not tell which usernames exist).
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    # RPS_PASSWORD_HASH (e.g. "scrypt:1024:8:1") lets a test suite use cheaper scrypt
    # parameters; installations keep Werkzeug's default scrypt cost.
    return generate_password_hash(password,
                                  method=current_app.config.get("RPS_PASSWORD_HASH", "scrypt"))


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("Kata sandi terlalu pendek.",
                              {field: f"Minimal {MIN_PASSWORD_LENGTH} karakter."})


def _check_new_password(password: str, confirm: str, field: str) -> None:
    check_password_rules(password, field)
    if password != confirm:
        raise ValidationError("Konfirmasi kata sandi tidak sama.",
                              {"confirm_password": "Harus sama dengan kata sandi baru."})


def any_user() -> bool:
    return db.session.scalar(select(exists().where(User.id.isnot(None))))


def _normalise(username: str | None) -> str:
    return (username or "").strip()


def find_user(username: str) -> User | None:
    """Usernames are unique regardless of case."""
    return db.session.scalar(select(User).where(
        func.lower(User.username) == _normalise(username).lower()))


def _check_user_fields(full_name: str, nip: str | None, role: str) -> dict:
    fields = {}
    if len(full_name or "") > 120:
        fields["full_name"] = "Nama lengkap terlalu panjang (maks. 120)."
    if nip and len(nip) > 30:
        fields["nip"] = "NIP terlalu panjang (maks. 30)."
    if role not in ROLES:
        fields["role"] = "Peran harus salah satu dari: " + ", ".join(ROLES) + "."
    return fields


def create_user(actor, username: str, password: str, role: str, full_name: str = "",
                nip: str | None = None, must_change_password: bool = False) -> User:
    username = _normalise(username)
    full_name, nip = (full_name or "").strip(), (nip or "").strip() or None
    fields = _check_user_fields(full_name, nip, role)
    if not username:
        fields["username"] = "Nama pengguna wajib diisi."
    elif len(username) > 80:
        fields["username"] = "Nama pengguna terlalu panjang (maks. 80)."
    elif any(ch.isspace() for ch in username):
        fields["username"] = "Nama pengguna tidak boleh mengandung spasi."
    if fields:
        raise ValidationError("Data pengguna tidak valid.", fields)
    check_password_rules(password)
    if find_user(username) is not None:
        raise Conflict("Nama pengguna sudah dipakai.", {"username": "Nama pengguna sudah dipakai."},
                       code="username_taken")
    user = User(username=username, full_name=full_name or username, nip=nip, role=role,
                password_hash=hash_password(password), active=True, session_version=1, token_version=1,
                must_change_password=must_change_password, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, {"username": username, "role": role})
    _note_access_grant(actor, user, None)
    return user


# --- login and throttling -------------------------------------------------------------
#
# contract.md, "Safety rules added": 5 failures for one username from one address within 15
# minutes refuse that pair (429); 20 failures from one address refuse the address for any
# username. The right user from another address is never locked out by a stranger.
#
# Each attempt is claimed before the password is checked: under a lock per client address
# (SQLite: the write lock every transaction takes; PostgreSQL: an advisory lock), the
# failures in the window are counted and, when there is room, a row is inserted and
# committed at once. The row is the attempt's failure unless the password turns out right
# (then the pair's rows are deleted). So a burst of parallel attempts gets exactly 5 tries:
# the sixth counts five committed rows, whatever the timing.

def _window_start() -> datetime:
    return clock.now() - timedelta(minutes=current_app.config["RPS_LOGIN_WINDOW_MINUTES"])


def user_key(username: str | None) -> str:
    """The username as stored for throttling: HMAC-SHA256 with SECRET_KEY, never in clear."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    name = _normalise(username).lower().encode("utf-8", "surrogatepass")
    return hmac.new(secret, name, hashlib.sha256).hexdigest()


def _address(actor: Actor) -> str:
    return (actor.ip or "unknown")[:64]


def _lock_address(address: str) -> None:
    """Serialise the attempts from one address (SQLite's write lock already does)."""
    if db.session.get_bind().dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(b"login:" + address.encode()).digest()[:8],
                                "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def recent_failures(key: str, address: str) -> tuple[int, int]:
    """(failures of this pair, failures from this address) inside the window."""
    since = _window_start()
    pair = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.user_key == key, LoginFailure.ip == address, LoginFailure.at > since))
    everyone = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.ip == address, LoginFailure.at > since))
    return pair, everyone


def _claim_attempt(key: str, address: str) -> None:
    """Count, then record this attempt as a failure, committed on its own (see above);
    TooManyAttempts when the pair or the address is over its limit."""
    config = current_app.config
    _lock_address(address)
    pair, everyone = recent_failures(key, address)
    if pair >= config["RPS_LOGIN_MAX_FAILURES"] or everyone >= config["RPS_LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        db.session.rollback()
        log.warning("login refused (throttled) from %s", address)
        raise TooManyAttempts("Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.")
    db.session.add(LoginFailure(user_key=key, at=clock.now(), ip=address))
    db.session.commit()  # the claim holds even when this request fails later


def _record_failure(actor: Actor, user: User | None, reason: str) -> None:
    """Audit a failed login (kept through the rollback). The typed username is neither
    logged nor stored: a known account is named by its id, an unknown name not at all."""
    who = Actor(user_id=None, username=user.username if user else None, ip=actor.ip)
    audit.record(who, "login_failed", "user", user.id if user else None, {"reason": reason},
                 keep_on_failure=True)
    log.warning("login failed from %s (%s)", actor.ip, reason)


def authenticate(actor: Actor, username: str, password: str) -> User:
    """The user with these credentials, or NotAuthenticated / TooManyAttempts.

    `actor` carries the client's address (no user yet). The password is never logged.
    """
    username = _normalise(username)
    key, address = user_key(username), _address(actor)
    _claim_attempt(key, address)
    user = find_user(username) if username else None
    password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not password_ok or not user.active:
        reason = ("unknown_user" if user is None else
                  "wrong_password" if not password_ok else "inactive")
        _record_failure(actor, user, reason)
        raise NotAuthenticated("Nama pengguna atau kata sandi salah.")
    # A success ends the pair's run of failures (this attempt's claim included), so that
    # old typos do not count against a later one.
    db.session.execute(delete(LoginFailure).where(LoginFailure.user_key == key,
                                                  LoginFailure.ip == address))
    audit.record(actor_for(user, actor), "login", "user", user.id)
    return user


def actor_for(user: User, actor: Actor) -> Actor:
    return Actor(user_id=user.id, username=user.username, ip=actor.ip, role=user.role)


def end_sessions(user: User) -> None:
    """Every session cookie and API token of this user stops working."""
    user.session_version = (user.session_version or 1) + 1
    user.token_version = (user.token_version or 1) + 1
    db.session.flush()


def logout(actor: Actor, user: User) -> None:
    """End the user's web sessions; API tokens live on until they expire or are revoked."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()
    audit.record(actor, "logout", "user", user.id)


# --- API tokens -------------------------------------------------------------------------

def issue_token(actor: Actor, user: User) -> tuple[str, datetime]:
    """A new bearer token (returned once, stored as its sha256) and its expiry."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    expires_at = now + timedelta(hours=current_app.config["RPS_TOKEN_HOURS"])
    db.session.add(ApiToken(user_id=user.id, token_hash=token_digest(token),
                            token_version=user.token_version, created_at=now,
                            expires_at=expires_at))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.expires_at <= now))
    audit.record(actor, "token_issued", "user", user.id)
    return token, expires_at


def revoke_token(actor: Actor, token: str) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    audit.record(actor, "token_revoked", "user", actor.user_id)


# --- own account ------------------------------------------------------------------------

def change_password(actor: Actor, user: User, current: str, new: str, confirm: str) -> None:
    """Change one's own password; every other session and token of the user dies."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError("Kata sandi saat ini salah.",
                              {"current_password": "Kata sandi saat ini salah."})
    _check_new_password(new, confirm, "new_password")
    if check_password_hash(user.password_hash, new):
        raise ValidationError("Kata sandi baru harus berbeda.",
                              {"new_password": "Harus berbeda dari kata sandi saat ini."})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    audit.record(actor, "password_changed", "user", user.id)


def set_language(actor: Actor, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationError("Bahasa tidak dikenal.", {"language": "Pilih id atau en."})
    if user.language != language:
        audit.record(actor, "update", "user", user.id, {"language": [user.language, language]})
        user.language = language
        db.session.flush()


# --- administration ---------------------------------------------------------------------

def users_query(q: str | None = None, include_inactive: bool = True):
    """A select of users by username, full name or NIP, active first then by username."""
    stmt = select(User).order_by(User.active.desc(), func.lower(User.username))
    q = (q or "").strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like),
                              func.lower(User.full_name).like(like),
                              func.lower(func.coalesce(User.nip, "")).like(like)))
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    return stmt


def get_user(user_id: int) -> User:
    return found(db.session.get(User, user_id), "Pengguna tidak ditemukan.")


def _keep_an_admin(user: User) -> None:
    """Refuse to leave the installation without an active administrator."""
    if user.role != "admin" or not user.active:
        return
    others = db.session.scalar(select(func.count(User.id)).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))
    if not others:
        raise Conflict("Harus ada minimal satu administrator aktif.",
                       code="last_admin")


def update_user(actor: Actor, user: User, full_name: str, nip: str | None, role: str) -> None:
    full_name, nip = (full_name or "").strip(), (nip or "").strip() or None
    fields = _check_user_fields(full_name, nip, role)
    if not full_name:
        fields["full_name"] = "Nama lengkap wajib diisi."
    if fields:
        raise ValidationError("Data pengguna tidak valid.", fields)
    if role != user.role:
        _keep_an_admin(user)
        if user.id == actor.user_id:  # separation of duties: no one raises their own access
            message = "Anda tidak dapat mengubah peran akun Anda sendiri."
            raise Conflict(message, {"role": message}, code="own_account")
    previous_role = user.role
    changes = {name: [getattr(user, name), value]
               for name, value in (("full_name", full_name), ("nip", nip), ("role", role))
               if getattr(user, name) != value}
    if not changes:
        return
    for name, (_, value) in changes.items():
        setattr(user, name, value)
    db.session.flush()
    audit.record(actor, "update", "user", user.id, changes)
    if "role" in changes:
        _note_access_grant(actor, user, previous_role)


# --- access reviews (separation of duties) --------------------------------------------

def _note_access_grant(actor: Actor, user: User, previous_role: str | None) -> None:
    """An account that now reads client records and did not before waits for the head's
    acknowledgement (the first administrator's own setup by `rps init` needs none)."""
    reads = role_can(user.role, Permission.CLIENTS_READ)
    read_before = previous_role is not None and role_can(previous_role, Permission.CLIENTS_READ)
    if not reads or read_before:
        return
    db.session.add(AccessGrant(user_id=user.id, role=user.role, previous_role=previous_role,
                               granted_by_id=actor.user_id, granted_by=actor.username,
                               granted_at=clock.now()))
    db.session.flush()


PENDING_GRANTS = Query("pending_access_grants", lambda param: rows(
    select(AccessGrant.id, AccessGrant.role, AccessGrant.previous_role, AccessGrant.granted_by,
           AccessGrant.granted_at, User.username, User.full_name)
    .join(User, User.id == AccessGrant.user_id)
    .where(AccessGrant.acknowledged_at.is_(None)),
    order_by=(AccessGrant.granted_at, AccessGrant.id)))


def pending_access_grants(reads):
    """Asks `reads` (rps_app.reads) for the grants not yet acknowledged, oldest first, each
    with the account's username and full name."""
    return reads.ask(PENDING_GRANTS)


def acknowledge_access_grant(actor: Actor, grant_id: int) -> AccessGrant:
    grant = found(db.session.get(AccessGrant, grant_id), "Pemberian akses tidak ditemukan.")
    if grant.acknowledged_at is not None:
        raise Conflict("Pemberian akses ini sudah diketahui.", code="already_acknowledged")
    grant.acknowledged_at = clock.now()
    grant.acknowledged_by_id = actor.user_id
    db.session.flush()
    audit.record(actor, "acknowledge", "access_grant", grant.id,
                 {"user_id": grant.user_id, "role": grant.role})
    return grant


def set_active(actor: Actor, user: User, active: bool) -> None:
    """Deactivate (never delete) or reactivate. Deactivation ends every session and token."""
    if user.active == active:
        return
    if not active:
        if user.id == actor.user_id:
            raise Conflict("Anda tidak dapat menonaktifkan akun Anda sendiri.",
                           code="own_account")
        _keep_an_admin(user)
        end_sessions(user)
    user.active = active
    db.session.flush()
    audit.record(actor, "activate" if active else "deactivate", "user", user.id)


def reset_password(actor: Actor, user: User, password: str, confirm: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _check_new_password(password, confirm, "password")
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user)
    audit.record(actor, "password_reset", "user", user.id)
