"""One transaction per request (and per CLI command or job).

Services only flush. The request commits once when it succeeds and rolls back when it fails
(any status >= 400 or an exception), so a failed request leaves no business data behind.
Some rows must survive a failure (the audit entry of a refused action, a failed login):
services hand them to `keep_on_failure`, and they are written after the rollback.
"""
from collections.abc import Callable

from flask import g
from sqlalchemy.exc import IntegrityError, OperationalError

from .extensions import db


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


def _write_kept_rows() -> None:
    makers = g.pop("rows_kept_on_failure", [])
    if not makers:
        return
    for make in makers:
        db.session.add(make())
    db.session.commit()


def finish(success: bool) -> None:
    """Commit or roll back the unit of work; on failure write the rows kept on failure."""
    _run_before_finish()
    if success:
        db.session.commit()
        g.pop("rows_kept_on_failure", None)
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
