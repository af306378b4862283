"""Rooms and beds: the default building of the blueprint, and the admin's changes to it."""
from sqlalchemy import select

from .. import clock
from ..audit import services as audit
from ..extensions import db
from .models import Bed, Room

DEFAULT_BEDS_PER_SHELTER = 10

# The blueprint's building (Cetak Biru 3.1.4): (code, name, kind, sex, beds).
# contract.md fixes 11 non-residential rooms; the blueprint lists two communal rooms and
# 12 in all, so one Ruang Komunal is seeded (an admin can add the second).
DEFAULT_ROOMS = (
    [(f"PA-{n}", f"Shelter Putra {n}", "shelter", "L", DEFAULT_BEDS_PER_SHELTER) for n in range(1, 5)]
    + [(f"PI-{n}", f"Shelter Putri {n}", "shelter", "P", DEFAULT_BEDS_PER_SHELTER) for n in range(1, 5)]
    + [(f"ISO-{n:02d}", f"Ruang Isolasi {n}", "isolation", None, 1) for n in range(1, 11)]
    + [
        ("TRP-1", "Ruang Terapi 1", "therapy", None, 0),
        ("TRP-2", "Ruang Terapi 2", "therapy", None, 0),
        ("POS-1", "Pos Jaga 1", "guard_post", None, 0),
        ("POS-2", "Pos Jaga 2", "guard_post", None, 0),
        ("KOM-1", "Ruang Komunal", "communal", None, 0),
        ("LOBBY", "Lobby", "lobby", None, 0),
        ("DAPUR", "Dapur", "kitchen", None, 0),
        ("LOG", "Logistik", "logistics", None, 0),
        ("KANTOR", "Kantor", "office", None, 0),
        ("KA-RPS", "Ruang Ka. RPS", "head_office", None, 0),
        ("GH", "Guest House", "guest_house", None, 0),
    ]
)


def seed_default_facility(actor) -> int:
    """Create the rooms of DEFAULT_ROOMS that do not exist yet (by code). Idempotent:
    rooms an admin renamed or re-bedded are left as they are. Returns rooms created."""
    existing = set(db.session.scalars(select(Room.code)))
    created = 0
    now = clock.now()
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
    return "1" if room.kind == "isolation" else f"{number:02d}"
