"""The bed board: every room with its beds and who sleeps in each, and the queue of
open stays not placed yet. A fixed number of statements whatever the number of rows
(rooms, beds, outages, occupants, queue): nothing is lazy-loaded in a loop.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from .. import signals
from ..clients.models import Client
from ..extensions import db
from ..facility import services as facility
from ..facility.models import RESIDENTIAL_KINDS, Bed, BedOutage, Room
from .models import BedAssignment, Stay
from .services import days_in_shelter, stay_limit, warning_level


@dataclass
class Occupant:
    stay_id: int
    client_id: int
    registration_number: str
    name: str
    sex: str
    age: int
    minor: bool
    days: int  # nights since entry
    limit: int  # RPS_MAX_STAY_DAYS or the stay's extension
    warning: str | None  # None, "warning" or "over"
    needs_isolation: bool
    entered_at: datetime | None = None
    identity_known: bool = True
    absent_sessions: int = 0  # roll calls in a row missed (stay_facts): 2+ may have absconded


@dataclass
class BoardBed:
    bed: Bed
    usable: bool
    occupant: Occupant | None = None


@dataclass
class BoardRoom:
    room: Room
    beds: list[BoardBed] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return sum(1 for bed in self.beds if bed.usable)

    @property
    def occupied(self) -> int:
        return sum(1 for bed in self.beds if bed.occupant is not None)

    @property
    def free(self) -> int:
        return sum(1 for bed in self.beds if bed.usable and bed.occupant is None)

    @property
    def misplaced(self) -> list[Occupant]:
        """Occupants flagged for isolation outside an isolation room: to be moved."""
        if self.room.kind == "isolation":
            return []
        return [bed.occupant for bed in self.beds
                if bed.occupant is not None and bed.occupant.needs_isolation]


@dataclass
class Board:
    rooms: list[BoardRoom]
    queue: list[Occupant]  # open stays without a bed, oldest first

    @property
    def residential(self) -> list[BoardRoom]:
        return [room for room in self.rooms if room.room.residential]


def occupant(stay: Stay, client: Client, today: date) -> Occupant:
    days, limit = days_in_shelter(stay, today), stay_limit(stay)
    return Occupant(stay_id=stay.id, client_id=client.id,
                    registration_number=client.registration_number, name=client.name,
                    sex=client.sex, age=client.age_on(today), minor=client.is_minor_on(today),
                    days=days, limit=limit, warning=warning_level(days, limit),
                    needs_isolation=stay.needs_isolation, entered_at=stay.entered_at,
                    identity_known=client.identity_known)


def board(today: date, active_only: bool = True) -> Board:
    rooms = facility.rooms_with_beds(active_only=active_only)
    by_bed = {}
    for bed_id, stay, client in db.session.execute(
            select(BedAssignment.bed_id, Stay, Client)
            .join(Stay, Stay.id == BedAssignment.stay_id)
            .join(Client, Client.id == Stay.client_id)
            .where(BedAssignment.end_at.is_(None))):
        by_bed[bed_id] = occupant(stay, client, today)
    queue = unplaced(today)
    facts = signals.merged_facts([o.stay_id for o in [*by_bed.values(), *queue]])
    for person in [*by_bed.values(), *queue]:
        person.absent_sessions = facts.get(person.stay_id, {}).get("absent_sessions", 0)
    result = []
    for room in rooms:
        # Retired beds are history; a retired bed is never occupied (facility refuses it).
        beds = [BoardBed(bed, bed.usable, by_bed.get(bed.id))
                for bed in room.beds if bed.retired_at is None]
        result.append(BoardRoom(room, beds))
    return Board(result, queue)


def free_beds() -> list[tuple[Room, Bed]]:
    """(room, bed) of every free, usable bed of an active shelter or isolation room, in
    board order: one statement, without building the board (stay and intake pages)."""
    taken = select(BedAssignment.bed_id).where(BedAssignment.end_at.is_(None))
    out = select(BedOutage.bed_id).where(BedOutage.end_at.is_(None))
    return [tuple(row) for row in db.session.execute(
        select(Room, Bed).join(Bed, Bed.room_id == Room.id)
        .where(Room.active.is_(True), Room.kind.in_(RESIDENTIAL_KINDS),
               Bed.retired_at.is_(None), Bed.id.not_in(taken), Bed.id.not_in(out))
        .order_by(Room.sort_order, Room.id, Bed.sort_order, Bed.id))]


def fitting(free: list[tuple[Room, Bed]], person: Occupant) -> list[tuple[Room, Bed]]:
    """The free beds `person` could be offered: rooms of their sex (or none) and, when
    flagged, isolation rooms only (the service checks every rule again)."""
    return [(room, bed) for room, bed in free
            if (room.kind == "isolation" or not person.needs_isolation)
            and room.sex in (None, person.sex)]


def unplaced(today: date) -> list[Occupant]:
    """Open stays without an open bed assignment, oldest first (one statement)."""
    placed = select(BedAssignment.stay_id).where(BedAssignment.end_at.is_(None))
    rows = db.session.execute(
        select(Stay, Client).join(Client, Client.id == Stay.client_id)
        .where(Stay.exited_at.is_(None), Stay.id.not_in(placed))
        .order_by(Stay.entered_at, Stay.id))
    return [occupant(stay, client, today) for stay, client in rows]
