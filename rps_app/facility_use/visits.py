"""The visitor log of the lobby: who visits whom, when they came and left.

Only a client in residence can be visited: the stay's row is locked (as an exit locks it),
so a visit and an exit of the same stay never cross. A visitor's name, ID number and phone
are personal data: the roles that read clients read them, every read is audited (which
visits, never their contents), and no name goes into a URL or an audit entry.
"""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit import services as audit
from ..clients.models import Client
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors, iso
from ..reads import Query, rows
from ..stays import services as stays
from ..stays.models import Stay
from ..types import UTCDateTime
from .bookings import MAX_ID, day_bounds
from .models import Visit

ID_NUMBER_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./ ")
PHONE_CHARS = set("0123456789+()-. ")


def _check(data: dict, errors: FieldErrors) -> dict:
    values = {
        "visitor_name": errors.text(data, "visitor_name", 120, required=True,
                                    label="Nama pengunjung"),
        "relation": errors.text(data, "relation", 60, required=True,
                                label="Hubungan dengan klien"),
        "id_number": errors.text(data, "id_number", 40, label="Nomor identitas"),
        "phone": errors.text(data, "phone", 40, label="Telepon"),
        "stay_id": errors.integer(data, "stay_id", 1, MAX_ID, required=True,
                                  label="Klien yang dikunjungi"),
        "arrived_at": errors.moment(data, "arrived_at", label="Waktu datang"),
    }
    if values["id_number"]:
        values["id_number"] = values["id_number"].upper()
        if not set(values["id_number"]) <= ID_NUMBER_CHARS:
            errors.add("id_number", "Nomor identitas hanya boleh berisi huruf, angka, spasi, - . /")
    if values["phone"] and not set(values["phone"]) <= PHONE_CHARS:
        errors.add("phone", "Nomor telepon hanya boleh berisi angka, spasi, +, -, ( dan ).")
    return values


def record_visit(actor, data: dict) -> Visit:
    """The body of POST /visits: {visitor_name, relation, id_number?, phone?, stay_id,
    arrived_at?}. 422 naming the field; 409 already_exited for a closed stay."""
    if not isinstance(data, dict):
        raise ValidationError("Data kunjungan harus berupa objek.", {})
    errors = FieldErrors()
    values = _check(data, errors)
    if values["stay_id"] is not None and db.session.get(Stay, values["stay_id"]) is None:
        errors.add("stay_id", "Data tinggal klien tidak ditemukan.")
    if errors:
        raise ValidationError("Data kunjungan tidak valid; tidak ada yang disimpan.",
                              errors.fields)
    stay = stays.lock_stay(values["stay_id"])  # 409 already_exited for a closed stay
    now = clock.now()
    arrived_at = values["arrived_at"] or now
    if arrived_at > now:
        errors.add("arrived_at", "Waktu datang tidak boleh di masa depan.")
    elif arrived_at < stay.entered_at:
        errors.add("arrived_at", "Waktu datang tidak boleh sebelum klien masuk RPS.")
    if errors:
        raise ValidationError("Data kunjungan tidak valid; tidak ada yang disimpan.",
                              errors.fields)
    visit = Visit(stay_id=stay.id, visitor_name=values["visitor_name"],
                  relation=values["relation"], id_number=values["id_number"],
                  phone=values["phone"], arrived_at=arrived_at, recorded_by_id=actor.user_id,
                  recorded_at=now)
    db.session.add(visit)
    db.session.flush()
    audit.record(actor, "create", "visit", visit.id,
                 {"stay_id": stay.id, "client_id": stay.client_id})
    return visit


def get_visit(visit_id: int) -> Visit:
    return found(db.session.get(Visit, visit_id), "Kunjungan tidak ditemukan.")


def record_departure(actor, visit_id: int, departed_at=None) -> Visit:
    """The visitor left (now, or at `departed_at`); once."""
    visit = db.session.execute(select(Visit).where(Visit.id == visit_id).with_for_update()
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    visit = found(visit, "Kunjungan tidak ditemukan.")
    errors = FieldErrors()
    moment = errors.moment({"departed_at": departed_at}, "departed_at", label="Waktu pulang")
    now = clock.now()
    moment = moment or now
    if not errors and moment > now:
        errors.add("departed_at", "Waktu pulang tidak boleh di masa depan.")
    elif not errors and moment < visit.arrived_at:
        errors.add("departed_at", "Waktu pulang tidak boleh sebelum waktu datang.")
    if errors:
        raise ValidationError("Waktu pulang tidak valid.", errors.fields)
    if visit.departed_at is not None:
        raise Conflict("Kepulangan pengunjung ini sudah dicatat.",
                       {"visit_id": "Sudah dicatat pulang."}, code="already_departed")
    visit.departed_at = moment
    db.session.flush()
    audit.record(actor, "departure", "visit", visit.id, {"stay_id": visit.stay_id})
    return visit


def visits_on(day: date) -> list[Visit]:
    """Visits that arrived on the local date `day`, by arrival."""
    start, end = day_bounds(day, day)
    return list(db.session.scalars(
        select(Visit).where(Visit.arrived_at >= start, Visit.arrived_at < end)
        .order_by(Visit.arrived_at, Visit.id)))


VISITS_WITH_CLIENTS = Query("visits_with_clients", lambda param: rows(
    select(Visit.id, Visit.stay_id, Visit.arrived_at, Visit.departed_at, Visit.visitor_name,
           Visit.relation, Client.registration_number, Client.name.label("client_name"),
           Client.identity_known)
    .join(Stay, Stay.id == Visit.stay_id).join(Client, Client.id == Stay.client_id)
    .where(Visit.arrived_at >= param("start", UTCDateTime()),
           Visit.arrived_at < param("end", UTCDateTime())),
    order_by=(Visit.arrived_at, Visit.id)))


def visits_on_with_clients(reads, day: date):
    """Asks `reads` (rps_app.reads) for the visits that arrived on the local date `day`, by
    arrival, with their client: rows of id, stay_id, arrived_at, departed_at, visitor_name,
    relation, registration_number, client_name and identity_known."""
    start, end = day_bounds(day, day)
    return reads.ask(VISITS_WITH_CLIENTS, start=start, end=end)


def record_read(actor, visits: list[Visit], where: str) -> None:
    """Visitors' data was shown: log which visits (ids only), kept even if the request
    then fails, as client reads are."""
    if visits:
        audit.record(actor, "read", "visit", None,
                     {"visit_ids": [v.id for v in visits], "part": where},
                     keep_on_failure=True)


def visit_json(visit: Visit) -> dict:
    return {"id": visit.id, "stay_id": visit.stay_id, "visitor_name": visit.visitor_name,
            "relation": visit.relation, "id_number": visit.id_number, "phone": visit.phone,
            "arrived_at": iso(visit.arrived_at), "departed_at": iso(visit.departed_at)}


def clients_of(visits: list[Visit]) -> dict[int, Stay]:
    """stay id -> Stay (client loaded) for the visits shown on a page."""
    ids = {visit.stay_id for visit in visits}
    if not ids:
        return {}
    return {stay.id: stay for stay in db.session.scalars(
        select(Stay).where(Stay.id.in_(ids)).options(selectinload(Stay.client)))}


__all__ = ["record_visit", "record_departure", "visits_on", "visits_on_with_clients",
           "record_read", "visit_json", "get_visit", "clients_of"]
