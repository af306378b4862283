"""The bed board: every room with its beds and who sleeps in each, and the queue of
open stays not placed yet. A fixed number of statements whatever the number of rows
(rooms, beds, outages, occupants, queue): nothing is lazy-loaded in a loop. Which free
beds a waiting stay may take is placement's decision (placement.fitting), never made here.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from .. import signals
from ..clients.models import Client
from ..extensions import db
from ..facility.models import Bed, Room
from .models import BedAssignment, Stay
from .placement import RoomState, current_rooms
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
    # What placement.fitting needs to tell where each waiting stay may go, as read for
    # the board (nothing read twice): the shelter and isolation rooms, the queue's stays.
    states: list[RoomState] = field(default_factory=list)
    waiting: list[tuple[Stay, Client]] = field(default_factory=list)

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


def board(today: date) -> Board:
    """Every active room with its beds now, and the queue: four statements (the rooms,
    beds and occupants in one, the queue, the stay facts other domains add)."""
    states = current_rooms(residential=False, occupants="stay")
    waiting = waiting_stays()
    queue = [occupant(stay, client, today) for stay, client in waiting]
    by_bed = {bed_id: occupant(stay, state.occupant_by_bed[bed_id][1], today)
              for state in states for bed_id, stay in state.stay_by_bed.items()}
    facts = signals.merged_facts([o.stay_id for o in [*by_bed.values(), *queue]])
    for person in [*by_bed.values(), *queue]:
        person.absent_sessions = facts.get(person.stay_id, {}).get("absent_sessions", 0)
    rooms = [BoardRoom(state.room, [BoardBed(bed, state.usable(bed), by_bed.get(bed.id))
                                    for bed in state.beds]) for state in states]
    return Board(rooms, queue, [state for state in states if state.room.residential], waiting)


def waiting_stays() -> list[tuple[Stay, Client]]:
    """Open stays without an open bed assignment, with their clients, oldest first (one
    statement)."""
    placed = select(BedAssignment.stay_id).where(BedAssignment.end_at.is_(None))
    return db.session.execute(
        select(Stay, Client).join(Client, Client.id == Stay.client_id)
        .where(Stay.exited_at.is_(None), Stay.id.not_in(placed))
        .order_by(Stay.entered_at, Stay.id)).all()


def unplaced(today: date) -> list[Occupant]:
    """Open stays without an open bed assignment, oldest first (one statement)."""
    return [occupant(stay, client, today) for stay, client in waiting_stays()]
