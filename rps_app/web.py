"""Small helpers shared by views and API handlers (never used by services)."""
from flask import request
from flask_login import current_user

from .audit.services import Actor
from .errors import BadRequest


def current_actor() -> Actor:
    """The acting user of this request, as services want it."""
    if current_user and current_user.is_authenticated:
        return Actor(user_id=current_user.id, username=current_user.username,
                     ip=request.remote_addr, role=current_user.role)
    return Actor(user_id=None, username=None, ip=request.remote_addr)


def json_body() -> dict:
    """The request's JSON object, or 400 bad_request when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Isi permintaan harus berupa objek JSON.")
    return data


def page_number() -> int:
    """?page=N (1 when missing or not a positive number)."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1
