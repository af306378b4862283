"""JSON API of the client flow under /api/v1: rooms, intakes, stays, placement, exit.

Shapes and codes are those of contract.md. No rules here: the services hold them.
"""
from flask import Blueprint, jsonify, request

from .. import clock, signals
from ..auth.permissions import Permission, requires
from ..errors import DomainError, ValidationError
from ..fields import FieldErrors, iso
from ..openapi import (array, boolean, date_, declare, enum, ident, integer, moment, nullable,
                       obj, text)
from ..page_cache import cached
from ..web import current_actor, json_body, page_number
from . import services
from .models import AGENCIES, EXIT_TYPES, SCREENING_FLAGS

api = Blueprint("stays_api", __name__)
STAYS_PER_PAGE = 200

ROOM = obj({"id": integer(), "code": text(), "name": text(), "kind": text(),
            "sex": nullable(enum("L", "P")), "capacity": integer(), "occupied": integer(),
            "beds": array(obj({"id": integer(), "label": text(),
                               "stay_id": nullable(integer())}))})
# A row is a returning client ({client_id}) or a new one (name, sex, category...): every
# property is optional in the shape; the intake service says which are needed.
CLIENT_ROW = obj(optional={
    "client_id": ident(), "name": text(120), "identity_known": boolean(),
    "nik": text(description="16 digits (checked by the service: 422 invalid_nik)"),
    "sex": enum("L", "P"), "birth_date": date_(), "estimated_age": integer(0, 130),
    "birth_place": text(100), "origin_regency": text(100), "origin_address": text(300),
    "pmks_category": integer(1, 26), "needs_isolation": boolean(), "description": text(),
    "screening": obj(optional={flag: boolean() for flag in SCREENING_FLAGS}),
    "belongings": array(obj({"description": text(200), "quantity": integer(1, 100000)}))})
INTAKE = obj({"agency": enum(*AGENCIES), "officer_name": text(120),
              "officer_id_number": text(40), "bast_number": text(60),
              "operation_place": text(200), "operation_at": moment(),
              "clients": array(CLIENT_ROW, services.MAX_BATCH, 1)},
             {"received_at": moment(), "notes": text(4000),
              "place_all": boolean(description="also place every new stay by best fit")})
INTAKE_CREATED = obj({"id": integer(), "clients": array(obj(
    {"id": integer(), "registration_number": text(), "stay_id": integer()}))})
STAY_ROW = obj({"id": integer(), "client_id": integer(), "entered_at": moment(),
                "bed_id": nullable(integer()), "room_code": nullable(text()), "days": integer()})
PLACEMENT = obj(optional={"bed_id": ident(), "room_id": ident()})
EXIT = obj({"exit_type": enum(*EXIT_TYPES)}, {
    "exited_at": moment(), "institution_id": ident(), "referral_id": ident(),
    "family_contact": obj(optional={"name": text(120), "relation": text(60),
                                    "address": text(300), "phone": text(40)}),
    "escort_name": text(120), "notes": text(4000), "returned_belonging_ids": array(ident())})
LETTER = obj({"id": integer(), "number": text(), "pdf_url": text(), "verify_url": text()})
EXITED = obj({"stay_id": integer(), "exit_type": enum(*EXIT_TYPES),
              "letter": nullable(LETTER)})


@api.get("/rooms")
@requires(Permission.ROOMS_READ)
@declare(answers={200: array(ROOM)}, summary="Rooms and beds with their occupants' stays")
@cached
def rooms():
    # Every active room with its beds in use and who occupies them (the stay only): one
    # statement, the bed board's read without the clients.
    return jsonify([{
        "id": state.room.id, "code": state.room.code, "name": state.room.name,
        "kind": state.room.kind, "sex": state.room.sex,
        "capacity": sum(1 for bed in state.beds if state.usable(bed)),
        "occupied": len(state.occupant_by_bed),
        "beds": [{"id": bed.id, "label": bed.label,
                  "stay_id": state.occupant_by_bed.get(bed.id, (None,))[0]}
                 for bed in state.beds],
    } for state in services.current_rooms(residential=False, occupants="id")])


@api.post("/intakes")
@requires(Permission.INTAKE)
@declare(body=INTAKE, answers={201: INTAKE_CREATED}, summary="Receive a batch of clients (BAST)")
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


CONTRACT_STAY_FACTS = ("absent_sessions",)


@api.get("/stays")
@requires(Permission.CLIENTS_READ)
@declare(query={"active": boolean(), "page": integer(1)}, answers={200: array(STAY_ROW)},
         summary="Stays (open ones with active=true), 200 a page")
@cached
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
    # Facts other domains add per stay (signals.stay_facts); the contract names only the roll
    # call's absent_sessions, the others (abscondment start, accepted referrals) stay inside.
    facts = signals.merged_facts([stay.id for stay, _bed, _room in rows])
    return jsonify([{"id": stay.id, "client_id": stay.client_id, "entered_at": iso(stay.entered_at),
                     "bed_id": bed_id, "room_code": room_code,
                     "days": services.days_in_shelter(stay, today),
                     **{key: value for key, value in facts.get(stay.id, {}).items()
                        if key in CONTRACT_STAY_FACTS}}
                    for stay, bed_id, room_code in rows])


@api.post("/stays/<int:stay_id>/placement")
@requires(Permission.INTAKE)
@declare(body=PLACEMENT, answers={200: obj({"bed_id": integer(), "room_code": text()})},
         summary="Place (or move) a stay: a bed, any free bed of a room, or the best fit")
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
@declare(body=EXIT, answers={200: EXITED}, summary="Discharge a stay (and issue its letter)")
def exit_stay(stay_id: int):
    stay, letter = services.exit_stay(current_actor(), stay_id, json_body())
    # The letter referrals issued with the exit (signals.stay_exited), as it names it.
    return jsonify({"stay_id": stay.id, "exit_type": stay.exit_type,
                    "letter": None if letter is None else letter.api_json()})
