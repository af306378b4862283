"""JSON API of the client flow under /api/v1: rooms, intakes, stays, placement, exit.

Shapes and codes are those of contract.md. No rules here: the services hold them.
"""
from flask import Blueprint, jsonify, request

from .. import clock, signals
from ..auth.permissions import Permission, requires
from ..errors import DomainError, ValidationError
from ..fields import FieldErrors, iso
from ..web import current_actor, json_body, page_number
from . import board as bed_board
from . import services

api = Blueprint("stays_api", __name__)
STAYS_PER_PAGE = 200


@api.get("/rooms")
@requires(Permission.ROOMS_READ)
def rooms():
    result = bed_board.board(clock.local_today())
    return jsonify([{
        "id": entry.room.id, "code": entry.room.code, "name": entry.room.name,
        "kind": entry.room.kind, "sex": entry.room.sex, "capacity": entry.capacity,
        "occupied": entry.occupied,
        "beds": [{"id": bed.bed.id, "label": bed.bed.label,
                  "stay_id": bed.occupant.stay_id if bed.occupant else None}
                 for bed in entry.beds],
    } for entry in result.rooms])


@api.post("/intakes")
@requires(Permission.INTAKE)
def create_intake():
    """The intake of contract.md; with the optional `place_all: true` every new stay is
    also placed by best fit in the same transaction, and each client row then tells its
    `placement`: {bed_id, room_code} or {error: {code, message}}."""
    data = json_body()
    errors = FieldErrors()
    place_all = errors.boolean(data, "place_all", label="place_all")
    if errors:
        raise ValidationError("Isian place_all tidak valid.", errors.fields)
    data = {key: value for key, value in data.items() if key != "place_all"}
    batch = services.intake(current_actor(), data)
    placements = {}
    if place_all:
        placements = {stay.id: outcome for stay, outcome in services.place_all(
            current_actor(), [stay.id for stay in batch.stays])}
    rows = []
    for stay in batch.stays:
        row = {"id": stay.client_id, "registration_number": stay.client.registration_number,
               "stay_id": stay.id}
        if place_all:
            row["placement"] = placement_json(placements.get(stay.id))
        rows.append(row)
    return jsonify({"id": batch.id, "clients": rows}), 201


def placement_json(outcome) -> dict:
    if isinstance(outcome, DomainError):
        return {"error": {"code": outcome.code, "message": outcome.message}}
    return {"bed_id": outcome.bed_id, "room_code": outcome.bed.room.code}


@api.get("/stays")
@requires(Permission.CLIENTS_READ)
def stays():
    active = {"true": True, "1": True, "false": False, "0": False}.get(
        request.args.get("active", "").lower())
    if "active" in request.args and active is None:
        raise ValidationError("Parameter active harus true atau false.",
                              {"active": "Harus true atau false."})
    page = page_number()
    rows = services.stays_with_beds(active, limit=STAYS_PER_PAGE,
                                    offset=(page - 1) * STAYS_PER_PAGE)
    today = clock.local_today()
    # Facts other domains add per stay (roll call: absent_sessions), through stay_facts.
    facts = signals.merged_facts([stay.id for stay, _bed, _room in rows])
    return jsonify([{"id": stay.id, "client_id": stay.client_id, "entered_at": iso(stay.entered_at),
                     "bed_id": bed_id, "room_code": room_code,
                     "days": services.days_in_shelter(stay, today), **facts.get(stay.id, {})}
                    for stay, bed_id, room_code in rows])


@api.post("/stays/<int:stay_id>/placement")
@requires(Permission.INTAKE)
def placement(stay_id: int):
    data = json_body()
    errors = FieldErrors()
    bed_id = errors.integer(data, "bed_id", 1, label="bed_id")
    room_id = errors.integer(data, "room_id", 1, label="room_id")
    if errors:
        raise ValidationError("Isian penempatan tidak valid.", errors.fields)
    assignment = services.place(current_actor(), stay_id, bed_id=bed_id, room_id=room_id)
    return jsonify({"bed_id": assignment.bed_id, "room_code": assignment.bed.room.code})


@api.post("/stays/<int:stay_id>/exit")
@requires(Permission.EXIT)
def exit_stay(stay_id: int):
    stay, letter = services.exit_stay(current_actor(), stay_id, json_body())
    # The letter referrals issued with the exit (signals.stay_exited), as it names it.
    return jsonify({"stay_id": stay.id, "exit_type": stay.exit_type,
                    "letter": None if letter is None else letter.api_json()})
