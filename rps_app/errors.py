"""DomainError and its kinds, turned into a JSON error body or an HTML page.

Services raise DomainError; the API answers
{"error": {"code", "message", "fields"}} with the status of the kind.
"""
from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 422
    code = "validation_error"

    def __init__(self, message: str, fields: dict | None = None, code: str | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status


class ValidationError(DomainError):
    status, code = 422, "validation_error"


class Conflict(DomainError):
    status, code = 409, "conflict"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotAuthenticated(DomainError):
    status, code = 401, "not_authenticated"


class TooManyAttempts(DomainError):
    status, code = 429, "too_many_attempts"


class BadRequest(DomainError):
    status, code = 400, "bad_request"


def found(value, message: str, fields: dict | None = None):
    """`value`, or NotFound(message) when it is None: `found(db.session.get(...), "...")`."""
    if value is None:
        raise NotFound(message, fields)
    return value


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    return response


# Werkzeug's HTTP errors, named as the contract names them.
HTTP_CODES = {
    400: ("bad_request", _l("Permintaan tidak dapat dibaca.")),
    401: ("not_authenticated", _l("Silakan masuk terlebih dahulu.")),
    403: ("forbidden", _l("Anda tidak berwenang untuk tindakan ini.")),
    404: ("not_found", _l("Data atau halaman tidak ditemukan.")),
    405: ("method_not_allowed", _l("Metode permintaan tidak diizinkan.")),
    409: ("conflict", _l("Bertentangan dengan keadaan data saat ini.")),
    413: ("payload_too_large", _l("Kiriman terlalu besar.")),
    422: ("validation_error", _l("Isian tidak valid.")),
    429: ("too_many_attempts", _l("Terlalu banyak percobaan. Coba lagi nanti.")),
    500: ("internal_error", _l("Terjadi kesalahan pada server.")),
}


def _http_message(status: int) -> tuple[str, str]:
    code, message = HTTP_CODES.get(status, ("error", _l("Terjadi kesalahan.")))
    return code, str(message)


def audit_refusal(status: int, code: str) -> None:
    """A signed-in user's refused request leaves an audit entry that survives the rollback
    (contract.md: a failed request writes no business data, but its audit entry). The path
    holds ids only; the query string (a search may hold a name) is left out."""
    from flask_login import current_user

    if status == 401 or status >= 500 or not current_user or not current_user.is_authenticated:
        return
    from .audit.services import record
    from .web import current_actor
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
    code, message = _http_message(status)
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
