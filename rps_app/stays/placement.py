"""Placing a stay in a bed: the placement rules of contract.md, checked under a room lock.

One transaction locks the rows of the rooms involved (PostgreSQL: SELECT ... ORDER BY id
FOR UPDATE; SQLite: every write transaction is BEGIN IMMEDIATE), reads who sleeps there
now, checks the rules and writes the dated assignment. The partial unique index on open
assignments per bed is the database's last line: a lost race becomes a clean 409.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit import services as audit
from ..clients.models import Client
from ..errors import Conflict, DomainError, NotFound, ValidationError, found
from ..extensions import db
from ..facility.models import RESIDENTIAL_KINDS, Bed, Room, bed_in_service
from ..fields import local_date
from .models import BedAssignment, Stay

ELDERLY_AGE = 60


@dataclass
class RoomState:
    """A room as placement sees it: its beds and who occupies them now (locked for a
    placement, or read as it is for a page)."""
    room: Room
    beds: list[Bed] = field(default_factory=list)
    occupant_by_bed: dict[int, tuple[int, Client]] = field(default_factory=dict)  # bed -> (stay, client)
    # Read with the beds in SQL (current_rooms: the beds' outages are not loaded); None:
    # each bed's own `usable` (lock_rooms loads the outages).
    usable_beds: set[int] | None = None
    stay_by_bed: dict[int, Stay] = field(default_factory=dict)  # current_rooms(occupants="stay")

    def occupants(self, except_stay: int | None = None) -> list[Client]:
        return [client for stay_id, client in self.occupant_by_bed.values()
                if stay_id != except_stay]

    def usable(self, bed: Bed) -> bool:
        return bed.usable if self.usable_beds is None else bed.id in self.usable_beds

    def free_beds(self) -> list[Bed]:
        return [bed for bed in self.beds
                if self.usable(bed) and bed.id not in self.occupant_by_bed]


# --- reading under lock --------------------------------------------------------------

def lock_stay(stay_id) -> Stay:
    """The stay, its row locked until commit; 404 when unknown, 409 when it has exited."""
    stay = db.session.execute(
        select(Stay).where(Stay.id == stay_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if stay is None:
        raise NotFound("Data tinggal (stay) tidak ditemukan.", {"stay_id": "Tidak ditemukan."})
    if stay.exited_at is not None:
        raise Conflict("Klien sudah keluar dari RPS; data tinggal ini sudah ditutup.",
                       {"stay_id": "Sudah keluar."}, code="already_exited")
    return stay


def open_assignment(stay_id: int) -> BedAssignment | None:
    return db.session.scalar(select(BedAssignment).where(
        BedAssignment.stay_id == stay_id, BedAssignment.end_at.is_(None)))


def lock_rooms(room_ids=None) -> dict[int, RoomState]:
    """Lock rooms (given ids, or every active residential room) in id order, then read
    their beds and open assignments fresh: four statements whatever the number of rooms."""
    return room_states(room_ids, lock=True)


def room_states(room_ids=None, lock: bool = False) -> dict[int, RoomState]:
    """The rooms (given ids, or every active residential room) with their beds and who
    sleeps in each now; locked (for a placement) or a plain read (to show choices)."""
    stmt = select(Room).order_by(Room.id)
    if lock:
        stmt = stmt.with_for_update()
    if room_ids is None:
        stmt = stmt.where(Room.kind.in_(RESIDENTIAL_KINDS), Room.active.is_(True))
    else:
        stmt = stmt.where(Room.id.in_(sorted(set(room_ids))))
    rooms = db.session.scalars(stmt.execution_options(populate_existing=True)).all()
    states = {room.id: RoomState(room) for room in rooms}
    if not states:
        return states
    beds = db.session.scalars(
        select(Bed).where(Bed.room_id.in_(states)).options(selectinload(Bed.outages))
        .order_by(Bed.sort_order, Bed.id).execution_options(populate_existing=True))
    for bed in beds:
        states[bed.room_id].beds.append(bed)
    rows = db.session.execute(
        select(BedAssignment.room_id, BedAssignment.bed_id, BedAssignment.stay_id, Client)
        .join(Stay, Stay.id == BedAssignment.stay_id).join(Client, Client.id == Stay.client_id)
        .where(BedAssignment.room_id.in_(states), BedAssignment.end_at.is_(None)))
    for room_id, bed_id, stay_id, client in rows:
        states[room_id].occupant_by_bed[bed_id] = (stay_id, client)
    return states


def current_rooms(residential: bool = True, occupants: str = "client",
                  sex: str | None = None) -> list[RoomState]:
    """The active rooms (shelter and isolation only, or all) as they are now, without a
    lock, in board order: their beds in use (retired ones left out), which of them are
    usable, and who sleeps in each: `occupants` "client" (the stay id and the client, what
    the rules ask), "stay" (the stay too, in stay_by_bed: the bed board) or "id" (the stay
    id only). `sex`: of the shelter rooms only that sex's (rule 1: the rooms one client
    may go to, for the stay page). One statement whatever the number of rooms, beds and
    stays: the bed board, the stay and intake pages and GET /rooms read it once (a
    placement reads again under lock)."""
    who = {"stay": (Stay, Client), "client": (BedAssignment.stay_id, Client),
           "id": (BedAssignment.stay_id,)}[occupants]
    stmt = (select(Room, Bed, bed_in_service(), *who)
            .outerjoin(Bed, and_(Bed.room_id == Room.id, Bed.retired_at.is_(None)))
            .outerjoin(BedAssignment, and_(BedAssignment.bed_id == Bed.id,
                                           BedAssignment.end_at.is_(None)))
            .where(Room.active.is_(True))
            .order_by(Room.sort_order, Room.id, Bed.sort_order, Bed.id))
    if occupants != "id":
        stmt = (stmt.outerjoin(Stay, Stay.id == BedAssignment.stay_id)
                .outerjoin(Client, Client.id == Stay.client_id))
    if residential:
        stmt = stmt.where(Room.kind.in_(RESIDENTIAL_KINDS))
    if sex is not None:
        stmt = stmt.where(or_(Room.kind != "shelter", Room.sex == sex))
    states: dict[int, RoomState] = {}
    for room, bed, in_service, *occupant in db.session.execute(stmt):
        state = states.get(room.id)
        if state is None:
            state = states[room.id] = RoomState(room, usable_beds=set())
        if bed is None:
            continue
        state.beds.append(bed)
        if in_service:
            state.usable_beds.add(bed.id)
        if occupant[0] is None:
            continue
        if occupants == "stay":
            stay, client = occupant
            state.stay_by_bed[bed.id] = stay
            occupant = (stay.id, client)
        state.occupant_by_bed[bed.id] = (*occupant, None)[:2]  # (stay id, client or None)
    return list(states.values())


# --- the rules -----------------------------------------------------------------------

def refusal(stay: Stay, client: Client, state: RoomState, on: date,
            field_name: str = "room_id", check_isolation: bool = True) -> DomainError | None:
    """Why this stay may not go into this room (rules 1, 3, 5 and room tags), or None."""
    room = state.room
    if check_isolation and (not room.active or room.kind not in RESIDENTIAL_KINDS):
        return ValidationError(f"Ruang {room.code} bukan ruang hunian aktif.",
                               {field_name: "Hanya ruang shelter atau isolasi yang aktif."})
    if check_isolation and stay.needs_isolation and room.kind != "isolation":
        return DomainError("Klien ditandai perlu isolasi: tempatkan di ruang isolasi.",
                           {field_name: "Klien ini harus di ruang isolasi."},
                           code="isolation_required")
    if room.kind == "shelter" and room.sex != client.sex:
        return DomainError(f"Ruang {room.code} khusus {_sex_word(room.sex)}.",
                           {field_name: "Jenis kelamin klien tidak sesuai dengan ruang."},
                           code="sex_mismatch")
    minor = client.is_minor_on(on)
    if room.tag == "anak" and not minor:
        return _age_mix(field_name, f"Ruang {room.code} khusus anak (di bawah 18 tahun).")
    if room.tag == "lansia" and client.age_on(on) < ELDERLY_AGE:
        return _age_mix(field_name, f"Ruang {room.code} khusus lansia ({ELDERLY_AGE} tahun ke atas).")
    if any(other.is_minor_on(on) != minor for other in state.occupants(except_stay=stay.id)):
        return _age_mix(field_name, "Anak dan orang dewasa tidak boleh berada di ruang yang sama.")
    return None


def _age_mix(field_name: str, message: str) -> DomainError:
    return DomainError(message, {field_name: message}, code="age_mix")


def _sex_word(sex: str | None) -> str:
    return {"L": "laki-laki", "P": "perempuan"}.get(sex or "", "-")


def _bed_refusal(bed: Bed, state: RoomState) -> DomainError | None:
    if bed.retired_at is not None or not bed.in_service:
        return ValidationError(f"Tempat tidur {state.room.code}/{bed.label} tidak tersedia.",
                               {"bed_id": "Tempat tidur dipensiunkan atau sedang tidak dipakai."})
    if bed.id in state.occupant_by_bed:
        return Conflict(f"Tempat tidur {state.room.code}/{bed.label} sudah ditempati.",
                        {"bed_id": "Tempat tidur sudah ditempati."}, code="bed_occupied")
    return None


def _room_full(state: RoomState, field_name: str = "room_id") -> Conflict:
    return Conflict(f"Ruang {state.room.code} tidak punya tempat tidur kosong.",
                    {field_name: "Tidak ada tempat tidur kosong."}, code="room_full")


def _no_fitting_bed(stay: Stay, client: Client, on: date) -> Conflict:
    """room_full for best fit, saying which kind of bed is missing."""
    if stay.needs_isolation:
        message = "Semua ruang isolasi penuh."
    else:
        message = f"Tidak ada tempat tidur kosong di shelter {_sex_word(client.sex)} yang sesuai"
        message += " untuk anak (ruang tanpa orang dewasa)." if client.is_minor_on(on) else "."
    return Conflict(message, {"room_id": message}, code="room_full")


# --- choosing ------------------------------------------------------------------------

def fitting_beds(stay_ids, on: date) -> dict[int, list[tuple[Room, Bed]]]:
    """Per open stay, the free beds the rules let it go to now, as (room, bed) in the
    board's order (read without locks; a placement checks again under lock). Two
    statements whatever the number of stays; pages that have read the stays and the rooms
    already ask `fitting` instead."""
    stay_ids = sorted(set(stay_ids))
    if not stay_ids:
        return {}
    rows = db.session.execute(select(Stay, Client).join(Client, Client.id == Stay.client_id)
                              .where(Stay.id.in_(stay_ids), Stay.exited_at.is_(None)))
    return fitting(rows.all(), current_rooms(), on)


def fitting(stays, states, on: date) -> dict[int, list[tuple[Room, Bed]]]:
    """The one decision the bed board, its script, the stay page and the intake result
    show: per open stay of `stays` ((stay, client) pairs), the free beds of `states`
    (current_rooms) the rules let it go to now, as (room, bed) in the board's order."""
    offered = [(state, free) for state in sorted(
        states, key=lambda state: (state.room.sort_order, state.room.id))
        if (free := state.free_beds())]
    return {stay.id: [(state.room, bed) for state, free in offered
                      if refusal(stay, client, state, on) is None for bed in free]
            for stay, client in stays if stay.exited_at is None}


def _preferred_kind(stay: Stay) -> str:
    return "isolation" if stay.needs_isolation else "shelter"


def _rank(state: RoomState, client: Client, on: date, stay_id: int) -> tuple:
    """Best fit order: a room tagged for the client's age group first, then the fullest
    (so that empty rooms stay free for another sex or age group), then the usual order."""
    tagged_for = "anak" if client.is_minor_on(on) else (
        "lansia" if client.age_on(on) >= ELDERLY_AGE else None)
    return (state.room.tag != tagged_for if tagged_for else 0,
            -len(state.occupants(except_stay=stay_id)), state.room.sort_order, state.room.id)


def best_fit(stay: Stay, client: Client, current: BedAssignment | None,
             on: date) -> tuple[RoomState, Bed] | None:
    """The bed best fit for the stay (None: its current bed already fits best)."""
    states = lock_rooms()
    kind = _preferred_kind(stay)
    if current is not None and current.room_id in states:
        here = states[current.room_id]
        if here.room.kind == kind and refusal(stay, client, here, on) is None:
            return None
    fitting = [state for state in states.values()
               if state.room.kind == kind and state.free_beds()
               and refusal(stay, client, state, on) is None]
    if not fitting:
        raise _no_fitting_bed(stay, client, on)
    chosen = min(fitting, key=lambda state: _rank(state, client, on, stay.id))
    return chosen, chosen.free_beds()[0]


def _target(stay: Stay, client: Client, current: BedAssignment | None, on: date,
            bed_id, room_id) -> tuple[RoomState, Bed] | None:
    """The room and bed asked for, checked (None: the stay is already there)."""
    source = [current.room_id] if current is not None else []
    if bed_id is not None:
        bed = found(db.session.get(Bed, bed_id), "Tempat tidur tidak ditemukan.",
                    {"bed_id": "Tidak ditemukan."})
        if room_id is not None and bed.room_id != room_id:
            raise ValidationError("Tempat tidur bukan bagian dari ruang yang dipilih.",
                                  {"bed_id": "Tempat tidur bukan bagian dari ruang ini."})
        state = lock_rooms([bed.room_id, *source])[bed.room_id]
        if current is not None and current.bed_id == bed.id:
            return None
        bed = next(b for b in state.beds if b.id == bed.id)
        problem = refusal(stay, client, state, on, "bed_id") or _bed_refusal(bed, state)
        if problem:
            raise problem
        return state, bed
    states = lock_rooms([room_id, *source])
    state = states.get(room_id)
    if state is None:
        raise NotFound("Ruang tidak ditemukan.", {"room_id": "Tidak ditemukan."})
    if current is not None and current.room_id == room_id:
        return None
    problem = refusal(stay, client, state, on)
    if problem:
        raise problem
    free = state.free_beds()
    if not free:
        raise _room_full(state)
    return state, free[0]


# --- writing -------------------------------------------------------------------------

def place(actor, stay_id: int, bed_id: int | None = None,
          room_id: int | None = None) -> BedAssignment:
    """Place (or move) a stay: into `bed_id`, any free bed of `room_id`, or the best fit.

    Asking for the bed or room the stay is already in changes nothing and returns the
    current assignment.
    """
    stay = lock_stay(stay_id)
    client = stay.client
    current = open_assignment(stay.id)
    at = clock.now()
    on = local_date(at)
    if bed_id is None and room_id is None:
        target = best_fit(stay, client, current, on)
    else:
        target = _target(stay, client, current, on, bed_id, room_id)
    if target is None:
        return current
    state, bed = target
    return _assign(actor, stay, client, state.room, bed, current, at)


def _assign(actor, stay: Stay, client: Client, room: Room, bed: Bed,
            current: BedAssignment | None, at: datetime) -> BedAssignment:
    if current is not None:  # a move: the old assignment ends when the new one starts
        close_assignment(current, at)
    assignment = BedAssignment(stay_id=stay.id, bed_id=bed.id, room_id=room.id,
                               room_sex=room.sex, client_sex=client.sex, start_at=at,
                               start_date=local_date(at), placed_by_id=actor.user_id)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        # Another transaction took the bed between our read and our write.
        raise Conflict(f"Tempat tidur {room.code}/{bed.label} baru saja ditempati.",
                       {"bed_id": "Tempat tidur sudah ditempati."}, code="bed_occupied") from None
    audit.record(actor, "move" if current is not None else "place", "stay", stay.id,
                 {"bed_id": bed.id, "room_id": room.id,
                  "from_bed_id": current.bed_id if current is not None else None})
    return assignment


def close_assignment(assignment: BedAssignment, at: datetime) -> None:
    # A backdated exit never ends an assignment before it started.
    end = max(at, assignment.start_at)
    assignment.end_at = end
    assignment.end_date = local_date(end)
    db.session.flush()


def place_all(actor, stay_ids) -> list[tuple[Stay | None, BedAssignment | DomainError]]:
    """Best fit for a batch (the intake's result page): each stay on its own, so one that
    does not fit leaves the others placed. Returns (stay, assignment or error) in order."""
    results = []
    for stay_id in stay_ids:
        try:
            with db.session.begin_nested():
                result = place(actor, stay_id)
        except DomainError as error:
            result = error
        results.append((db.session.get(Stay, stay_id), result))
    return results


IDENTITY_FIELDS_FOR_PLACEMENT = {"sex", "birth_date", "estimated_age"}


def check_identity_change(client: Client, changed: set[str]) -> None:
    """After a change of sex or age, the client's current room must still fit (rules 1 and
    3, room tags); otherwise the change is refused until the client is moved. The room is
    locked, as for a placement, so that a racing placement cannot slip in between."""
    changed = changed & IDENTITY_FIELDS_FOR_PLACEMENT
    if not changed:
        return
    row = db.session.execute(
        select(BedAssignment.room_id, Stay).join(Stay, Stay.id == BedAssignment.stay_id)
        .where(Stay.client_id == client.id, BedAssignment.end_at.is_(None))).first()
    if row is None:
        return
    room_id, stay = row
    state = lock_rooms([room_id])[room_id]
    error = refusal(stay, client, state, clock.local_today(), check_isolation=False)
    if error is not None:
        message = (f"{error.message} Pindahkan klien ke ruang yang sesuai sebelum mengubah "
                   f"data ini.")
        raise DomainError(message, {name: message for name in sorted(changed)},
                          code=error.code, status=error.status)
