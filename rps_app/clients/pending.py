"""Photos attached to an intake form that was refused, kept for the next submit.

A refused submit rolls the intake back, and a browser never sends a chosen file again
with the re-rendered page. The photo is therefore kept in the instance folder under an
unguessable token that the page carries in a hidden field; the next submit takes it from
there. Kept files older than a day are removed whenever another one is kept.
"""
import os
import re
import secrets
import time

from flask import current_app

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
KEEP_SECONDS = 24 * 3600


def _folder() -> str:
    return os.path.join(current_app.instance_path, "uploads", "pending")


def _path(token: str) -> str | None:
    return os.path.join(_folder(), token) if TOKEN_RE.match(token or "") else None


def keep(data: bytes) -> str:
    """Store `data`; returns its token."""
    folder = _folder()
    os.makedirs(folder, exist_ok=True)
    _remove_old(folder)
    token = secrets.token_urlsafe(32)
    with open(os.path.join(folder, token), "xb") as handle:
        handle.write(data)
    return token


def load(token: str) -> bytes | None:
    """The kept photo of `token`, or None (unknown, expired or malformed token)."""
    path = _path(token)
    if path is None or not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        return handle.read()


def discard(token: str) -> None:
    path = _path(token)
    if path is not None and os.path.isfile(path):
        os.remove(path)


def _remove_old(folder: str) -> None:
    limit = time.time() - KEEP_SECONDS
    for entry in os.scandir(folder):
        if entry.is_file() and entry.stat().st_mtime < limit:
            try:
                os.remove(entry.path)
            except FileNotFoundError:  # another worker removed it first
                pass
