"""Small helpers shared by views and API handlers (never used by services)."""
from flask import flash, request
from flask_babel import lazy_gettext
from flask_login import current_user

from .audit.services import Actor
from .errors import BadRequest, DomainError
from .fields import parse_int

# Pages beyond this are empty anyway; the bound keeps OFFSET within 64 bits.
MAX_PAGE = 10 ** 9


def current_actor() -> Actor:
    """The acting user of this request, as services want it."""
    if current_user and current_user.is_authenticated:
        return Actor(user_id=current_user.id, username=current_user.username,
                     ip=request.remote_addr, role=current_user.role)
    return Actor(user_id=None, username=None, ip=request.remote_addr)


def translated(labels: dict) -> dict:
    """A reports.vocabulary dict with its labels translated lazily for the pages (the labels
    are the msgids)."""
    return {code: lazy_gettext(label) for code, label in labels.items()}


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


def submit(form, action):
    """Run `action()` for a valid submitted form: (result, None), or (None, status) when the
    form or the service refused (409/422). The refusal is told on the page: the service's
    message flashed, each field's message put on the form's field of that name."""
    if not form.validate_on_submit():
        return None, 422
    try:
        return action(), None
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        flash(error.message, "error")
        for message in put_field_errors(form, error.fields).values():
            if message != error.message:
                flash(message, "error")
        return None, error.status


def flash_refusal(error: DomainError, form) -> None:
    """Tell a refused action (409/422) on the next page: the message, then each field's
    message with its label (for forms that redirect back to a page rather than re-render);
    anything else goes on to the error handler."""
    if error.status not in (409, 422):
        raise error
    flash(error.message, "error")
    for name, message in error.fields.items():
        if message != error.message:
            label = form[name].label.text if name in form._fields else name
            flash(f"{label}: {message}", "error")
