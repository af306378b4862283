"""JSON API of case work under /api/v1: merge, duplicate suggestions, assessment and case
conferences (the services hold the rules)."""
from flask import Blueprint, jsonify

from .. import clock
from ..auth.permissions import Permission, requires
from ..clients import services as clients
from ..clients.api import client_json
from ..errors import NotFound
from ..fields import iso
from ..web import current_actor, json_body
from . import duplicates, services
from .models import ASSESSMENT_PARTS

api = Blueprint("casework_api", __name__)


@api.post("/clients/<int:client_id>/merge")
@requires(Permission.CLIENTS_MERGE)
def merge(client_id: int):
    """`{into}` -> 200 the client merged into (with every stay)."""
    into = duplicates.merge(current_actor(), client_id, json_body())
    return jsonify(client_json(clients.get_client(current_actor(), into.id)))


@api.post("/clients/duplicates")
@requires(Permission.INTAKE)
def suggest():
    """`{name, sex?, estimated_age? or birth_date?, origin_regency?}` -> likely duplicates."""
    found = duplicates.suggestions(duplicates.person_from(json_body()))
    duplicates.record_suggested(current_actor(), [s.client.id for s in found])
    return jsonify([duplicates.suggestion_json(s) for s in found])


@api.get("/clients/<int:client_id>/duplicates")
@requires(Permission.CLIENTS_READ)
def client_duplicates(client_id: int):
    client = clients.find_client(client_id)
    found = duplicates.suggestions(duplicates.person_of(client, clock.local_today()),
                                   exclude_id=client.id)
    duplicates.record_suggested(current_actor(), [s.client.id for s in found])
    return jsonify([duplicates.suggestion_json(s) for s in found])


def assessment_json(row) -> dict:
    return {"id": row.id, "stay_id": row.stay_id,
            **{part: getattr(row, part) for part in ASSESSMENT_PARTS},
            "assessed_at": iso(row.assessed_at), "updated_at": iso(row.updated_at)}


@api.get("/stays/<int:stay_id>/assessment")
@requires(Permission.CLIENTS_READ)
def assessment(stay_id: int):
    row = services.assessment_of(stay_id)
    if row is None:
        raise NotFound("Asesmen data tinggal ini belum ada.")
    return jsonify(assessment_json(row))


@api.put("/stays/<int:stay_id>/assessment")
@requires(Permission.EXIT)
def assessment_save(stay_id: int):
    """`{situation, health, family_origin, needs, plan}` (all required) -> 200."""
    return jsonify(assessment_json(services.save_assessment(current_actor(), stay_id,
                                                            json_body())))


@api.post("/stays/<int:stay_id>/conferences")
@requires(Permission.EXIT)
def conference(stay_id: int):
    """`{held_on, participants, decision}` -> 201."""
    row = services.add_conference(current_actor(), stay_id, json_body())
    return jsonify({"id": row.id, "stay_id": row.stay_id, "held_on": row.held_on.isoformat(),
                    "participants": row.participants, "decision": row.decision}), 201
