"""The client flow: intake (BAST penerimaan), placement, isolation, extension, exit.

Services flush and never commit; the request (or command) commits once. Every write is
audited. Placement lives in placement.py and is re-exported here.
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import clock
from ..audit import services as audit
from ..clients import registration
from ..clients.models import Client
from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..facility.models import Bed, Room
from ..fields import FieldErrors, local_date
from ..signals import abscondment_started, stay_exited, stay_exiting, values_from
from .models import (AGENCIES, EXIT_TYPES, FAMILY_EXIT_TYPES, INSTITUTION_EXIT_TYPES,
                     SCREENING_FLAGS, BedAssignment, Belonging, Intake, IsolationDecision,
                     Stay, StayExit, StayExtension)
from .placement import (check_identity_change, close_assignment, current_rooms,  # noqa: F401
                        fitting, fitting_beds, lock_stay, open_assignment, place, place_all)

MAX_BATCH = 200  # clients in one intake
MAX_BELONGINGS = 100
WARNING_DAYS_BEFORE_LIMIT = 2  # the default limit of 7 warns from day 5
MAX_STAY_DAYS_LIMIT = 365
INTAKE_SCREENING_REASON = "Hasil skrining saat penerimaan."


# --- intake --------------------------------------------------------------------------

@dataclass
class _Row:
    index: int
    stay: "StayFields"
    values: dict | None = None     # a new client's columns (clients.registration)
    client_id: int | None = None   # a returning client


def intake(actor, data: dict) -> Intake:
    """Receive a batch (the body of POST /intakes): all rows or none.

    Every row is checked before anything is written; all problems come back in one 422
    with keys `clients.<index>.<field>` (`invalid_nik` when NIK is the only problem).
    A returning client whose stay is still open gives 409 `already_in_shelter`.
    """
    if not isinstance(data, dict):
        raise ValidationError("Data penerimaan harus berupa objek.", {})
    errors = FieldErrors()
    header = _check_intake_header(data, errors)
    received_at = header["received_at"]
    rows = _check_rows(data.get("clients"), local_date(received_at), errors)
    returning = _lock_returning_clients(rows, errors)
    nik_owners = _check_niks(rows, errors)
    if errors:
        raise DomainError("Data penerimaan tidak valid; tidak ada yang disimpan.",
                          errors.fields, code=errors.code(), status=422)
    _refuse_open_stays(rows, returning, nik_owners)

    batch = Intake(**header, received_by_id=actor.user_id, created_at=clock.now())
    db.session.add(batch)
    db.session.flush()
    on_date = local_date(received_at)
    for row in rows:
        client = returning.get(row.client_id) or registration.create_client(
            actor, row.values, on_date)
        _open_stay(actor, batch, client, row)
    audit.record(actor, "create", "intake", batch.id,
                 {"agency": batch.agency, "clients": len(rows)})
    return batch


def _check_intake_header(data: dict, errors: FieldErrors) -> dict:
    header = {
        "agency": errors.choice(data, "agency", AGENCIES, label="Instansi pengirim"),
        "officer_name": errors.text(data, "officer_name", 120, required=True,
                                    label="Nama petugas pengirim"),
        "officer_id_number": errors.text(data, "officer_id_number", 40, required=True,
                                         label="NRP/NIP petugas"),
        "bast_number": errors.text(data, "bast_number", 60, required=True, label="Nomor BAST"),
        "operation_place": errors.text(data, "operation_place", 200, required=True,
                                       label="Tempat penertiban"),
        "operation_at": errors.moment(data, "operation_at", required=True,
                                      label="Waktu penertiban"),
        "received_at": errors.moment(data, "received_at", label="Waktu diterima"),
        "notes": errors.text(data, "notes", 4000, label="Catatan"),
    }
    now = clock.now()
    operation_at = header["operation_at"]
    received_at = header["received_at"] = header["received_at"] or now
    if operation_at is not None and operation_at > now:
        errors.add("operation_at", "Waktu penertiban tidak boleh di masa depan.")
    if received_at > now:
        errors.add("received_at", "Waktu diterima tidak boleh di masa depan.")
    elif operation_at is not None and received_at < operation_at:
        errors.add("received_at", "Waktu diterima tidak boleh sebelum waktu penertiban.")
    return header


@dataclass
class StayFields:
    """The part of an intake row that goes to the new stay."""
    needs_isolation: bool = False
    screening: dict = field(default_factory=dict)
    belongings: list[tuple[str, int]] = field(default_factory=list)


def check_stay_fields(row: dict, errors: FieldErrors) -> StayFields:
    """needs_isolation, screening and belongings: the parts of a row that go to the stay."""
    result = StayFields(needs_isolation=errors.boolean(row, "needs_isolation",
                                                      label="Perlu isolasi"))
    screening = row.get("screening")
    if screening is not None:
        if not isinstance(screening, dict):
            errors.add("screening", "Skrining harus berupa objek {tanda: true/false}.")
        else:
            for flag, value in screening.items():
                if flag not in SCREENING_FLAGS:
                    errors.add(f"screening.{flag}", "Tanda skrining tidak dikenal; yang dikenal: "
                               + ", ".join(SCREENING_FLAGS) + ".")
                elif not isinstance(value, bool):
                    errors.add(f"screening.{flag}", "Harus bernilai true atau false.")
            result.screening = {flag: screening.get(flag) is True for flag in SCREENING_FLAGS}
    belongings = row.get("belongings")
    if belongings is not None:
        if not isinstance(belongings, list) or len(belongings) > MAX_BELONGINGS:
            errors.add("belongings", f"Barang bawaan harus berupa daftar (maks. {MAX_BELONGINGS}).")
        else:
            for index, item in enumerate(belongings):
                item_errors = FieldErrors(f"belongings.{index}.")
                if not isinstance(item, dict):
                    errors.add(f"belongings.{index}", "Harus berupa objek {description, quantity}.")
                    continue
                description = item_errors.text(item, "description", 200, required=True,
                                               label="Uraian barang")
                quantity = item_errors.integer(item, "quantity", 1, 100000, required=True,
                                               label="Jumlah barang")
                errors.merge(item_errors)
                if description and quantity:
                    result.belongings.append((description, quantity))
    return result


def _check_rows(clients, on_date: date, errors: FieldErrors) -> list[_Row]:
    if not isinstance(clients, list) or not clients:
        errors.add("clients", "Daftar klien wajib diisi (minimal satu klien).")
        return []
    if len(clients) > MAX_BATCH:
        errors.add("clients", f"Paling banyak {MAX_BATCH} klien dalam satu penerimaan.")
        return []
    rows = []
    for index, raw in enumerate(clients):
        row_errors = FieldErrors(f"clients.{index}.")
        if not isinstance(raw, dict):
            errors.add(f"clients.{index}", "Setiap klien harus berupa objek.")
            continue
        stay_fields = check_stay_fields(raw, row_errors)
        if "client_id" in raw:
            client_id = row_errors.integer(raw, "client_id", 1, required=True, label="ID klien")
            row = _Row(index, stay_fields, client_id=client_id)
        else:
            row = _Row(index, stay_fields, registration.check_client_row(raw, on_date, row_errors))
        errors.merge(row_errors)
        rows.append(row)
    return rows


def _lock_returning_clients(rows: list[_Row], errors: FieldErrors) -> dict[int, Client]:
    """Lock the returning clients' rows (id order, so that batches never deadlock): the
    open-stay check and the new stay's insert then happen under the lock."""
    ids = {row.client_id for row in rows if row.client_id is not None}
    found = {}
    if ids:
        found = {client.id: client for client in db.session.scalars(
            select(Client).where(Client.id.in_(sorted(ids))).order_by(Client.id)
            .with_for_update().execution_options(populate_existing=True))}
    seen = set()
    for row in rows:
        if row.client_id is None:
            continue
        key = f"clients.{row.index}.client_id"
        if row.client_id not in found:
            errors.add(key, "Klien tidak ditemukan.")
        elif row.client_id in seen:
            errors.add(key, "Klien ini sudah ada di baris lain penerimaan ini.")
        seen.add(row.client_id)
    return found


def _check_niks(rows: list[_Row], errors: FieldErrors) -> dict[int, Client]:
    """Refuse NIKs that repeat; returns {row index: owner} of the NIKs whose owner is
    in the shelter now (that row is an intake of a client whose stay is open: 409)."""
    niks = [(row, row.values["nik"]) for row in rows
            if row.values and row.values.get("nik")]
    if not niks:
        return {}
    registration.lock_nik_registry()
    seen, in_shelter = {}, {}
    for row, nik in niks:
        key = f"clients.{row.index}.nik"
        owner = registration.nik_owner(nik)
        if owner is not None and _has_open_stay(owner.id):
            in_shelter[row.index] = owner
        elif owner is not None:
            errors.add(key, registration.duplicate_nik_message(owner))
        elif nik in seen:
            errors.add(key, f"NIK yang sama sudah ada di baris {seen[nik]} penerimaan ini.")
        seen.setdefault(nik, row.index)
    return in_shelter


def _has_open_stay(client_id: int) -> bool:
    return db.session.scalar(select(Stay.id).where(
        Stay.client_id == client_id, Stay.exited_at.is_(None)).limit(1)) is not None


def _refuse_open_stays(rows: list[_Row], returning: dict[int, Client],
                       nik_owners: dict[int, Client]) -> None:
    fields = {f"clients.{index}.nik":
              f"NIK ini milik klien {owner.registration_number} yang masih berada di RPS."
              for index, owner in nik_owners.items()}
    if returning:
        open_clients = set(db.session.scalars(select(Stay.client_id).where(
            Stay.client_id.in_(returning), Stay.exited_at.is_(None))))
        fields.update({f"clients.{row.index}.client_id":
                       f"Klien {returning[row.client_id].registration_number} masih berada di RPS."
                       for row in rows if row.client_id in open_clients})
    if fields:
        raise Conflict("Klien masih berada di RPS (data tinggalnya belum ditutup).", fields,
                       code="already_in_shelter")


def _open_stay(actor, batch: Intake, client: Client, row: _Row) -> Stay:
    checked = row.stay
    stay = Stay(client_id=client.id, intake_id=batch.id, entered_at=batch.received_at,
                entry_date=local_date(batch.received_at), needs_isolation=checked.needs_isolation,
                screening=checked.screening)
    try:
        with db.session.begin_nested():
            db.session.add(stay)
            db.session.flush()
    except IntegrityError:
        # uq_stays_open_client: the database's last line behind the client lock.
        raise Conflict("Klien masih berada di RPS (data tinggalnya belum ditutup).",
                       {f"clients.{row.index}.client_id": "Klien masih berada di RPS."},
                       code="already_in_shelter") from None
    for description, quantity in checked.belongings:
        db.session.add(Belonging(stay_id=stay.id, description=description, quantity=quantity))
    if checked.needs_isolation:
        db.session.add(IsolationDecision(stay_id=stay.id, needs_isolation=True,
                                         reason=INTAKE_SCREENING_REASON,
                                         decided_by_id=actor.user_id, decided_at=clock.now()))
    db.session.flush()
    audit.record(actor, "create", "stay", stay.id,
                 {"client_id": client.id, "intake_id": batch.id,
                  "needs_isolation": stay.needs_isolation, "belongings": len(checked.belongings)})
    return stay


def bast_number_used(bast_number: str) -> bool:
    """Whether an intake with this BAST number exists (the form warns; it may repeat)."""
    return db.session.scalar(select(Intake.id).where(Intake.bast_number == bast_number)
                             .limit(1)) is not None


# --- isolation and extension ---------------------------------------------------------

@dataclass
class IsolationOutcome:
    stay: Stay
    decision: IsolationDecision
    needs_move: bool  # flagged while in a shelter bed: the board must say "move to isolation"


def _reason(reason, label: str = "Alasan") -> str:
    errors = FieldErrors()
    value = errors.text({"reason": reason}, "reason", 2000, required=True, label=label)
    if errors:
        raise ValidationError(errors.fields["reason"], errors.fields)
    return value


def decide_isolation(actor, stay_id: int, needs_isolation: bool, reason: str) -> IsolationOutcome:
    """Set or clear a stay's isolation flag, as a recorded decision with its reason."""
    if not isinstance(needs_isolation, bool):
        raise ValidationError("Keputusan isolasi harus true atau false.",
                              {"needs_isolation": "Harus bernilai true atau false."})
    reason = _reason(reason)
    stay = lock_stay(stay_id)
    decision = IsolationDecision(stay_id=stay.id, needs_isolation=needs_isolation, reason=reason,
                                 decided_by_id=actor.user_id, decided_at=clock.now())
    previous = stay.needs_isolation
    stay.needs_isolation = needs_isolation
    db.session.add(decision)
    db.session.flush()
    audit.record(actor, "isolation", "stay", stay.id,
                 {"needs_isolation": [previous, needs_isolation], "decision_id": decision.id})
    current = open_assignment(stay.id)
    needs_move = bool(needs_isolation and current is not None
                      and db.session.get(Room, current.room_id).kind != "isolation")
    return IsolationOutcome(stay, decision, needs_move)


def stay_limit(stay: Stay) -> int:
    """Days this stay may last: its extension, else RPS_MAX_STAY_DAYS."""
    return stay.max_stay_days or int(current_app.config["RPS_MAX_STAY_DAYS"])


def extend_stay(actor, stay_id: int, max_stay_days: int, reason: str) -> StayExtension:
    """Allow a stay past its limit (a new, longer limit in days since entry) with a reason."""
    stay = lock_stay(stay_id)
    limit = stay_limit(stay)
    errors = FieldErrors()
    days = errors.integer({"max_stay_days": max_stay_days}, "max_stay_days", limit + 1,
                          MAX_STAY_DAYS_LIMIT, required=True, label="Batas lama tinggal (hari)")
    if errors:
        raise ValidationError("Perpanjangan harus lebih panjang dari batas sekarang "
                              f"({limit} hari).", errors.fields)
    reason = _reason(reason)
    extension = StayExtension(stay_id=stay.id, max_stay_days=days, reason=reason,
                              decided_by_id=actor.user_id, decided_at=clock.now())
    stay.max_stay_days = days
    db.session.add(extension)
    db.session.flush()
    audit.record(actor, "extend", "stay", stay.id,
                 {"max_stay_days": [limit, days], "extension_id": extension.id})
    return extension


# --- exit ----------------------------------------------------------------------------

def exit_stay(actor, stay_id: int, data: dict):
    """End a stay (the body of POST /stays/<id>/exit). Returns (stay, letter or None).

    The open bed assignment closes in the same transaction. The domains that care check
    their part of the exit first (signals.stay_exiting) and react to it after
    (signals.stay_exited): referrals issues the letter of a family, home-region, panti,
    balai or hospital exit, which is returned here.
    """
    if not isinstance(data, dict):
        raise ValidationError("Data keluar harus berupa objek.", {})
    stay = lock_stay(stay_id)
    values = _check_exit(actor, stay, data)
    exited_at = values.pop("exited_at")
    returned_ids = values.pop("returned_belonging_ids")
    stay.exited_at, stay.exit_date = exited_at, local_date(exited_at)
    stay.exit_type = values["exit_type"]
    current = open_assignment(stay.id)
    if current is not None:
        close_assignment(current, exited_at)
    record = StayExit(stay_id=stay.id, institution_id=values["institution_id"],
                      family_contact=values["family_contact"], escort_name=values["escort_name"],
                      notes=values["notes"], recorded_by_id=actor.user_id, recorded_at=clock.now())
    db.session.add(record)
    for belonging in stay.belongings:
        if belonging.id in returned_ids and belonging.returned_at is None:
            belonging.returned_at, belonging.returned_by_id = exited_at, actor.user_id
    db.session.flush()
    audit.record(actor, "exit", "stay", stay.id,
                 {"exit_type": stay.exit_type, "institution_id": record.institution_id,
                  "bed_id": current.bed_id if current is not None else None,
                  "belongings_returned": sorted(returned_ids)})
    letters = values_from(stay_exited, stay, actor=actor, exit=record)
    return stay, (letters[0] if letters else None)


def _check_exit(actor, stay: Stay, data: dict) -> dict:
    errors = FieldErrors()
    exit_type = errors.choice(data, "exit_type", EXIT_TYPES, label="Jenis keluar")
    now = clock.now()
    exited_at = (errors.moment(data, "exited_at", label="Waktu keluar")
                 or (absconded_at(stay) if exit_type == "absconded" else None) or now)
    if exited_at > now:
        errors.add("exited_at", "Waktu keluar tidak boleh di masa depan.")
    elif exited_at < stay.entered_at:
        errors.add("exited_at", "Waktu keluar tidak boleh sebelum waktu masuk.")
    values = {"exit_type": exit_type, "exited_at": exited_at,
              "institution_id": _check_institution(data, exit_type in INSTITUTION_EXIT_TYPES,
                                                   errors),
              "family_contact": _check_family_contact(data, exit_type in FAMILY_EXIT_TYPES,
                                                      errors),
              "escort_name": errors.text(data, "escort_name", 120, label="Nama pengantar"),
              "notes": errors.text(data, "notes", 4000, label="Catatan"),
              "returned_belonging_ids": _check_belonging_ids(stay, data, errors)}
    stay_exiting.send(stay, actor=actor, data=data, exit_type=exit_type,
                      institution_id=values["institution_id"], values=values, errors=errors)
    if errors:
        raise ValidationError("Data keluar tidak valid.", errors.fields)
    return values


def absconded_at(stay: Stay):
    """When a possible abscondment began, as other domains judge it (signals
    abscondment_started; roll call: the first of two or more missed sessions in a row), or
    None. An `absconded` exit defaults its exited_at to it."""
    moments = values_from(abscondment_started, stay)
    return min(moments) if moments else None


def _check_institution(data: dict, required: bool, errors: FieldErrors) -> int | None:
    """A number when required; that it names an active institution is checked by
    referrals, which keeps the directory (signals.stay_exiting)."""
    return errors.integer(data, "institution_id", 1, required=required, label="Lembaga rujukan")


def _check_family_contact(data: dict, required: bool, errors: FieldErrors) -> dict | None:
    contact = data.get("family_contact")
    if contact is None or contact == {}:
        if required:
            errors.add("family_contact", "Kontak keluarga (nama dan alamat) wajib diisi.")
        return None
    if not isinstance(contact, dict):
        errors.add("family_contact", "Kontak keluarga harus berupa objek {name, address, ...}.")
        return None
    contact_errors = FieldErrors("family_contact.")
    clean = {"name": contact_errors.text(contact, "name", 120, required=True, label="Nama keluarga"),
             "relation": contact_errors.text(contact, "relation", 60, label="Hubungan"),
             "address": contact_errors.text(contact, "address", 300, required=True,
                                             label="Alamat keluarga"),
             "phone": contact_errors.text(contact, "phone", 40, label="Telepon")}
    errors.merge(contact_errors)
    return None if contact_errors else clean


def _check_belonging_ids(stay: Stay, data: dict, errors: FieldErrors) -> set[int]:
    ids = data.get("returned_belonging_ids")
    if ids is None:
        return set()
    own = {belonging.id for belonging in stay.belongings}
    if (not isinstance(ids, list)
            or any(isinstance(i, bool) or not isinstance(i, int) for i in ids)):
        errors.add("returned_belonging_ids", "Harus berupa daftar ID barang.")
        return set()
    if not set(ids) <= own:
        errors.add("returned_belonging_ids", "Ada barang yang bukan milik data tinggal ini.")
        return set()
    return set(ids)


# --- reading -------------------------------------------------------------------------

def days_in_shelter(stay: Stay, today: date) -> int:
    """Nights in the shelter (the length of stay of contract.md): 0 on the day of entry."""
    end = min(stay.exit_date, today) if stay.exit_date is not None else today
    return max(0, (end - stay.entry_date).days)


def warning_level(days: int, limit: int) -> str | None:
    """None, `warning` (the limit is near: from day 5 of 7) or `over` (past the limit)."""
    if days > limit:
        return "over"
    if days >= limit - WARNING_DAYS_BEFORE_LIMIT:
        return "warning"
    return None


def stays_with_beds(active: bool | None = True, limit: int | None = None, offset: int = 0):
    """(stay, bed_id, room_code) rows, newest entry first, in one statement.
    active=True: open stays (GET /stays?active=true); False: exited; None: all."""
    stmt = (select(Stay, BedAssignment.bed_id, Room.code)
            .outerjoin(BedAssignment, and_(BedAssignment.stay_id == Stay.id,
                                           BedAssignment.end_at.is_(None)))
            .outerjoin(Room, Room.id == BedAssignment.room_id)
            .order_by(Stay.entered_at.desc(), Stay.id.desc()))
    if active is True:
        stmt = stmt.where(Stay.exited_at.is_(None))
    elif active is False:
        stmt = stmt.where(Stay.exited_at.is_not(None))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return db.session.execute(stmt).all()


def active_stays():
    """Open stays with their bed and room code (GET /stays?active=true)."""
    return stays_with_beds(active=True)


def bed_is_occupied(bed_id: int) -> bool:
    return db.session.scalar(select(BedAssignment.id).where(
        BedAssignment.bed_id == bed_id, BedAssignment.end_at.is_(None)).limit(1)) is not None


def stays_of(client_id: int) -> list[Stay]:
    """A client's stays, oldest first, with what the client's record shows of them (beds,
    belongings, exits, intakes), in a fixed number of queries."""
    # One statement: the stays joined to their beds, rooms, belongings, exits and intakes
    # (a client has a few stays of a few rows each, so the joined rows stay few).
    return list(db.session.scalars(
        select(Stay).where(Stay.client_id == client_id)
        .order_by(Stay.entered_at, Stay.id).options(*_in_full())).unique())


def _in_full() -> tuple:
    return (joinedload(Stay.assignments).joinedload(BedAssignment.bed).joinedload(Bed.room),
            joinedload(Stay.belongings),
            joinedload(Stay.exit).joinedload(StayExit.institution),
            joinedload(Stay.intake))


def stay_in_full(stay_id: int) -> Stay:
    """One stay with what stays_of loads of each (one statement)."""
    stay = db.session.scalars(select(Stay).where(Stay.id == stay_id).options(*_in_full())
                              ).unique().first()
    if stay is None:
        raise NotFound("Data tinggal (stay) tidak ditemukan.")
    return stay


def intake_with_clients(intake_id: int) -> Intake | None:
    """The intake with its stays and their clients (one statement)."""
    return db.session.get(Intake, intake_id, options=(
        joinedload(Intake.stays).joinedload(Stay.client),))


def stay_record(stay_id: int) -> Stay:
    """The stay with what its page shows (client, intake, beds, belongings, exit) in one
    statement; 404 when unknown."""
    stay = db.session.scalars(
        select(Stay).where(Stay.id == stay_id)
        .options(joinedload(Stay.client), joinedload(Stay.intake),
                 joinedload(Stay.assignments).joinedload(BedAssignment.bed)
                 .joinedload(Bed.room),
                 joinedload(Stay.belongings),
                 joinedload(Stay.exit).joinedload(StayExit.institution))).unique().first()
    if stay is None:
        raise NotFound("Data tinggal (stay) tidak ditemukan.")
    return stay


def get_stay(stay_id: int) -> Stay:
    stay = db.session.get(Stay, stay_id)
    if stay is None:
        raise NotFound("Data tinggal (stay) tidak ditemukan.")
    return stay


__all__ = ["intake", "place", "place_all", "fitting_beds", "fitting", "current_rooms",
           "intake_with_clients", "decide_isolation", "extend_stay", "exit_stay",
           "days_in_shelter", "warning_level", "stay_limit", "stays_with_beds", "active_stays",
           "bed_is_occupied", "bast_number_used", "get_stay", "stay_record", "stays_of",
           "stay_in_full", "IsolationOutcome"]
