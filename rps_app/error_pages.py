"""How a refused or failed request is answered: a JSON error body under /api/, else an
HTML page (or, for a refused form, the page it came from with the messages flashed).
A signed-in user's refusal is audited."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from .audit.services import record
from .errors import DomainError, http_message, is_api_request, json_error
from .web import current_actor


def audit_refusal(status: int, code: str) -> None:
    """A signed-in user's refused request leaves an audit entry that survives the rollback
    (contract.md: a failed request writes no business data, but its audit entry). The path
    holds ids only; the query string (a search may hold a name) is left out."""
    if status == 401 or status >= 500 or not current_user or not current_user.is_authenticated:
        return
    record(current_actor(), "refused", "request", None,
           {"method": request.method, "path": request.path, "status": status, "code": code},
           keep_on_failure=True)


def handle_domain_error(error: DomainError):
    g.request_failed = True  # a redirect after a refused form must not commit
    audit_refusal(error.status, error.code)
    if is_api_request():
        return json_error(error.status, error.code, error.message, error.fields)
    if error.status in (401,):
        # Back to this page after login (GET only: a form post cannot be replayed).
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target) if target and target != "/" else "/login")
    if error.status in (403, 404, 429):
        return render_template("errors/error.html", status=error.status,
                               message=error.message), error.status
    # A form error: tell the officer and send them back to the page they came from.
    flash(error.message, "error")
    for field, message in error.fields.items():
        flash(f"{field}: {message}", "error")
    return redirect(request.referrer or "/"), 303


def handle_http_error(error: HTTPException):
    status = error.code or 500
    code, message = http_message(status)
    if status == 400 and getattr(error, "description", None) and "CSRF" in str(error.description):
        code, message = "csrf_failed", _("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")
    audit_refusal(status, code)
    if is_api_request():
        return json_error(status, code, message)
    return render_template("errors/error.html", status=status, message=message), status


def handle_unexpected(error: Exception):
    from flask import current_app
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(_InternalError())


class _InternalError(HTTPException):
    code = 500


def init_app(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.config.get("PROPAGATE_EXCEPTIONS") and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
