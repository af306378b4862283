"""JSON API of facility use under /api/v1: bookings, visits, maintenance (contract.md,
"Facility use"). No rules here: the services decide."""
from flask import Blueprint, jsonify, request

from .. import clock
from ..auth.permissions import Permission, requires
from ..errors import ValidationError
from ..extensions import db
from ..fields import FieldErrors
from ..web import current_actor, json_body
from . import bookings, maintenance, visits

api = Blueprint("facility_use_api", __name__)
MAX_LIST = 500


def optional_body() -> dict:
    """A JSON object, or {} when the request has no body (cancel, departure, done)."""
    if not request.get_data():
        return {}
    return json_body()


# --- bookings -------------------------------------------------------------------------

@api.post("/bookings")
@requires(Permission.FACILITY_USE)
def booking_add():
    booking = bookings.book(current_actor(), json_body())
    return jsonify(bookings.booking_json(booking)), 201


@api.get("/bookings")
@requires(Permission.FACILITY_USE)
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
def booking_show(booking_id: int):
    return jsonify(bookings.booking_json(bookings.get_booking(booking_id)))


@api.post("/bookings/<int:booking_id>/cancel")
@requires(Permission.FACILITY_USE)
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
def visit_add():
    visit = visits.record_visit(current_actor(), json_body())
    return jsonify(visits.visit_json(visit)), 201


@api.post("/visits/<int:visit_id>/departure")
@requires(Permission.FACILITY_USE)
def visit_departure(visit_id: int):
    visit = visits.record_departure(current_actor(), visit_id,
                                    optional_body().get("departed_at"))
    return jsonify(visits.visit_json(visit))


@api.get("/visits")
@requires(Permission.FACILITY_USE, Permission.CLIENTS_READ)
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
def maintenance_add():
    created = maintenance.report(current_actor(), json_body())
    return jsonify(maintenance.request_json(created)), 201


@api.post("/maintenance/<int:request_id>/done")
@requires(Permission.MAINTENANCE)
def maintenance_done(request_id: int):
    done = maintenance.mark_done(current_actor(), request_id, optional_body().get("note"))
    return jsonify(maintenance.request_json(done))


@api.get("/maintenance")
@requires(Permission.MAINTENANCE)
def maintenance_list():
    """`status`: `open` (default), `done` or `all`."""
    status = request.args.get("status") or "open"
    if status not in maintenance.STATUSES:
        raise ValidationError("Status tidak valid.",
                              {"status": "Status harus salah satu dari: open, done, all."})
    stmt = maintenance.requests(status, limit=MAX_LIST)
    return jsonify([maintenance.request_json(r) for r in db.session.scalars(stmt)])
