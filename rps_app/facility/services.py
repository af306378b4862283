"""Rooms and beds: the default building of the blueprint, and the admin's changes to it.

Facility knows rooms and beds, not who sleeps in them. Where a change must not touch an
occupied bed (retiring it, taking it out of service) it sends signals.bed_leaving_service
and the domains that know (stays) answer whether the bed is in use; a caller may pass its
own `is_occupied` instead.
"""
import re
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit import services as audit
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..fields import parse_int
from ..signals import bed_leaving_service, values_from
from .models import RESIDENTIAL_KINDS, ROOM_KINDS, ROOM_TAGS, Bed, BedOutage, Room

DEFAULT_BEDS_PER_SHELTER = 10
MAX_NEW_BEDS = 50  # beds created with a new shelter room at once
SEXES = ("L", "P")
# The default building stood before the software: its beds count as in service for any
# history entered later (a backlog of paper records), not only from the day of `rps init`.
BUILDING_IN_SERVICE_SINCE = datetime(2000, 1, 1, tzinfo=timezone.utc)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")

# The blueprint's building (Cetak Biru 3.1.4): (code, name, kind, sex, beds), with its 12
# non-residential rooms, two of them Ruang Komunal (contract.md, `rps init`). Installations
# seeded with one communal room get KOM-2 from migration 0006_second_communal_room.
DEFAULT_ROOMS = (
    [(f"PA-{n}", f"Shelter Putra {n}", "shelter", "L", DEFAULT_BEDS_PER_SHELTER) for n in range(1, 5)]
    + [(f"PI-{n}", f"Shelter Putri {n}", "shelter", "P", DEFAULT_BEDS_PER_SHELTER) for n in range(1, 5)]
    + [(f"ISO-{n:02d}", f"Ruang Isolasi {n}", "isolation", None, 1) for n in range(1, 11)]
    + [
        ("TRP-1", "Ruang Terapi 1", "therapy", None, 0),
        ("TRP-2", "Ruang Terapi 2", "therapy", None, 0),
        ("POS-1", "Pos Jaga 1", "guard_post", None, 0),
        ("POS-2", "Pos Jaga 2", "guard_post", None, 0),
        ("KOM-1", "Ruang Komunal 1", "communal", None, 0),
        ("KOM-2", "Ruang Komunal 2", "communal", None, 0),
        ("LOBBY", "Lobby", "lobby", None, 0),
        ("DAPUR", "Dapur", "kitchen", None, 0),
        ("LOG", "Logistik", "logistics", None, 0),
        ("KANTOR", "Kantor", "office", None, 0),
        ("KA-RPS", "Ruang Ka. RPS", "head_office", None, 0),
        ("GH", "Guest House", "guest_house", None, 0),
    ]
)

# --- is the bed in use? ---------------------------------------------------------------

OccupancyCheck = Callable[[int], bool]  # bed id -> does an open stay occupy it?
_extra_check: OccupancyCheck | None = None


def register_occupancy_check(check: OccupancyCheck | None) -> OccupancyCheck | None:
    """An extra check asked besides the bed_leaving_service receivers (scripts and tests;
    the domains connect to the signal in their register(app), nobody calls this at import).
    Returns the check it replaces, so that a caller can put it back."""
    global _extra_check
    previous, _extra_check = _extra_check, check
    return previous


def _in_use(bed: Bed, is_occupied: OccupancyCheck | None) -> bool:
    if is_occupied is not None:
        return is_occupied(bed.id)
    if _extra_check is not None and _extra_check(bed.id):
        return True
    return any(values_from(bed_leaving_service, bed, on=clock.now()))


def _refuse_if_occupied(bed: Bed, is_occupied: OccupancyCheck | None, doing: str) -> None:
    if _in_use(bed, is_occupied):
        raise Conflict(f"Tempat tidur {bed.label} sedang ditempati; pindahkan kliennya "
                       f"sebelum {doing}.", {"bed_id": "Tempat tidur sedang ditempati."},
                       code="bed_occupied")


# --- reading --------------------------------------------------------------------------

def rooms_with_beds(active_only: bool = True) -> list[Room]:
    """Rooms by sort_order, with their beds and the beds' outages loaded (three queries)."""
    stmt = (select(Room)
            .options(selectinload(Room.beds).selectinload(Bed.outages))
            .order_by(Room.sort_order, Room.id))
    if active_only:
        stmt = stmt.where(Room.active.is_(True))
    return list(db.session.scalars(stmt))


def residential_rooms() -> list[Room]:
    """Active shelter and isolation rooms by sort_order (one query, no beds)."""
    return list(db.session.scalars(select(Room).where(
        Room.active.is_(True), Room.kind.in_(RESIDENTIAL_KINDS)).order_by(Room.sort_order, Room.id)))


def capacity(room: Room) -> int:
    """Beds of the room that can take a client now: not retired, not out of service."""
    return sum(1 for bed in room.beds if bed.usable)


def get_room(room_id: int, lock: bool = False, with_beds: bool = False) -> Room:
    """The room (404 when unknown); `with_beds`: its beds and their outages read with it
    (two statements, not one per bed: the room's admin page)."""
    # The room row is what placement locks, so bed changes lock it too (no race with it).
    options = [selectinload(Room.beds).selectinload(Bed.outages)] if with_beds else []
    room = db.session.get(Room, room_id, with_for_update=lock, options=options)
    if room is None:
        raise NotFound("Ruang tidak ditemukan.")
    return room


def get_bed(bed_id: int, lock: bool = False) -> Bed:
    bed = db.session.get(Bed, bed_id)
    if bed is None:
        raise NotFound("Tempat tidur tidak ditemukan.")
    if lock:
        get_room(bed.room_id, lock=True)
    return bed


# --- seeding --------------------------------------------------------------------------

def seed_default_facility(actor) -> int:
    """Create the rooms of DEFAULT_ROOMS that do not exist yet (by code). Idempotent:
    rooms an admin renamed or re-bedded are left as they are. Returns rooms created."""
    existing = set(db.session.scalars(select(Room.code)))
    created = 0
    now = min(clock.now(), BUILDING_IN_SERVICE_SINCE)
    for order, (code, name, kind, sex, beds) in enumerate(DEFAULT_ROOMS, start=1):
        if code in existing:
            continue
        room = Room(code=code, name=name, kind=kind, sex=sex, sort_order=order, active=True)
        room.beds = [Bed(label=_bed_label(room, n), sort_order=n, created_at=now)
                     for n in range(1, beds + 1)]
        db.session.add(room)
        created += 1
    db.session.flush()
    if created:
        audit.record(actor, "seed", "room", None, {"rooms_created": created})
    return created


def _bed_label(room: Room, number: int) -> str:
    return str(number) if room.kind == "isolation" else f"{number:02d}"


# --- rooms ----------------------------------------------------------------------------

def _clean(value) -> str:
    return (value or "").strip()


def _check_name(name: str, fields: dict) -> None:
    if not name:
        fields["name"] = "Nama ruang wajib diisi."
    elif len(name) > 80:
        fields["name"] = "Nama ruang terlalu panjang (maks. 80 karakter)."


def _check_tag(tag: str | None, kind: str, fields: dict) -> None:
    if tag and tag not in ROOM_TAGS:
        fields["tag"] = "Tanda ruang harus salah satu dari: " + ", ".join(ROOM_TAGS) + ", atau kosong."
    elif tag and kind not in RESIDENTIAL_KINDS:
        fields["tag"] = "Tanda ruang hanya untuk ruang hunian (shelter atau isolasi)."


def rename_room(actor, room_id: int, name: str, tag: str | None) -> Room:
    """Change a room's name and its tag (`anak`, `lansia` or none)."""
    room = get_room(room_id)
    name, tag = _clean(name), _clean(tag) or None
    fields: dict = {}
    _check_name(name, fields)
    _check_tag(tag, room.kind, fields)
    if fields:
        raise ValidationError("Data ruang tidak valid.", fields)
    changes = {key: [old, new] for key, old, new in
               (("name", room.name, name), ("tag", room.tag, tag)) if old != new}
    room.name, room.tag = name, tag
    db.session.flush()
    if changes:
        audit.record(actor, "update", "room", room.id, changes)
    return room


def add_room(actor, code: str, name: str, kind: str, sex: str | None = None,
             tag: str | None = None, beds: int = 0) -> Room:
    """A new room. An isolation room gets its one bed; a shelter room `beds` beds."""
    code, name, kind = _clean(code).upper(), _clean(name), _clean(kind)
    sex, tag = _clean(sex).upper() or None, _clean(tag) or None
    fields: dict = {}
    if not code:
        fields["code"] = "Kode ruang wajib diisi."
    elif len(code) > 20 or not CODE_RE.match(code):
        fields["code"] = "Kode ruang: huruf, angka dan tanda hubung, maks. 20 karakter."
    _check_name(name, fields)
    if kind not in ROOM_KINDS:
        fields["kind"] = "Jenis ruang harus salah satu dari: " + ", ".join(ROOM_KINDS) + "."
    if kind == "shelter" and sex not in SEXES:
        fields["sex"] = "Ruang shelter wajib punya jenis kelamin: L atau P."
    elif kind != "shelter" and sex:
        fields["sex"] = "Jenis kelamin hanya diisi untuk ruang shelter."
    _check_tag(tag, kind, fields)
    beds = _initial_beds(kind, beds, fields)
    if fields:
        raise ValidationError("Data ruang tidak valid.", fields)
    if db.session.scalar(select(Room.id).where(func.upper(Room.code) == code)):
        raise Conflict("Kode ruang sudah dipakai.", {"code": "Kode ruang sudah dipakai."},
                       code="room_code_taken")
    order = (db.session.scalar(select(func.max(Room.sort_order))) or 0) + 1
    now = clock.now()
    room = Room(code=code, name=name, kind=kind, sex=sex, tag=tag, sort_order=order, active=True)
    room.beds = [Bed(label=_bed_label(room, n), sort_order=n, created_at=now)
                 for n in range(1, beds + 1)]
    db.session.add(room)
    db.session.flush()
    audit.record(actor, "create", "room", room.id,
                 {"code": code, "name": name, "kind": kind, "sex": sex, "tag": tag, "beds": beds})
    return room


def _initial_beds(kind: str, beds, fields: dict) -> int:
    if kind == "isolation":
        return 1  # contract rule 2: an isolation room has exactly one bed
    beds = parse_int(beds or 0, 0, 10 ** 6)
    if beds is None:
        fields["beds"] = "Jumlah tempat tidur harus berupa angka."
        return 0
    if kind != "shelter" and beds:
        fields["beds"] = "Ruang ini bukan ruang hunian: tidak boleh ada tempat tidur."
    elif not 0 <= beds <= MAX_NEW_BEDS:
        fields["beds"] = f"Jumlah tempat tidur 0 sampai {MAX_NEW_BEDS}."
    return beds


# --- beds -----------------------------------------------------------------------------

def add_bed(actor, room_id: int, label: str | None = None) -> Bed:
    """Add a bed to a shelter room, or to an isolation room that has none in use."""
    room = get_room(room_id, lock=True)
    if not room.residential:
        raise ValidationError("Ruang ini bukan ruang hunian: tidak boleh ada tempat tidur.",
                              {"room_id": "Hanya ruang shelter dan isolasi yang punya tempat tidur."})
    current = [bed for bed in room.beds if bed.retired_at is None]
    if room.kind == "isolation" and current:
        raise Conflict("Ruang isolasi hanya boleh punya satu tempat tidur.",
                       {"room_id": "Ruang isolasi ini sudah punya tempat tidur."},
                       code="isolation_single_bed")
    labels = {bed.label.upper() for bed in room.beds}  # retired beds keep their labels
    label = _clean(label)
    if not label:
        number = len(room.beds) + 1
        while _bed_label(room, number).upper() in labels:
            number += 1
        label = _bed_label(room, number)
    elif len(label) > 20:
        raise ValidationError("Label tempat tidur tidak valid.",
                              {"label": "Label tempat tidur maks. 20 karakter."})
    elif label.upper() in labels:
        raise ValidationError("Label tempat tidur sudah dipakai di ruang ini.",
                              {"label": "Label sudah dipakai di ruang ini (termasuk yang dipensiunkan)."})
    order = max((bed.sort_order for bed in room.beds), default=0) + 1
    bed = Bed(room=room, label=label, sort_order=order, created_at=clock.now())
    db.session.add(bed)
    db.session.flush()
    audit.record(actor, "create", "bed", bed.id, {"room_id": room.id, "label": label})
    return bed


def _refuse_if_retired(bed: Bed) -> None:
    if bed.retired_at is not None:
        raise Conflict(f"Tempat tidur {bed.label} sudah dipensiunkan.",
                       {"bed_id": "Tempat tidur sudah dipensiunkan."}, code="bed_retired")


def retire_bed(actor, bed_id: int, is_occupied: OccupancyCheck | None = None) -> Bed:
    """Take a bed out of use for good. The row stays, so history keeps its bed."""
    bed = get_bed(bed_id, lock=True)
    _refuse_if_retired(bed)
    _refuse_if_occupied(bed, is_occupied, "dipensiunkan")
    now = clock.now()
    outage = bed.current_outage
    if outage is not None:  # a retired bed has no open outage left behind
        outage.end_at = now
    bed.retired_at = now
    db.session.flush()
    audit.record(actor, "retire", "bed", bed.id, {"room_id": bed.room_id, "label": bed.label})
    return bed


def take_out_of_service(actor, bed_id: int, reason: str,
                        is_occupied: OccupancyCheck | None = None) -> BedOutage:
    """Start an outage (broken, cleaning): the bed leaves capacity until it ends."""
    reason = _clean(reason)
    if not reason:
        raise ValidationError("Alasan wajib diisi.", {"reason": "Alasan tempat tidur tidak tersedia wajib diisi."})
    if len(reason) > 200:
        raise ValidationError("Alasan terlalu panjang.", {"reason": "Alasan maks. 200 karakter."})
    bed = get_bed(bed_id, lock=True)
    _refuse_if_retired(bed)
    if bed.current_outage is not None:
        raise Conflict(f"Tempat tidur {bed.label} sudah berstatus tidak tersedia.",
                       {"bed_id": "Tempat tidur sudah berstatus tidak tersedia."},
                       code="bed_out_of_service")
    _refuse_if_occupied(bed, is_occupied, "dinyatakan tidak tersedia")
    outage = BedOutage(bed=bed, start_at=clock.now(), end_at=None, reason=reason)
    db.session.add(outage)
    db.session.flush()
    audit.record(actor, "out_of_service", "bed", bed.id, {"outage_id": outage.id, "reason": reason})
    return outage


def return_to_service(actor, bed_id: int) -> BedOutage:
    """End the bed's current outage; the period stays on record."""
    bed = get_bed(bed_id, lock=True)
    _refuse_if_retired(bed)
    outage = bed.current_outage
    if outage is None:
        raise Conflict(f"Tempat tidur {bed.label} sudah tersedia.",
                       {"bed_id": "Tempat tidur tidak sedang berstatus tidak tersedia."},
                       code="bed_in_service")
    outage.end_at = clock.now()
    db.session.flush()
    audit.record(actor, "in_service", "bed", bed.id, {"outage_id": outage.id})
    return outage
