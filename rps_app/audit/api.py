"""JSON API of audit under /api/v1: GET /audit (admin, kepala)."""
from flask import Blueprint, jsonify, request

from ..permissions import Permission, requires
from ..extensions import db
from ..fields import parse_int
from ..openapi import array, declare, integer, nullable, obj, text
from .forms import MAX_LIMIT
from . import services
from .forms import api_filters

api = Blueprint("audit_api", __name__)


@api.get("/audit")
@requires(Permission.AUDIT_READ)
@declare(query={"entity": text(40), "entity_id": text(40), "since": text(40),
                "limit": integer(1, MAX_LIMIT)},
         answers={200: array(obj({"at": text(), "username": nullable(text()), "action": text(),
                                  "entity": text(), "entity_id": {}}))},
         summary="The audit log, newest first (since: a date or an ISO 8601 time)")
def audit_entries():
    """`[{at, username, action, entity, entity_id}]`, newest first, at most `limit` rows."""
    filters = api_filters(request.args)
    stmt = services.query(entity=filters["entity"], entity_id=filters["entity_id"],
                          since=filters["since"]).limit(filters["limit"])
    return jsonify([{"at": entry.at.isoformat(), "username": entry.username,
                     "action": entry.action, "entity": entry.entity,
                     "entity_id": _entity_id(entry.entity_id)}
                    for entry in db.session.scalars(stmt)])


def _entity_id(stored: str | None):
    """Ids are numbers everywhere else in the API; stored as text for any entity."""
    number = parse_int(stored) if stored is not None else None
    return stored if number is None else number
