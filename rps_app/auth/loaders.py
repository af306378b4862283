"""How a request is tied to a user: session cookie for pages, bearer token for the API."""
import hashlib
from functools import lru_cache

from flask import g, request
from sqlalchemy import bindparam, select

from .. import clock
from ..data_version import ROW_ID, DataVersion
from ..errors import NotAuthenticated
from ..extensions import db, login_manager
from .models import ApiToken, User


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=1)
def _user_and_version():
    """Built once: every request runs it (building it was a tenth of a page served from
    the page cache)."""
    return (select(User, DataVersion.value).outerjoin(DataVersion, DataVersion.id == ROW_ID)
            .where(User.id == bindparam("user_id")))


def user_and_data_version(user_id: int) -> User | None:
    """The user, with the data version read by the same statement (g.data_version, the
    page cache's key: rps_app/page_cache.py) rather than by a statement of its own."""
    row = db.session.execute(_user_and_version(), {"user_id": user_id}).first()
    if row is None:
        return None
    g.data_version = row.value
    return row.User


@login_manager.user_loader
def load_user_from_session(cookie_id: str):
    # The API authenticates by bearer token only: a browser's cookie is ambient
    # authority, and the API is exempt from CSRF.
    if request.path.startswith("/api/"):
        return None
    try:
        user_id, version = (int(part) for part in cookie_id.split(":"))
    except ValueError:
        return None
    user = user_and_data_version(user_id)
    # A cookie from before logout, a password change or deactivation names an older version.
    if user is None or not user.active or user.session_version != version:
        return None
    return user


@login_manager.request_loader
def load_user_from_bearer(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == token_digest(header[7:].strip())))
    if token is None or token.expires_at <= clock.now():
        return None
    user = user_and_data_version(token.user_id)
    if user is None or not user.active or user.token_version != token.token_version:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    raise NotAuthenticated("Silakan masuk terlebih dahulu.")
