"""Maintenance requests for a room or a bed.

A request with `bed_out_of_service` takes the bed out of service at once through facility's
own bed outage (a dated BedOutage: the bed board shows it, placement refuses the bed, the
reports leave it out of available bed nights for exactly those nights). facility refuses
with 409 `bed_occupied` while someone sleeps in the bed (its occupancy check, whichever
way stays provides it). Marking the request done ends that outage: the bed is back.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit import services as audit
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..facility import services as facility
from ..facility.models import Bed, Room
from ..fields import FieldErrors, iso
from ..reads import Query, rows, value
from .bookings import MAX_ID
from .models import MaintenanceRequest

MAX_DESCRIPTION = 2000
OUTAGE_REASON_LENGTH = 200  # facility's BedOutage.reason


def _check(data: dict, errors: FieldErrors) -> dict:
    values = {
        "room_id": errors.integer(data, "room_id", 1, MAX_ID, required=True, label="Ruang"),
        "bed_id": errors.integer(data, "bed_id", 1, MAX_ID, label="Tempat tidur"),
        "description": errors.text(data, "description", MAX_DESCRIPTION, required=True,
                                   label="Uraian kerusakan"),
        "bed_out_of_service": errors.boolean(data, "bed_out_of_service",
                                             label="Tempat tidur tidak dapat dipakai"),
    }
    room = bed = None
    if values["room_id"] is not None:
        room = db.session.get(Room, values["room_id"])
        if room is None or not room.active:
            errors.add("room_id", "Ruang tidak ditemukan.")
            room = None
    if values["bed_id"] is not None and room is not None:
        bed = db.session.get(Bed, values["bed_id"])
        if bed is None or bed.room_id != room.id:
            errors.add("bed_id", "Tempat tidur ini bukan tempat tidur ruang yang dipilih.")
        elif bed.retired_at is not None:
            errors.add("bed_id", "Tempat tidur ini sudah dipensiunkan.")
    if values["bed_out_of_service"] and values["bed_id"] is None and "bed_id" not in errors.fields:
        errors.add("bed_id", "Pilih tempat tidur yang tidak dapat dipakai.")
    return values


def report(actor, data: dict) -> MaintenanceRequest:
    """The body of POST /maintenance: {room_id, bed_id?, description, bed_out_of_service?}."""
    if not isinstance(data, dict):
        raise ValidationError("Data permintaan perbaikan harus berupa objek.", {})
    errors = FieldErrors()
    values = _check(data, errors)
    if errors:
        raise ValidationError("Permintaan perbaikan tidak valid; tidak ada yang disimpan.",
                              errors.fields)
    request = MaintenanceRequest(
        room_id=values["room_id"], bed_id=values["bed_id"], description=values["description"],
        bed_out_of_service=values["bed_out_of_service"], reported_by_id=actor.user_id,
        reported_at=clock.now())
    if values["bed_out_of_service"]:
        # facility locks the room, refuses an occupied bed (409 bed_occupied) or one
        # already out of service, and writes the dated outage.
        reason = "Perbaikan: " + values["description"]
        if len(reason) > OUTAGE_REASON_LENGTH:
            reason = reason[:OUTAGE_REASON_LENGTH - 1] + "…"
        request.outage_id = facility.take_out_of_service(actor, values["bed_id"], reason).id
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "create", "maintenance_request", request.id,
                 {"room_id": request.room_id, "bed_id": request.bed_id,
                  "bed_out_of_service": request.bed_out_of_service,
                  "outage_id": request.outage_id})
    return request


def get_request(request_id: int) -> MaintenanceRequest:
    return found(db.session.get(MaintenanceRequest, request_id),
                 "Permintaan perbaikan tidak ditemukan.")


def mark_done(actor, request_id: int, note: str | None = None) -> MaintenanceRequest:
    """The repair is done: the request closes and its bed (if it took one) is back."""
    errors = FieldErrors()
    note = errors.text({"note": note}, "note", MAX_DESCRIPTION, label="Keterangan")
    if errors:
        raise ValidationError("Keterangan tidak valid.", errors.fields)
    request = db.session.execute(
        select(MaintenanceRequest).where(MaintenanceRequest.id == request_id)
        .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    request = found(request, "Permintaan perbaikan tidak ditemukan.")
    if request.done_at is not None:
        raise Conflict("Permintaan perbaikan ini sudah selesai.",
                       {"maintenance_id": "Sudah selesai."}, code="already_done")
    returned = False
    if request.outage_id is not None:
        bed = facility.get_bed(request.bed_id, lock=True)
        outage = bed.current_outage
        # Only this request's outage: an administrator may have ended it already.
        if outage is not None and outage.id == request.outage_id and bed.retired_at is None:
            facility.return_to_service(actor, bed.id)
            returned = True
    request.done_at, request.done_by_id, request.done_note = clock.now(), actor.user_id, note
    db.session.flush()
    audit.record(actor, "done", "maintenance_request", request.id,
                 {"bed_id": request.bed_id, "bed_returned": returned})
    return request


STATUSES = ("open", "done", "all")


def requests(status: str = "open", room_id: int | None = None, limit: int | None = None):
    """Maintenance requests (`open`, `done` or `all`), newest first (room and bed loaded)."""
    stmt = (select(MaintenanceRequest)
            .options(selectinload(MaintenanceRequest.room), selectinload(MaintenanceRequest.bed))
            .order_by(MaintenanceRequest.reported_at.desc(), MaintenanceRequest.id.desc()))
    if status == "open":
        stmt = stmt.where(MaintenanceRequest.done_at.is_(None))
    elif status == "done":
        stmt = stmt.where(MaintenanceRequest.done_at.is_not(None))
    if room_id is not None:
        stmt = stmt.where(MaintenanceRequest.room_id == room_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def open_requests(room_id: int | None = None) -> list[MaintenanceRequest]:
    return list(db.session.scalars(requests("open", room_id)))


NEWEST_LISTED = 5
NEWEST_OPEN = Query("maintenance_newest_open", lambda param: rows(
    select(Room.code.label("room_code"), Bed.label.label("bed_label"),
           MaintenanceRequest.description, MaintenanceRequest.bed_out_of_service)
    .join(Room, Room.id == MaintenanceRequest.room_id)
    .outerjoin(Bed, Bed.id == MaintenanceRequest.bed_id)
    .where(MaintenanceRequest.done_at.is_(None)),
    order_by=(MaintenanceRequest.reported_at.desc(), MaintenanceRequest.id.desc()),
    limit=NEWEST_LISTED))
OPEN_COUNT = Query("maintenance_open_count", lambda param: value(
    select(func.count()).select_from(MaintenanceRequest)
    .where(MaintenanceRequest.done_at.is_(None))))


def newest_open(reads):
    """Asks `reads` (rps_app.reads) for the open requests: the newest 5 (rows of room_code,
    bed_label, description and bed_out_of_service) and how many in all."""
    return reads.ask(NEWEST_OPEN), reads.ask(OPEN_COUNT)


def request_json(request: MaintenanceRequest) -> dict:
    return {"id": request.id, "room_id": request.room_id, "bed_id": request.bed_id,
            "description": request.description,
            "bed_out_of_service": request.bed_out_of_service,
            "reported_by_id": request.reported_by_id, "reported_at": iso(request.reported_at),
            "done_at": iso(request.done_at), "status": "open" if request.is_open else "done"}
