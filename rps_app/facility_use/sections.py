"""Panels this domain shows on other domains' pages (registry.add_section): a stay's and
a client's sessions and visits, today's visitors and open maintenance requests on the
dashboard, open maintenance requests on the facility admin page."""
from datetime import timedelta
from functools import cache
from types import SimpleNamespace

from sqlalchemy import Integer, bindparam, select

from .. import batch, clock
from ..auth.permissions import Permission, can
from ..clients.forms import choices
from ..facility.models import Room
from ..operations.models import Staff
from ..stays.models import Stay
from ..web import current_actor
from . import bookings, maintenance, visits
from .models import Booking, BookingClient, Visit
from .forms import DEFAULT_SESSION_PURPOSE, BookingForm

SESSION_FORM_PREFIX = "session-"


def session_form(stay, members) -> BookingForm:
    """The stay page's form: a therapy session for this client (`members`: the staff
    register, bookings.counsellor_register())."""
    start = (clock.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    form = BookingForm(formdata=None, prefix=SESSION_FORM_PREFIX,
                       starts_at=clock.to_local(start).strftime("%Y-%m-%dT%H:%M"),
                       ends_at=clock.to_local(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                       purpose=str(DEFAULT_SESSION_PURPOSE), stay_ids=[str(stay.id)],
                       staff_id=str(bookings.default_counsellor(current_actor().user_id, members)
                                    or ""))
    form.room_id.choices = choices((str(room.id), f"{room.code} · {room.name}")
                                   for room in bookings.bookable_rooms() if room.kind == "therapy")
    form.staff_id.choices = choices(((str(ident), name)
                                     for ident, name in bookings.counsellors(members)), blank="—")
    return form


def _sessions_and_visits(stay_ids, where: str, members=()) -> dict:
    found = bookings.bookings_of_stays(stay_ids)
    seen = visits.visits_of_stays(stay_ids)
    visits.record_read(current_actor(), seen, where)
    return {"sessions": found, "visits": seen,
            "staff": bookings.counsellor_names((b.staff_id for b in found), known=members)}


def stay_panel(stay) -> dict:
    # The staff register is read once: the sessions' counsellors and the form's choices.
    members = bookings.counsellor_register() if stay.exited_at is None else ()
    data = _sessions_and_visits([stay.id], f"stay:{stay.id}", members)
    data["stay"] = stay
    data["form"] = session_form(stay, members) if stay.exited_at is None else None
    return data


@cache
def client_reads() -> dict:
    """The client page's reads (batch parts, parameter `client_id`): the bookings naming one
    of the client's stays (cancelled ones too) with their room and counsellor, and the
    visits of those stays, newest first (as _sessions_and_visits shows them)."""
    stays = select(Stay.id).where(Stay.client_id == bindparam("client_id", type_=Integer))
    booked = select(BookingClient.booking_id).where(BookingClient.stay_id.in_(stays))
    sessions = (select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.purpose,
                       Booking.staff_id, Booking.noted_at, Booking.cancelled_at,
                       Room.code.label("room_code"))
                .join(Room, Room.id == Booking.room_id).where(Booking.id.in_(booked)))
    counsellors = select(Staff.id, Staff.name).where(
        Staff.id.in_(select(Booking.staff_id).where(Booking.id.in_(booked))))
    return {"sessions": batch.Part(sessions, (Booking.starts_at.desc(), Booking.id.desc())),
            "counsellors": batch.Part(counsellors),
            "visits": batch.Part(select(*Visit.__table__.c).where(Visit.stay_id.in_(stays)),
                                 (Visit.arrived_at.desc(), Visit.id.desc()))}


def client_panel(client, rows) -> dict | None:
    """The client's sessions and visits (rows: client_reads); the visits shown are logged."""
    sessions = [SimpleNamespace(**row._asdict(), room=SimpleNamespace(code=row.room_code),
                                cancelled=row.cancelled_at is not None)
                for row in rows["sessions"]]
    visits.record_read(current_actor(), rows["visits"], f"client:{client.id}")
    if not sessions and not rows["visits"]:
        return None
    return {"sessions": sessions, "visits": rows["visits"],
            "staff": {row.id: row.name for row in rows["counsellors"]}}


def todays_visitors(reads):
    """A batched section: read with the rest of the dashboard."""
    if not can(Permission.CLIENTS_READ):
        return lambda: None
    today = visits.visits_on_with_clients(reads, clock.local_today())

    def build() -> dict:
        found = today.value
        visits.record_read(current_actor(), found, "dashboard")
        return {"visits": found, "present": sum(1 for v in found if v.departed_at is None)}
    return build


def open_maintenance(reads):
    """A batched section: read with the rest of the dashboard."""
    newest, total = maintenance.newest_open(reads)
    return lambda: {"requests": newest.value, "total": total.value} if total.value else None


def facility_admin_maintenance() -> dict:
    return {"requests": maintenance.open_requests()}
