"""Small helpers shared by views and API handlers (never used by services)."""
from flask import flash, g, request, url_for
from flask_babel.speaklater import LazyString
from flask_login import current_user

from .actor import Actor
from .errors import BadRequest, DomainError
from .extensions import request_translations
from .fields import parse_int

# Pages beyond this are empty anyway; the bound keeps OFFSET within 64 bits.
MAX_PAGE = 10 ** 9


def current_actor() -> Actor:
    """The acting user of this request, as services want it."""
    if current_user and current_user.is_authenticated:
        return Actor(user_id=current_user.id, username=current_user.username,
                     ip=request.remote_addr, role=current_user.role)
    return Actor(user_id=None, username=None, ip=request.remote_addr)


def request_gettext(string: str, **variables) -> str:
    """flask_babel.gettext through the catalogue of this request (request_translations)."""
    text = request_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext translated through request_gettext: the same text, but a
    form's labels and a vocabulary's options are translated each time a page shows them,
    and Flask-Babel looks the locale and catalogue up again for each (most of the time of
    rendering a label or an option)."""
    return LazyString(request_gettext, string, **variables)


def translated(labels: dict) -> dict:
    """A domain vocabulary dict (code -> label, rps_app/<domain>/vocabulary.py) with its
    labels translated lazily for the pages (the labels are the msgids)."""
    return {code: lazy_gettext(label) for code, label in labels.items()}


def translated_now(labels: dict) -> dict:
    """translated() for one request's page: the labels translated once, here. A lazy label
    is translated again wherever it is shown (Flask-Babel looks the locale and catalogue
    up each time), which a label per row of a long list pays row by row."""
    catalogue = request_translations()
    return {code: catalogue.ugettext(label) for code, label in labels.items()}


def url_by_id(endpoint: str, key: str):
    """url_for(endpoint, key=id) for the ids of a long list: the URL is built once (werkzeug
    builds each anew, tens of microseconds a link) and each id put in its place."""
    marker = "8642097531"
    pattern = url_for(endpoint, **{key: int(marker)})
    if pattern.count(marker) != 1:
        return lambda value: url_for(endpoint, **{key: value})
    head, tail = pattern.split(marker)
    return lambda value: f"{head}{int(value)}{tail}"


def json_body() -> dict:
    """The request's JSON object, or 400 bad_request when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Isi permintaan harus berupa objek JSON.")
    return data


def page_number() -> int:
    """The page asked for, in the query or a posted form (1 when missing or not a positive
    number)."""
    return parse_int(request.values.get("page", "1"), 1, MAX_PAGE) or 1


def put_field_errors(form, fields: dict) -> dict:
    """Put a DomainError's field messages on the form's fields of those names; returns the
    messages that belong to no field (for the caller to show above the form)."""
    rest = {}
    for name, message in fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            rest[name] = message
    return rest


REFUSALS = (409, 422)  # what a page tells beside its form; anything else goes to the handlers


def refused(error: DomainError, form=None, fields: dict | None = None) -> dict:
    """The one way every page tells a refused form (409 conflict, 422 invalid); any other
    error is raised again for the error handlers. The request will not commit; the
    service's message is flashed; each field's message goes on the form's field of that
    name (`fields`: the error's fields renamed to the form's, when they differ). The
    messages that belong to no field (and are not the message itself) go to the form's
    `form_errors` (shown above the form by _form_errors.html) and are returned."""
    if error.status not in REFUSALS:
        raise error
    g.request_failed = True  # a refused form writes nothing, even when the page redirects
    flash(error.message, "error")
    if form is None:
        return {}
    rest = put_field_errors(form, error.fields if fields is None else fields)
    rest = {name: message for name, message in rest.items() if message != error.message}
    form.form_errors.extend(rest.values())
    return rest


def submit(form, action):
    """Run `action()` for a valid submitted form: (result, None), or (None, status) when the
    form or the service refused (409/422), told on the page as `refused` does (the messages
    that belong to no field flashed too)."""
    if not form.validate_on_submit():
        return None, 422
    try:
        return action(), None
    except DomainError as error:
        for message in refused(error, form).values():
            flash(message, "error")
        return None, error.status


def flash_refusal(error: DomainError, form) -> None:
    """`refused` for a form whose page redirects back rather than showing the form again:
    each field's message is flashed too, with its label."""
    refused(error)
    for name, message in error.fields.items():
        if message != error.message:
            label = form[name].label.text if name in form._fields else name
            flash(f"{label}: {message}", "error")
