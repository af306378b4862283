"""What stays answers when other domains ask (signals connected in stays.register)."""
from datetime import datetime

from sqlalchemy import and_, select

from ..extensions import db
from ..facility.models import Bed, Room
from ..fields import iso
from .models import BedAssignment, Stay
from .services import bed_is_occupied, stays_of


def bed_in_use(bed: Bed, on: datetime | None = None) -> bool:
    """bed_leaving_service: someone sleeps in the bed (facility then refuses)."""
    return bed_is_occupied(bed.id)


def active_stays_of(sender, client_ids: list[int]) -> dict[int, dict]:
    """client_facts: each client's open stay, `active_stay_id`, and its bed now, `bed`
    ("room code / bed label" or None), in one query for the list."""
    if not client_ids:
        return {}
    rows = db.session.execute(
        select(Stay.client_id, Stay.id, Room.code, Bed.label)
        .outerjoin(BedAssignment, and_(BedAssignment.stay_id == Stay.id,
                                       BedAssignment.end_at.is_(None)))
        .outerjoin(Bed, Bed.id == BedAssignment.bed_id)
        .outerjoin(Room, Room.id == Bed.room_id)
        .where(Stay.client_id.in_(client_ids), Stay.exited_at.is_(None)))
    return {client_id: {"active_stay_id": stay_id,
                        "bed": f"{code} / {label}" if code is not None else None}
            for client_id, stay_id, code, label in rows}


def client_list_filter(sender, status: str | None = None, room_id: int | None = None):
    """client_list_filtering: in residence (an open stay) or exited (none), and those whose
    open stay is in a bed of the room. Through the partial indexes of open stays and open
    bed assignments."""
    if room_id is not None:
        return (select(Stay.client_id)
                .join(BedAssignment, and_(BedAssignment.stay_id == Stay.id,
                                          BedAssignment.end_at.is_(None)))
                .where(Stay.exited_at.is_(None), BedAssignment.room_id == room_id), True)
    if status in ("in", "out"):
        return select(Stay.client_id).where(Stay.exited_at.is_(None)), status == "in"
    return None


def stay_json(stay: Stay) -> dict:
    exit_ = stay.exit
    return {
        "id": stay.id, "intake_id": stay.intake_id,
        "entered_at": iso(stay.entered_at), "exited_at": iso(stay.exited_at),
        "exit_type": stay.exit_type, "needs_isolation": stay.needs_isolation,
        "screening": stay.screening or {},
        "beds": [{"bed_id": a.bed_id, "room_id": a.room_id, "bed_label": a.bed.label,
                  "start_at": iso(a.start_at), "end_at": iso(a.end_at)}
                 for a in stay.assignments],
        "belongings": [{"id": b.id, "description": b.description, "quantity": b.quantity,
                        "returned_at": iso(b.returned_at)} for b in stay.belongings],
        "institution_id": exit_.institution_id if exit_ else None,
    }


def client_record(client) -> dict:
    """client_record: the client's stays in GET /api/v1/clients/<id>."""
    return {"stays": [stay_json(stay) for stay in stays_of(client.id)]}
