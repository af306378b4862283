"""JSON API of facility use under /api/v1: bookings, visits, maintenance (contract.md,
"Facility use"). No rules here: the services decide."""
from flask import Blueprint, jsonify, request

from .. import clock
from ..auth.permissions import Permission, requires
from ..errors import ValidationError
from ..extensions import db
from ..fields import FieldErrors
from ..openapi import (array, boolean, date_, declare, enum, ident, integer, moment, nullable,
                       obj, text)
from ..web import current_actor, json_body
from . import bookings, maintenance, visits

api = Blueprint("facility_use_api", __name__)
MAX_LIST = 500

BOOKING = obj({"id": integer(), "room_id": integer(), "room_code": text(), "kind": text(),
               "starts_at": moment(), "ends_at": moment(), "purpose": text(),
               "stay_ids": array(integer()), "staff_id": nullable(integer()),
               "status": enum("booked", "cancelled"), "cancelled_at": nullable(moment()),
               "note_ids": array(integer())})
NEW_BOOKING = obj({"room_id": ident(), "starts_at": moment(), "ends_at": moment(),
                   "purpose": text(200)},
                  {"stay_ids": array(ident(), max_items=bookings.MAX_CLIENTS),
                   "staff_id": ident()})
VISIT = obj({"id": integer(), "stay_id": integer(), "visitor_name": text(),
             "relation": text(), "id_number": nullable(text()), "phone": nullable(text()),
             "arrived_at": moment(), "departed_at": nullable(moment())})
NEW_VISIT = obj({"visitor_name": text(120), "relation": text(60), "stay_id": ident()},
                {"id_number": text(40), "phone": text(40), "arrived_at": moment()})
MAINTENANCE = obj({"id": integer(), "room_id": integer(), "bed_id": nullable(integer()),
                   "description": text(), "bed_out_of_service": boolean(),
                   "reported_by_id": nullable(integer()), "reported_at": moment(),
                   "done_at": nullable(moment()), "status": enum("open", "done")})
NEW_MAINTENANCE = obj({"room_id": ident(), "description": text(2000)},
                      {"bed_id": ident(), "bed_out_of_service": boolean()})


def optional_body() -> dict:
    """A JSON object, or {} when the request has no body (cancel, departure, done)."""
    if not request.get_data():
        return {}
    return json_body()


# --- bookings -------------------------------------------------------------------------

@api.post("/bookings")
@requires(Permission.FACILITY_USE)
@declare(body=NEW_BOOKING, answers={201: BOOKING},
         summary="Book a therapy room, a communal room or the guest house (409 room_booked)")
def booking_add():
    booking = bookings.book(current_actor(), json_body())
    return jsonify(bookings.booking_json(booking)), 201


@api.get("/bookings")
@requires(Permission.FACILITY_USE)
@declare(query={"from": date_(), "to": date_(), "room_id": ident(), "cancelled": boolean()},
         answers={200: array(BOOKING)}, summary="Bookings overlapping the days from-to")
def booking_list():
    """`from`, `to` (dates, default a week from today); `room_id`; `cancelled=true` adds
    cancelled bookings."""
    first, last = bookings.check_range(request.args)
    errors = FieldErrors()
    room_id = errors.integer(request.args, "room_id", 1, bookings.MAX_ID, label="Ruang")
    if errors:
        raise ValidationError("Ruang tidak valid.", errors.fields)
    start, end = bookings.day_bounds(first, last)
    found = bookings.bookings_between(start, end, room_id=room_id,
                                      include_cancelled=request.args.get("cancelled") == "true")
    return jsonify([bookings.booking_json(b) for b in found[:MAX_LIST]])


@api.get("/bookings/<int:booking_id>")
@requires(Permission.FACILITY_USE)
@declare(answers={200: BOOKING}, summary="One booking")
def booking_show(booking_id: int):
    return jsonify(bookings.booking_json(bookings.get_booking(booking_id)))


@api.post("/bookings/<int:booking_id>/cancel")
@requires(Permission.FACILITY_USE)
@declare(answers={200: BOOKING}, summary="Cancel a booking (`{reason?}`): its time is free again")
def booking_cancel(booking_id: int):
    booking = bookings.cancel(current_actor(), booking_id, optional_body().get("reason"))
    return jsonify(bookings.booking_json(booking))


@api.post("/bookings/<int:booking_id>/note")
@requires(Permission.FACILITY_USE, Permission.EXIT)
def booking_note(booking_id: int):
    """`{body, kind?}`: the session's note, as a case note on each client's stay."""
    body = json_body()
    written = bookings.write_note(current_actor(), booking_id, body.get("body"),
                                  body.get("kind") or bookings.SESSION_NOTE_KIND)
    return jsonify({"booking_id": booking_id,
                    "notes": [{"id": note.id, "stay_id": note.stay_id} for note in written]}), 201


# --- visits ---------------------------------------------------------------------------

@api.post("/visits")
@requires(Permission.FACILITY_USE)
@declare(body=NEW_VISIT, answers={201: VISIT},
         summary="Log a visitor of a client in residence (409 already_exited)")
def visit_add():
    visit = visits.record_visit(current_actor(), json_body())
    return jsonify(visits.visit_json(visit)), 201


@api.post("/visits/<int:visit_id>/departure")
@requires(Permission.FACILITY_USE)
@declare(answers={200: VISIT}, summary="The visitor left (`{departed_at?}`)")
def visit_departure(visit_id: int):
    visit = visits.record_departure(current_actor(), visit_id,
                                    optional_body().get("departed_at"))
    return jsonify(visits.visit_json(visit))


@api.get("/visits")
@requires(Permission.FACILITY_USE, Permission.CLIENTS_READ)
@declare(query={"date": date_()}, answers={200: array(VISIT)},
         summary="Visitors who arrived on a date (audited read)")
def visit_list():
    """Visits that arrived on `date` (default today); the read is audited."""
    errors = FieldErrors()
    day = errors.date(request.args, "date", label="Tanggal")
    if errors:
        raise ValidationError("Tanggal tidak valid.", errors.fields)
    found = visits.visits_on(day or clock.local_today())[:MAX_LIST]
    visits.record_read(current_actor(), found, "api")
    return jsonify([visits.visit_json(v) for v in found])


# --- maintenance ----------------------------------------------------------------------

@api.post("/maintenance")
@requires(Permission.MAINTENANCE)
@declare(body=NEW_MAINTENANCE, answers={201: MAINTENANCE},
         summary="Report a fault; bed_out_of_service takes the bed out (409 bed_occupied)")
def maintenance_add():
    created = maintenance.report(current_actor(), json_body())
    return jsonify(maintenance.request_json(created)), 201


@api.post("/maintenance/<int:request_id>/done")
@requires(Permission.MAINTENANCE)
@declare(answers={200: MAINTENANCE}, summary="The repair is done (`{note?}`): its bed is back")
def maintenance_done(request_id: int):
    done = maintenance.mark_done(current_actor(), request_id, optional_body().get("note"))
    return jsonify(maintenance.request_json(done))


@api.get("/maintenance")
@requires(Permission.MAINTENANCE)
@declare(query={"status": enum(*maintenance.STATUSES)}, answers={200: array(MAINTENANCE)},
         summary="Maintenance requests (open by default)")
def maintenance_list():
    """`status`: `open` (default), `done` or `all`."""
    status = request.args.get("status") or "open"
    if status not in maintenance.STATUSES:
        raise ValidationError("Status tidak valid.",
                              {"status": "Status harus salah satu dari: open, done, all."})
    stmt = maintenance.requests(status, limit=MAX_LIST)
    return jsonify([maintenance.request_json(r) for r in db.session.scalars(stmt)])
