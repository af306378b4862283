"""DomainError and its kinds, and the JSON error body of the API.

Services raise DomainError; the API answers {"error": {"code", "message", "fields"}} with
the status of the kind. At the bottom of the layers: it imports nothing of the app.
The handlers that turn errors into answers are `error_pages`.
"""
from flask import jsonify, request
from flask_babel import lazy_gettext as _l


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


def http_message(status: int) -> tuple[str, str]:
    code, message = HTTP_CODES.get(status, ("error", _l("Terjadi kesalahan.")))
    return code, str(message)
