"""Bookings of the therapy rooms, the communal rooms and the guest house.

Two bookings of one room may not overlap: intervals are half-open [starts_at, ends_at), so
one ending at 10:00 and the next starting at 10:00 are both fine, and a cancelled booking
frees its time. The check runs under a lock of the room's row (PostgreSQL: SELECT ... FOR
UPDATE, the row that placement and bed changes lock too; SQLite: every write transaction
holds the database's write lock from BEGIN IMMEDIATE), so two officers booking the same
hour at the same second get one booking and one 409 `room_booked`.

A therapy session names its clients (open stays) and its counsellor; the note written
after the session becomes a case note on each client's stay (stays.notes).
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..audit import services as audit
from ..audit.services import Actor
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..facility import services as facility
from ..facility.models import Room
from ..fields import FieldErrors, iso, local_date
from ..operations import staff as staff_register
from ..operations.models import Staff
from ..stays import notes
from ..stays.models import NOTE_KINDS, Stay
from .models import BOOKABLE_KINDS, Booking, BookingClient

MAX_DURATION = timedelta(days=31)   # a family in the guest house for a few weeks at most
MAX_AHEAD = timedelta(days=366)     # bookings within a year
MAX_RANGE_DAYS = 92                 # GET /bookings?from=&to=
MAX_CLIENTS = 30                    # clients in one session (a group in the communal room)
MAX_ID = 2 ** 31 - 1                # an id beyond any row (and any database integer)
SESSION_NOTE_KIND = "guidance"      # bimbingan: what a psychosocial session is


# --- reading --------------------------------------------------------------------------

def bookable_rooms() -> list[Room]:
    return list(db.session.scalars(
        select(Room).where(Room.kind.in_(BOOKABLE_KINDS), Room.active.is_(True))
        .order_by(Room.sort_order, Room.id)))


def get_booking(booking_id: int) -> Booking:
    return found(db.session.get(Booking, booking_id, options=(
        selectinload(Booking.clients), joinedload(Booking.room))),
        "Pemesanan ruang tidak ditemukan.")


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments from the local start of `first` to the local end of `last`."""
    zone = clock.local_zone()
    return (datetime.combine(first, time(), zone),
            datetime.combine(last + timedelta(days=1), time(), zone))


def bookings_between(start: datetime, end: datetime, room_id: int | None = None,
                     include_cancelled: bool = False, stay_ids=None) -> list[Booking]:
    """Bookings overlapping [start, end), by start time (clients and room loaded)."""
    stmt = (select(Booking).where(Booking.starts_at < end, Booking.ends_at > start)
            .options(selectinload(Booking.clients), selectinload(Booking.room))
            .order_by(Booking.starts_at, Booking.id))
    if room_id is not None:
        stmt = stmt.where(Booking.room_id == room_id)
    if not include_cancelled:
        stmt = stmt.where(Booking.cancelled_at.is_(None))
    if stay_ids is not None:
        stmt = stmt.where(Booking.id.in_(select(BookingClient.booking_id)
                                         .where(BookingClient.stay_id.in_(list(stay_ids)))))
    return list(db.session.scalars(stmt))


def bookings_of_stays(stay_ids) -> list[Booking]:
    """Every booking naming one of these stays (cancelled ones too), newest first."""
    stay_ids = list(stay_ids)
    if not stay_ids:
        return []
    # One statement: a booking has one room and a few clients.
    return list(db.session.scalars(
        select(Booking).where(Booking.id.in_(select(BookingClient.booking_id)
                                             .where(BookingClient.stay_id.in_(stay_ids))))
        .options(joinedload(Booking.clients), joinedload(Booking.room))
        .order_by(Booking.starts_at.desc(), Booking.id.desc())).unique())


def check_range(data: dict, default_days: int = 7) -> tuple[date, date]:
    """`from` and `to` (dates, inclusive) of a list query; default: a week from today."""
    errors = FieldErrors()
    first = errors.date(data, "from", label="Dari tanggal")
    last = errors.date(data, "to", label="Sampai tanggal")
    if errors:
        raise ValidationError("Rentang tanggal tidak valid.", errors.fields)
    first = first or clock.local_today()
    last = last or first + timedelta(days=default_days - 1)
    if last < first:
        raise ValidationError("Tanggal akhir sebelum tanggal awal.",
                              {"to": "Sampai tanggal tidak boleh sebelum dari tanggal."})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationError("Rentang tanggal terlalu panjang.",
                              {"to": f"Rentang paling lama {MAX_RANGE_DAYS} hari."})
    return first, last


# --- staff ----------------------------------------------------------------------------

def counsellor_register() -> list[Staff]:
    """The active members of the staff register by name: who may hold a session
    (operations; a counsellor from outside needs no login)."""
    return staff_register.list_staff(active_only=True)


def counsellors(members: list[Staff] | None = None) -> list[tuple[int, str]]:
    """Who may hold a session, (id, name) by name (of `members`, counsellor_register()
    already read)."""
    return [(member.id, member.name)
            for member in (counsellor_register() if members is None else members)]


def default_counsellor(user_id: int | None, members: list[Staff] | None = None) -> int | None:
    """The counsellor a form offers first: the signed-in user's entry in the register
    (found among `members`, counsellor_register() already read, without a query)."""
    if user_id is None:
        return None
    if members is not None:  # a user has at most one entry (staff.user_id is unique)
        return next((member.id for member in members if member.user_id == user_id), None)
    return db.session.scalar(select(Staff.id).where(Staff.user_id == user_id,
                                                    Staff.active.is_(True)))


def _check_staff(staff_id, required: bool, errors: FieldErrors,
                 starts_at: datetime | None, ends_at: datetime | None) -> int | None:
    """An active member of the staff register, not on leave on a day of the booking."""
    value = errors.integer({"staff_id": staff_id}, "staff_id", 1, MAX_ID, required=required,
                           label="Konselor / petugas")
    if value is None:
        return None
    member = db.session.get(Staff, value)
    if member is None or not member.active:
        errors.add("staff_id", "Konselor / petugas tidak dikenal atau tidak aktif.")
        return None
    if starts_at is not None and ends_at is not None and ends_at > starts_at:
        day, last = local_date(starts_at), local_date(ends_at - timedelta(microseconds=1))
        while day <= last and day - local_date(starts_at) <= MAX_DURATION:
            if staff_register.on_leave(member.id, day) is not None:
                errors.add("staff_id", f"{member.name} tidak bertugas (cuti/sakit/dinas luar) "
                                       f"pada {day:%d/%m/%Y}.")
                return None
            day += timedelta(days=1)
    return value


def counsellor_names(staff_ids) -> dict[int, str]:
    """Names of the staff members `staff_ids` (no query for none)."""
    ids = {ident for ident in staff_ids if ident}
    if not ids:
        return {}
    return dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def user_names(user_ids) -> dict[int, str]:
    """Who booked, reported or closed something (users)."""
    return notes.staff_names(user_ids)


# --- booking --------------------------------------------------------------------------

def _check_stays(raw, required: bool, errors: FieldErrors) -> list[Stay]:
    """Open stays named by `stay_ids`; 409 already_exited when one of them is closed."""
    if raw in (None, []):
        if required:
            errors.add("stay_ids", "Sesi terapi wajib menyebut klien (minimal satu).")
        return []
    if (not isinstance(raw, list) or len(raw) > MAX_CLIENTS
            or any(isinstance(i, bool) or not isinstance(i, int) or not 0 < i <= MAX_ID
                   for i in raw)):
        errors.add("stay_ids", f"Harus berupa daftar ID data tinggal (paling banyak {MAX_CLIENTS}).")
        return []
    ids = list(dict.fromkeys(raw))
    stays = {stay.id: stay for stay in db.session.scalars(select(Stay).where(Stay.id.in_(ids)))}
    missing = [i for i in ids if i not in stays]
    if missing:
        errors.add("stay_ids", "Data tinggal tidak ditemukan: " + ", ".join(map(str, missing)) + ".")
        return []
    return [stays[i] for i in ids]


def _lock_open(stays: list[Stay]) -> None:
    """Lock the named stays (id order, as an exit locks its stay before anything else), so
    that no session is booked for a client whose exit commits meanwhile; 409
    already_exited when one has left."""
    if not stays:
        return
    list(db.session.scalars(select(Stay).where(Stay.id.in_(sorted(s.id for s in stays)))
                            .order_by(Stay.id).with_for_update()
                            .execution_options(populate_existing=True)))
    closed = [stay.id for stay in stays if stay.exited_at is not None]
    if closed:
        raise Conflict("Klien sudah keluar dari RPS; sesi hanya untuk klien yang masih tinggal.",
                       {"stay_ids": "Data tinggal sudah ditutup: " + ", ".join(map(str, closed)) + "."},
                       code="already_exited")


def _check_times(data: dict, errors: FieldErrors) -> tuple[datetime | None, datetime | None]:
    starts_at = errors.moment(data, "starts_at", required=True, label="Waktu mulai")
    ends_at = errors.moment(data, "ends_at", required=True, label="Waktu selesai")
    if starts_at is None or ends_at is None:
        return starts_at, ends_at
    now = clock.now()
    if ends_at <= starts_at:
        errors.add("ends_at", "Waktu selesai harus sesudah waktu mulai.")
    elif ends_at - starts_at > MAX_DURATION:
        errors.add("ends_at", f"Pemesanan paling lama {MAX_DURATION.days} hari.")
    if starts_at > now + MAX_AHEAD:
        errors.add("starts_at", "Pemesanan paling jauh satu tahun ke depan.")
    elif ends_at < now - MAX_AHEAD:
        errors.add("starts_at", "Waktu terlalu jauh di masa lalu.")
    return starts_at, ends_at


def overlapping(room_id: int, starts_at: datetime, ends_at: datetime,
                except_id: int | None = None) -> Booking | None:
    """The first booking of the room (not cancelled) that overlaps [starts_at, ends_at)."""
    stmt = (select(Booking).where(Booking.room_id == room_id, Booking.cancelled_at.is_(None),
                                  Booking.starts_at < ends_at, Booking.ends_at > starts_at)
            .order_by(Booking.starts_at).limit(1))
    if except_id is not None:
        stmt = stmt.where(Booking.id != except_id)
    return db.session.scalar(stmt)


def book(actor, data: dict) -> Booking:
    """The body of POST /bookings: {room_id, starts_at, ends_at, purpose, stay_ids?,
    staff_id?}. 422 naming the field; 409 room_booked when the time is taken, 409
    already_exited when a named client has left."""
    if not isinstance(data, dict):
        raise ValidationError("Data pemesanan harus berupa objek.", {})
    errors = FieldErrors()
    room_id = errors.integer(data, "room_id", 1, MAX_ID, required=True, label="Ruang")
    room = db.session.get(Room, room_id) if room_id is not None else None
    if room_id is not None and (room is None or not room.active):
        errors.add("room_id", "Ruang tidak ditemukan.")
    elif room is not None and room.kind not in BOOKABLE_KINDS:
        errors.add("room_id", "Hanya ruang terapi, ruang komunal dan guest house yang dapat dipesan.")
    starts_at, ends_at = _check_times(data, errors)
    purpose = errors.text(data, "purpose", 200, required=True, label="Keperluan")
    therapy = room is not None and room.kind == "therapy"
    stays = _check_stays(data.get("stay_ids"), therapy, errors)
    staff_id = _check_staff(data.get("staff_id"), therapy, errors, starts_at, ends_at)
    if errors:
        raise ValidationError("Data pemesanan tidak valid; tidak ada yang disimpan.",
                              errors.fields)
    _lock_open(stays)
    facility.get_room(room.id, lock=True)  # one booking at a time per room
    taken = overlapping(room.id, starts_at, ends_at)
    if taken is not None:
        when = (f"{clock.to_local(taken.starts_at):%d/%m/%Y %H:%M}–"
                f"{clock.to_local(taken.ends_at):%d/%m/%Y %H:%M}")
        raise Conflict(f"Ruang {room.code} sudah dipesan pada {when}.",
                       {"starts_at": f"Bertabrakan dengan pemesanan {when}."},
                       code="room_booked")
    booking = Booking(room_id=room.id, starts_at=starts_at, ends_at=ends_at, purpose=purpose,
                      staff_id=staff_id, created_by_id=actor.user_id, created_at=clock.now())
    booking.clients = [BookingClient(stay_id=stay.id) for stay in stays]
    db.session.add(booking)
    db.session.flush()
    audit.record(actor, "create", "booking", booking.id,
                 {"room_id": room.id, "starts_at": starts_at.isoformat(),
                  "ends_at": ends_at.isoformat(), "stay_ids": [s.id for s in stays],
                  "staff_id": staff_id})
    return booking


def cancel(actor, booking_id: int, reason: str | None = None) -> Booking:
    """Cancel a booking: its time is free again; the row stays on record."""
    booking = get_booking(booking_id)
    errors = FieldErrors()
    reason = errors.text({"reason": reason}, "reason", 200, label="Alasan pembatalan")
    if errors:
        raise ValidationError("Alasan pembatalan tidak valid.", errors.fields)
    facility.get_room(booking.room_id, lock=True)
    db.session.refresh(booking)
    if booking.cancelled_at is not None:
        raise Conflict("Pemesanan ini sudah dibatalkan.", {"booking_id": "Sudah dibatalkan."},
                       code="already_cancelled")
    booking.cancelled_at, booking.cancelled_by_id = clock.now(), actor.user_id
    booking.cancel_reason = reason
    db.session.flush()
    audit.record(actor, "cancel", "booking", booking.id, {"room_id": booking.room_id})
    return booking


def cancel_sessions_of_exited(stay, actor=None, **_kwargs) -> None:
    """stay_exited: the client has left, so the sessions still to come that name only
    clients who have left are cancelled (a group session keeps its other clients)."""
    moment = stay.exited_at or clock.now()
    for booking in bookings_of_stays([stay.id]):
        if booking.cancelled_at is not None or booking.starts_at <= moment:
            continue
        named = db.session.scalars(select(Stay.exited_at).where(Stay.id.in_(booking.stay_ids)))
        if all(exited is not None for exited in named):
            cancel(actor or Actor.system("exit"), booking.id, "Klien keluar dari RPS.")


def write_note(actor, booking_id: int, body: str, kind: str = SESSION_NOTE_KIND) -> list:
    """The note of a held session, written as a case note on each client's stay.
    Returns the case notes. Once per session; a correction goes through the stay's notes."""
    booking = get_booking(booking_id)
    errors = FieldErrors()
    body = errors.text({"body": body}, "body", notes.MAX_NOTE, required=True,
                       label="Catatan sesi")
    if errors:
        raise ValidationError("Catatan sesi tidak valid.", errors.fields)
    if not booking.clients:
        raise ValidationError("Pemesanan ini tidak menyebut klien; catatan sesi tidak dapat ditulis.",
                              {"booking_id": "Tidak ada klien dalam sesi ini."})
    if not isinstance(kind, str) or kind not in NOTE_KINDS:
        raise ValidationError("Jenis catatan tidak dikenal.", {"kind": "Jenis catatan tidak dikenal."})
    if booking.cancelled_at is not None:
        raise Conflict("Sesi ini dibatalkan; tidak ada catatan sesi.",
                       {"booking_id": "Sudah dibatalkan."}, code="already_cancelled")
    if booking.starts_at > clock.now():
        raise Conflict("Sesi belum dimulai; catatan ditulis sesudah sesi.",
                       {"booking_id": "Sesi belum dimulai."}, code="session_not_held")
    if booking.noted_at is not None:
        raise Conflict("Catatan sesi ini sudah ditulis; koreksi lewat catatan kasus klien.",
                       {"booking_id": "Catatan sudah ditulis."}, code="note_exists")
    written = []
    for row in booking.clients:
        note = notes.add_note(actor, row.stay_id, kind, body)
        row.note_id = note.id
        written.append(note)
    booking.noted_at = clock.now()
    db.session.flush()
    audit.record(actor, "note", "booking", booking.id, {"note_ids": [n.id for n in written]})
    return written


def booking_json(booking: Booking) -> dict:
    return {"id": booking.id, "room_id": booking.room_id, "room_code": booking.room.code,
            "kind": booking.room.kind, "starts_at": iso(booking.starts_at),
            "ends_at": iso(booking.ends_at), "purpose": booking.purpose,
            "stay_ids": booking.stay_ids, "staff_id": booking.staff_id,
            "status": "cancelled" if booking.cancelled else "booked",
            "cancelled_at": iso(booking.cancelled_at),
            "note_ids": [row.note_id for row in booking.clients if row.note_id]}


__all__ = ["book", "cancel", "write_note", "bookings_between", "bookings_of_stays",
           "bookable_rooms", "get_booking", "check_range", "day_bounds", "overlapping",
           "booking_json", "counsellors", "counsellor_names", "user_names"]
