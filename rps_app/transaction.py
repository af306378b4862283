"""One transaction per request (and per CLI command or job).

Services only flush. The request commits once when it succeeds and rolls back when it fails
(any status >= 400 or an exception), so a failed request leaves no business data behind.
Some rows must survive a failure (the audit entry of a refused action, a failed login):
services hand them to `keep_on_failure`, and they are written after the rollback.

Reads and writes (SQLite's one write lock): a request that cannot change state (GET, HEAD,
OPTIONS) runs in a read transaction, which never takes the lock; every other request, CLI
command and job begins with it (BEGIN IMMEDIATE, extensions.py). A read that must record
something (the audit entry of a client record shown) hands the row to `after_read`: it is
written once the read transaction has ended, in a short write transaction of its own. A
GET that must write (the BAST's first print) calls `start_writing()` before it changes
anything, or its view is marked `@writes`; a read transaction is never upgraded.
"""
import fcntl
import os
import threading
from collections.abc import Callable

from flask import current_app, g, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.exc import IntegrityError, OperationalError

from .data_version import UNCOUNTED
from .extensions import db


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES_ATTR = "_rps_writes"


def writes(view):
    """Mark a GET view that changes state: its request runs in a write transaction."""
    setattr(view, _WRITES_ATTR, True)
    return view


def writing() -> bool:
    """Whether the transaction about to begin may write (outside requests: always)."""
    if not has_request_context() or g.get("write_transaction"):
        return True
    if request.method not in READ_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, _WRITES_ATTR, False))


def start_writing() -> None:
    """From now on this request writes: the read transaction (nothing written in it) ends
    and the next statement begins a write transaction. Objects loaded so far are expired
    and reload on access."""
    if writing():
        return
    db.session.rollback()
    g.write_transaction = True


def after_read(make_row: Callable[[], object], keep: bool = False) -> bool:
    """In a read transaction: write the row made by `make_row()` after it (on success, or
    also on failure when `keep`), and answer True. Otherwise False: the caller adds the
    row to the unit of work as usual."""
    if writing():
        return False
    g.setdefault("rows_after_read", []).append(make_row)
    if keep:
        keep_on_failure(make_row)
    return True


def keep_on_failure(make_row: Callable[[], object]) -> None:
    """Write the row made by `make_row()` even if this request fails.

    On success the caller has already added its own row, so nothing extra happens; on
    failure the row is made anew after the rollback and committed on its own.
    """
    g.setdefault("rows_kept_on_failure", []).append(make_row)


def before_finish(callback: Callable[[], None]) -> None:
    """Run `callback()` once just before this request commits or rolls back (for rows that
    sum up the whole request, such as one audit entry for every name it showed)."""
    g.setdefault("before_finish", []).append(callback)


def _run_before_finish() -> None:
    for callback in g.pop("before_finish", []):
        callback()


def _write_rows(makers) -> None:
    """Rows made anew and committed in a write transaction of their own: one INSERT per
    table for all of them (one statement with every row; they are not read back), however
    many a page wrote (the audit entries of a client page: the read, the names shown...).
    Rows of one uncounted table (the audit log) are one statement, atomic by itself: on
    PostgreSQL it is sent without BEGIN and COMMIT around it (see _begin)."""
    if not makers:
        return
    g.write_transaction = True
    by_model: dict[type, list[dict]] = {}
    for make in makers:
        row = make()
        state = inspect(row)
        by_model.setdefault(type(row), []).append(
            {attr.key: getattr(row, attr.key) for attr in state.mapper.column_attrs
             if attr.key in state.dict})
    # Alone only when no change is counted: data_version's count must commit with it.
    g.one_statement = len(by_model) == 1 and all(
        model.__tablename__ in UNCOUNTED for model in by_model)
    try:
        for model, values in by_model.items():
            keys = set().union(*values)  # one column list: a missing value is NULL
            db.session.execute(insert(model.__table__).values(
                [{key: row.get(key) for key in keys} for row in values]))
        db.session.commit()
    finally:
        g.pop("one_statement", None)


def _write_kept_rows() -> None:
    g.pop("rows_after_read", None)
    _write_rows(g.pop("rows_kept_on_failure", []))


def finish(success: bool) -> None:
    """Commit or roll back the unit of work; on failure write the rows kept on failure."""
    _run_before_finish()
    if success:
        session = db.session()
        if request.method in READ_METHODS and not (session.new or session.dirty
                                                     or session.deleted):
            # A read: the page is rendered and nothing reads these objects again, so let
            # them go as they are (loaded, detached) rather than have this commit and the
            # next one expire each of them (the bed board: ~250 objects, ~9 % of the page).
            session.expunge_all()
        session.commit()
        g.pop("rows_kept_on_failure", None)
        _write_rows(g.pop("rows_after_read", []))
        return
    db.session.rollback()
    _write_kept_rows()


def init_app(app) -> None:
    from .errors import error_body, is_api_request

    @app.after_request
    def commit_or_rollback(response):
        if response.status_code >= 400 or g.get("request_failed"):
            finish(False)
            return response
        try:
            finish(True)
        except (IntegrityError, OperationalError):
            # A rule the database holds (unique open stay, free bed) refused what the
            # service allowed: another request won the race. Nothing was written.
            app.logger.warning("commit refused by the database", exc_info=True)
            finish(False)
            if is_api_request():
                response = app.response_class(
                    app.json.dumps(error_body("conflict", "Data telah berubah oleh permintaan lain. Coba lagi.")),
                    status=409, mimetype="application/json")
            else:
                response = app.response_class("Data telah berubah oleh permintaan lain. Muat ulang halaman.",
                                              status=409, mimetype="text/plain")
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            db.session.rollback()
            try:
                _write_kept_rows()
            except Exception:  # never mask the original error
                db.session.rollback()


# --- read and write transactions (every engine) ---------------------------------------

@event.listens_for(Engine, "begin")
def _begin(conn):
    """A transaction that may write takes SQLite's write lock up front (BEGIN IMMEDIATE); a
    read (GET/HEAD request, see transaction.writing) takes none: a deferred BEGIN in WAL
    mode reads a snapshot while writers go on.

    A deferred transaction that reads and then writes can fail with SQLITE_BUSY without
    waiting, or act on a stale read; IMMEDIATE serialises writers and waits busy_timeout.
    So a read transaction is never upgraded: a write sent in one is refused before it
    reaches the database (on PostgreSQL as well, so that tests on either database find it;
    data_version.py's statement listener refuses it).
    """
    write = writing()
    conn.info["reading"] = not write
    if conn.dialect.name == "postgresql":
        # READ COMMITTED gives each statement a snapshot of its own, in a transaction or
        # not: for a read, BEGIN and COMMIT are two round trips that buy nothing (a third
        # of a page served from the page cache). Set while no transaction is open; a
        # connection the caller made autocommit (CREATE DATABASE) is left as it is.
        # The same for a write of one statement (_write_rows): atomic by itself.
        alone = not write or (has_request_context() and g.get("one_statement"))
        dbapi_connection, info = conn.connection.dbapi_connection, conn.connection.info
        if alone and not dbapi_connection.autocommit:
            dbapi_connection.autocommit = info["rps_autocommit"] = True
        elif not alone and info.pop("rps_autocommit", False):
            dbapi_connection.autocommit = False
    if conn.dialect.name == "sqlite":
        if write:
            _wait_turn(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --- SQLite writers wait their turn ---------------------------------------------------------
# SQLite's busy handler polls for the write lock with growing sleeps (1 ms up to 100 ms):
# under a steady stream of writes a waiting writer keeps missing the moment it is free, so
# a few requests wait seconds while others pass (p99 of 1-2 s at four clients). Writers of
# every process and thread therefore first queue on an exclusive flock() of a file next
# to the database, which the kernel hands over the moment it is released, and hold it until
# their transaction ends; BEGIN IMMEDIATE then finds the database free. A writer that does
# not queue (another program) is still serialised by SQLite itself.

_turns = threading.local()  # how many queue turns this thread holds


def _wait_turn(conn) -> None:
    info = conn.connection.info  # per DB-API connection, kept while it sits in the pool
    path = info.get("writer_queue")
    # A thread that already holds a turn (a write on a second connection inside the
    # first's transaction) does not queue behind itself: SQLite's busy timeout decides.
    if not path or getattr(_turns, "held", 0):
        return
    handle = info.get("writer_queue_fd")
    if handle is None:
        handle = info["writer_queue_fd"] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    info["writer_queue_held"] = True
    _turns.held = getattr(_turns, "held", 0) + 1


def _release(info: dict) -> None:
    if info.pop("writer_queue_held", False):
        _turns.held = max(0, getattr(_turns, "held", 0) - 1)
        fcntl.flock(info["writer_queue_fd"], fcntl.LOCK_UN)


def _end_turn(conn) -> None:
    if not conn.invalidated and not conn.closed:
        _release(conn.connection.info)


@event.listens_for(Engine, "commit")
def _after_commit_turn(conn):
    _end_turn(conn)


@event.listens_for(Engine, "rollback")
def _after_rollback_turn(conn):
    _end_turn(conn)


@event.listens_for(Engine, "connect")
def _queue_writers_on_connect(dbapi_connection, connection_record):
    """A file database's writers queue on `<database>-writers` (in-memory and URI
    databases have none)."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    for _, name, database in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and database and not database.startswith("file:"):
            connection_record.info["writer_queue"] = database + "-writers"
    cursor.close()


@event.listens_for(Pool, "close")
@event.listens_for(Pool, "invalidate")
def _close_queue_file(dbapi_connection, connection_record, *exception):
    """A closed or broken connection gives up its turn and its file."""
    _release(connection_record.info)
    handle = connection_record.info.pop("writer_queue_fd", None)
    if handle is not None:
        os.close(handle)
