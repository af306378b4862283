"""One number that changes whenever the shelter's data changes (the page cache's key).

Every transaction of the session that changed a table other than the audit log adds 1 to
the single row of `data_version` as its last statement, just before it commits. Being last,
it holds that row's lock (PostgreSQL) only while it commits and asks for no lock after it,
so it cannot deadlock with the room and counter locks taken earlier; on SQLite the write
lock is held already. A reader that sees the new number therefore sees the new data too.

The audit log is left out on purpose: reads write it (every client record shown), and a
page read must not make every cached page stale. The same statement listener refuses a
write sent in a read transaction (transaction.py: a GET never upgrades to a write).

Writes that bypass the session (a raw engine connection: migrations, a restore) do not
count; the page cache's minute in its key bounds how long a page could miss them.
"""
import re

from sqlalchemy import BigInteger, event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db

ROW_ID = 1
# Tables whose writes do not change what a page shows (the audit log has its own page,
# which is never cached) and the version itself.
UNCOUNTED = frozenset({"audit_entries", "data_version"})

_CHANGE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)'
                     r'\s+"?(\w+)', re.IGNORECASE)
_SCHEMA = re.compile(r"\s*(?:CREATE|DROP|ALTER|TRUNCATE)\b", re.IGNORECASE)
_WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ReadOnlyTransaction(RuntimeError):
    """A statement that writes was sent in a read transaction (a GET request): the view
    must call transaction.start_writing() first, or be marked @transaction.writes."""


def written_table(statement: str) -> str | None:
    """The table a statement writes ("" when it writes but names none we can read, such as
    a schema change or a WITH that modifies), or None when it only reads."""
    match = _CHANGE.match(statement)
    if match:
        return match.group(1).lower()
    if _SCHEMA.match(statement):
        return ""
    if statement.lstrip()[:4].upper() == "WITH" and _WRITE_IN_WITH.search(statement):
        return ""
    return None


@event.listens_for(Engine, "before_cursor_execute")
def _watch_writes(conn, cursor, statement, parameters, context, executemany):
    table = written_table(statement)
    if table is None:
        return
    if conn.info.get("reading"):
        raise ReadOnlyTransaction(f"write in a read transaction: {statement[:60]}")
    if table not in UNCOUNTED:
        conn.info["data_changed"] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(conn):
    conn.info.pop("data_changed", None)


@event.listens_for(Session, "after_begin")
def _remember_connection(session, transaction, connection):
    session.info["data_connection"] = connection


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_connection(session):
    session.info.pop("data_connection", None)


@event.listens_for(Session, "before_commit")
def _bump_if_changed(session):
    """The last statement of a transaction that changed data: the version goes up."""
    connection = session.info.get("data_connection")
    if connection is None:
        return
    session.flush()  # commit would flush after this hook: the rows must count now
    if connection.closed or not connection.info.get("data_changed"):
        return
    connection.execute(update(DataVersion).where(DataVersion.id == ROW_ID)
                       .values(value=DataVersion.value + 1))
