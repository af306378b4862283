"""Idempotent POSTs: the API's Idempotency-Key header and the page forms' one-time key."""
import uuid

from flask import Flask, flash, g, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import is_api_request
from . import services


def new_key() -> str:
    """A one-time key for a form (templates: {{ once_field() }} in _macros.html)."""
    return uuid.uuid4().hex


def _request_key() -> tuple[str, str, bool] | None:
    """(stored key, field name, is it the API) of this request, or None when it has none."""
    if request.method != "POST":
        return None
    if is_api_request():
        key = request.headers.get(services.HEADER)
        return None if key is None else ("api:" + key, services.HEADER, True)
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    key = request.form.get(services.FORM_FIELD)
    return None if not key else ("form:" + key, services.FORM_FIELD, False)


def before_request():
    found = _request_key()
    if found is None or not current_user.is_authenticated:
        return None  # no key, or a 401 is coming anyway
    key, field, api = found
    services.check_key(key.split(":", 1)[1], field)
    body = request.get_data(cache=True) if api else b""
    result = services.claim(current_user.id, key,
                            services.fingerprint(request.method, request.path, body))
    if isinstance(result, services.Stored):
        return _replay(result, api)
    g.idempotency_claim = result
    return None


def _replay(stored: services.Stored, api: bool):
    if api:
        from flask import current_app
        response = current_app.response_class(stored.body or "", status=stored.status,
                                              content_type=stored.content_type)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    flash(_("Formulir ini sudah disimpan sebelumnya; berikut hasilnya."), "info")
    return redirect(stored.body or request.referrer or "/", 303)


def after_request(response):
    row = g.pop("idempotency_claim", None)
    if row is None or response.status_code >= 400 or g.get("request_failed"):
        return response  # a failed request rolls its claim back with everything else
    if is_api_request():
        services.finish(row, response.status_code, response.get_data(as_text=True),
                        response.content_type)
    else:
        services.finish(row, response.status_code, response.headers.get("Location"), None)
    return response


def register(app: Flask) -> None:
    from .. import registry
    registry.add_job(app, services.CLEANUP_JOB)
    app.before_request(before_request)
    # Registered after the transaction's hook, so it runs before the commit (Flask runs
    # after_request functions in reverse order).
    app.after_request(after_request)
    app.jinja_env.globals["new_idempotency_key"] = new_key
