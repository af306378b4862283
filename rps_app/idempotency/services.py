"""Idempotent POSTs (contract.md, "Safety rules added").

Every POST under /api/v1 may carry `Idempotency-Key` (1-64 characters); a page form that
creates records carries a one-time key in the hidden field `idempotency_key`. The first
request with a key claims it (inserts its row in the request's transaction) before its
view runs; when it succeeds its answer is stored in that row and committed with the work.
A repeat by the same user within 24 hours gets the stored answer and does nothing more:
the same status and body (API), or a redirect to the page the first one led to (form). A
failed request (>= 400) rolls its claim back with everything else, so it may be retried.

Concurrent duplicates: SQLite runs writing transactions one at a time (BEGIN IMMEDIATE),
so the second sees the first's committed row; on PostgreSQL the second insert of the same
(user, key) waits for the first transaction and then fails on the unique constraint, and
the answer is read after it.
"""
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..scheduling import Job
from ..errors import Conflict, ValidationError
from ..extensions import db
from .models import IdempotencyKey

LIFETIME = timedelta(hours=24)
HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# Visible ASCII only: the key is echoed nowhere, but it is stored and compared as text.
_KEY = re.compile(r"[\x21-\x7e]{1,64}")


@dataclass(frozen=True)
class Stored:
    status: int
    body: str | None
    content_type: str | None


def check_key(key: str, field: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValidationError(f"{field} harus 1 sampai 64 karakter ASCII yang terlihat.",
                              {field: "1 sampai 64 karakter ASCII (tanpa spasi)."})


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.created_at > clock.now() - LIFETIME))


def _answer(row: IdempotencyKey) -> Stored:
    """The first answer, whatever the repeat carries (contract.md: the same key answers the
    first answer again and does nothing more); the row keeps the first request's
    fingerprint for whoever investigates a reused key."""
    if row.status is None:  # only while the first is still running in this very process
        raise Conflict("Permintaan dengan kunci ini masih diproses.",
                       code="idempotency_key_in_use")
    return Stored(row.status, row.body, row.content_type)


def claim(user_id: int, key: str, print_: str) -> IdempotencyKey | Stored:
    """The new claim row (run the request, then `finish` it), or the first request's stored
    answer."""
    row = _find(user_id, key)
    if row is not None:
        return _answer(row)
    now = clock.now()
    remove_expired(now)  # also on write: a claim never meets an expired row of its key
    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=print_, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a concurrent duplicate committed first (PostgreSQL)
        row = _find(user_id, key)
        if row is None:
            raise Conflict("Permintaan dengan kunci ini masih diproses.",
                           code="idempotency_key_in_use") from None
        return _answer(row)
    return row


def finish(row: IdempotencyKey, status: int, body: str | None, content_type: str | None) -> None:
    """Store a successful answer in the claim (committed with the request's work)."""
    row.status, row.body, row.content_type = status, body, content_type
    db.session.flush()


def remove_expired(now=None) -> int:
    """Delete the keys older than 24 hours (an index on created_at keeps it cheap)."""
    now = now or clock.now()
    return db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at <= now - LIFETIME)).rowcount


def run_cleanup(occurrence=None) -> dict:
    """The scheduled job: expired keys (and the answers they hold) go every night."""
    return {"removed": remove_expired(occurrence.fire if occurrence is not None else None)}


CLEANUP_JOB = Job("idempotency-keys", hour=3, minute=30, catch_up_days=1, run=run_cleanup)
