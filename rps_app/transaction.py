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
from collections.abc import Callable

from flask import current_app, g, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

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
    """Rows made anew and committed in a write transaction of their own: one INSERT for
    the rows of each table (an executemany: nobody reads their ids back), so a page that
    audits several parts it showed still sends one statement for them."""
    if not makers:
        return
    g.write_transaction = True
    by_model: dict[type, list[dict]] = {}
    for make in makers:
        row = make()
        state = inspect(row)
        by_model.setdefault(type(row), []).append(
            {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs
             if attr.key in state.dict})
    for model, values in by_model.items():
        db.session.execute(insert(model).execution_options(render_nulls=True), values)
    db.session.commit()


def _write_kept_rows() -> None:
    g.pop("rows_after_read", None)
    _write_rows(g.pop("rows_kept_on_failure", []))


def finish(success: bool) -> None:
    """Commit or roll back the unit of work; on failure write the rows kept on failure."""
    _run_before_finish()
    if success:
        db.session.commit()
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

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class ReadOnlyTransaction(RuntimeError):
    """A statement that writes was sent in a read transaction (a GET request): the view
    must call transaction.start_writing() first, or be marked @transaction.writes."""


@event.listens_for(Engine, "begin")
def _begin(conn):
    """A transaction that may write takes SQLite's write lock up front (BEGIN IMMEDIATE); a
    read (GET/HEAD request, see transaction.writing) takes none: a deferred BEGIN in WAL
    mode reads a snapshot while writers go on.

    A deferred transaction that reads and then writes can fail with SQLITE_BUSY without
    waiting, or act on a stale read; IMMEDIATE serialises writers and waits busy_timeout.
    So a read transaction is never upgraded: a write sent in one is refused before it
    reaches the database (on PostgreSQL as well, so that tests on either database find it).
    """
    write = writing()
    conn.info["reading"] = not write
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes_while_reading(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get("reading") and statement.lstrip()[:6].upper() in _WRITE_VERBS:
        raise ReadOnlyTransaction(f"write in a read transaction: {statement[:60]}")
