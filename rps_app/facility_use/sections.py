"""Panels this domain shows on other domains' pages (registry.add_section): a stay's and
a client's sessions and visits, today's visitors and open maintenance requests on the
dashboard, open maintenance requests on the facility admin page."""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from .. import batch, clock
from ..auth.permissions import Permission, can
from ..clients.forms import choices
from ..facility.models import Room
from ..operations.models import Staff
from ..stays.scope import page_stays, per_page
from ..web import current_actor
from . import bookings, maintenance, visits
from .models import Booking, BookingClient, Visit
from .forms import DEFAULT_SESSION_PURPOSE, BookingForm

SESSION_FORM_PREFIX = "session-"


def session_form(stay, members, rooms) -> BookingForm:
    """The stay page's form: a therapy session for this client (`members`: the staff
    register, `rooms`: the therapy rooms, both rows of page_reads("stay"))."""
    start = (clock.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    form = BookingForm(formdata=None, prefix=SESSION_FORM_PREFIX,
                       starts_at=clock.to_local(start).strftime("%Y-%m-%dT%H:%M"),
                       ends_at=clock.to_local(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                       purpose=str(DEFAULT_SESSION_PURPOSE), stay_ids=[str(stay.id)],
                       staff_id=str(bookings.default_counsellor(current_actor().user_id, members)
                                    or ""))
    form.room_id.choices = choices((str(room.id), f"{room.code} · {room.name}") for room in rooms)
    form.staff_id.choices = choices(((str(ident), name)
                                     for ident, name in bookings.counsellors(members)), blank="—")
    return form


def page_reads(page: str) -> dict:
    """A page's reads (batch parts over scope.page_stays(page)): the bookings naming one of
    its stays (cancelled ones too) with their room and counsellor, newest first, and the
    visits of those stays, newest first; the stay page also the staff register and the
    therapy rooms, for its session form."""
    stays = page_stays(page)
    booked = select(BookingClient.booking_id).where(BookingClient.stay_id.in_(stays))
    sessions = (select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.purpose,
                       Booking.staff_id, Booking.noted_at, Booking.cancelled_at,
                       Room.code.label("room_code"))
                .join(Room, Room.id == Booking.room_id).where(Booking.id.in_(booked)))
    counsellors = select(Staff.id, Staff.name).where(
        Staff.id.in_(select(Booking.staff_id).where(Booking.id.in_(booked))))
    parts = {"sessions": batch.Part(sessions, (Booking.starts_at.desc(), Booking.id.desc())),
             "counsellors": batch.Part(counsellors),
             "visits": batch.Part(select(*Visit.__table__.c).where(Visit.stay_id.in_(stays)),
                                  (Visit.arrived_at.desc(), Visit.id.desc()))}
    if page == "stay":
        parts["register"] = batch.Part(
            select(Staff.id, Staff.name, Staff.user_id).where(Staff.active.is_(True)),
            (Staff.name, Staff.id))
        parts["rooms"] = batch.Part(
            select(Room.id, Room.code, Room.name).where(Room.kind == "therapy",
                                                        Room.active.is_(True)),
            (Room.sort_order, Room.id))
    return parts


client_reads, stay_reads = per_page(page_reads)


def _sessions_and_visits(rows, where: str) -> dict:
    """The sessions and visits of page_reads rows; the visits shown are logged."""
    sessions = [SimpleNamespace(**row._asdict(), room=SimpleNamespace(code=row.room_code),
                                cancelled=row.cancelled_at is not None)
                for row in rows["sessions"]]
    visits.record_read(current_actor(), rows["visits"], where)
    return {"sessions": sessions, "visits": rows["visits"],
            "staff": {row.id: row.name for row in rows["counsellors"]}}


def stay_panel(stay, rows) -> dict:
    """The stay's sessions and visits, and for a stay still open the session form (rows:
    stay_reads)."""
    data = _sessions_and_visits(rows, f"stay:{stay.id}")
    data["stay"] = stay
    data["form"] = (session_form(stay, rows["register"], rows["rooms"])
                    if stay.exited_at is None else None)
    return data


def client_panel(client, rows) -> dict | None:
    """The client's sessions and visits (rows: client_reads); nothing when there are none."""
    if not rows["sessions"] and not rows["visits"]:
        return None
    return _sessions_and_visits(rows, f"client:{client.id}")


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
