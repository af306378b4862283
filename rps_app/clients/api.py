"""JSON API of client records under /api/v1 (same services as the pages)."""
from datetime import datetime

from flask import Blueprint, jsonify, request

from ..auth.permissions import Permission, requires
from ..fields import iso
from ..openapi import array, boolean, declare, enum, integer, nullable, obj, text
from ..signals import client_record, values_from
from ..page_cache import cached
from ..web import current_actor, json_body
from . import services

api = Blueprint("clients_api", __name__)

CLIENT_ROW = obj({"id": integer(), "registration_number": text(), "name": text(),
                  "sex": enum("L", "P"), "nik": nullable(text()),
                  "active_stay_id": nullable(integer())})
CLIENT = obj({**CLIENT_ROW["properties"], "identity_known": boolean(),
              "stays": array(obj({"id": integer(), "intake_id": integer()}))})


def _iso(value):
    """Timestamps in RPS_TIMEZONE with their offset; dates as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return iso(value)
    return value.isoformat() if value is not None else None


def client_row(client, active_stay_id) -> dict:
    return {"id": client.id, "registration_number": client.registration_number,
            "name": client.name, "sex": client.sex, "nik": client.nik,
            "active_stay_id": active_stay_id}


def client_json(client) -> dict:
    """The record; what other domains hold about the client (stays: `stays`) they add
    through signals.client_record."""
    record = {**client_row(client, services.active_stay_id(client)),
              "identity_known": client.identity_known, "birth_date": _iso(client.birth_date),
              "estimated_age": client.estimated_age, "birth_place": client.birth_place,
              "origin_regency": client.origin_regency, "origin_address": client.origin_address,
              "pmks_category": client.pmks_category, "description": client.description,
              "guardian": client.guardian, "has_photo": bool(client.photo_path),
              "created_at": _iso(client.created_at)}
    for part in values_from(client_record, client):
        record.update(part)
    return record


@api.get("/clients")
@requires(Permission.CLIENTS_READ)
@declare(query={"q": text(200)}, answers={200: array(CLIENT_ROW)},
         summary="Search clients by name, alias, NIK or registration number (empty: latest 50)")
@cached
def clients():
    rows = services.search(request.args.get("q"))
    services.record_search(current_actor(), [client.id for client, _ in rows])
    return jsonify([client_row(client, stay_id) for client, stay_id in rows])


@api.get("/clients/<int:client_id>")
@requires(Permission.CLIENTS_READ)
@declare(answers={200: CLIENT}, summary="A client with its stays (an audited read)")
@cached
def client(client_id: int):
    return jsonify(client_json(services.get_client(current_actor(), client_id)))


@api.patch("/clients/<int:client_id>")
@requires(Permission.CLIENTS_READ)
def update_client(client_id: int):
    """Identity edits (contract: identity edits by kepala, petugas and staf, the roles that
    read client records); each changed field audited with its old and new value."""
    services.update_identity(current_actor(), client_id, json_body())
    return jsonify(client_json(services.get_client(current_actor(), client_id)))
