"""What facility use holds about a client, for retention and the data subject's export
(signals client_anonymising and client_exporting, sent by the privacy domain).

The visitor log names people who came to see the client: at the end of the retention
period their names, ID numbers and phones go with the client's own data (the visit's
dates and the relation stay, so counts do not change). Sessions keep their times, rooms
and counsellors; their notes are case notes, which privacy blanks itself.
"""
from sqlalchemy import select, update

from ..extensions import db
from ..fields import iso
from ..stays.models import Stay
from .bookings import bookings_of_stays
from .models import Visit

REMOVED = "[dihapus: masa retensi]"


def _stay_ids(client) -> list[int]:
    return list(db.session.scalars(select(Stay.id).where(Stay.client_id == client.id)))


def anonymise_visitors(client, actor=None, **_kwargs) -> None:
    stay_ids = _stay_ids(client)
    if stay_ids:
        db.session.execute(update(Visit).where(Visit.stay_id.in_(stay_ids))
                           .values(visitor_name=REMOVED, id_number=None, phone=None)
                           .execution_options(synchronize_session=False))


def export_sections(client, **_kwargs) -> dict:
    stay_ids = _stay_ids(client)
    visits = db.session.scalars(select(Visit).where(Visit.stay_id.in_(stay_ids or [-1]))
                                .order_by(Visit.arrived_at, Visit.id))
    return {
        "visits": [{"id": v.id, "stay_id": v.stay_id, "visitor_name": v.visitor_name,
                    "relation": v.relation, "id_number": v.id_number, "phone": v.phone,
                    "arrived_at": iso(v.arrived_at), "departed_at": iso(v.departed_at)}
                   for v in visits],
        "sessions": [{"id": b.id, "room_code": b.room.code, "starts_at": iso(b.starts_at),
                      "ends_at": iso(b.ends_at), "purpose": b.purpose,
                      "staff_id": b.staff_id, "cancelled_at": iso(b.cancelled_at),
                      "stay_ids": [s for s in b.stay_ids if s in stay_ids],
                      "note_ids": [row.note_id for row in b.clients
                                   if row.note_id and row.stay_id in stay_ids]}
                     for b in reversed(bookings_of_stays(stay_ids))],
    }
