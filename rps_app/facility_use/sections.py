"""Panels this domain shows on other domains' pages (registry.add_section): a stay's and
a client's sessions and visits, today's visitors and open maintenance requests on the
dashboard, open maintenance requests on the facility admin page."""
from datetime import timedelta

from .. import clock
from ..auth.permissions import Permission, can
from ..clients.forms import choices
from ..web import current_actor
from . import bookings, maintenance, visits
from .forms import DEFAULT_SESSION_PURPOSE, BookingForm

SESSION_FORM_PREFIX = "session-"


def session_form(stay) -> BookingForm:
    """The stay page's form: a therapy session for this client."""
    start = (clock.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    form = BookingForm(formdata=None, prefix=SESSION_FORM_PREFIX,
                       starts_at=clock.to_local(start).strftime("%Y-%m-%dT%H:%M"),
                       ends_at=clock.to_local(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                       purpose=str(DEFAULT_SESSION_PURPOSE), stay_ids=[str(stay.id)],
                       staff_id=str(bookings.default_counsellor(current_actor().user_id) or ""))
    form.room_id.choices = choices((str(room.id), f"{room.code} · {room.name}")
                                   for room in bookings.bookable_rooms() if room.kind == "therapy")
    form.staff_id.choices = choices(((str(ident), name) for ident, name in bookings.counsellors()),
                                    blank="—")
    return form


def _sessions_and_visits(stay_ids, where: str) -> dict:
    found = bookings.bookings_of_stays(stay_ids)
    seen = visits.visits_of_stays(stay_ids)
    visits.record_read(current_actor(), seen, where)
    return {"sessions": found, "visits": seen,
            "staff": bookings.counsellor_names(b.staff_id for b in found)}


def stay_panel(stay) -> dict:
    data = _sessions_and_visits([stay.id], f"stay:{stay.id}")
    data["stay"] = stay
    data["form"] = session_form(stay) if stay.exited_at is None else None
    return data


def client_panel(client) -> dict | None:
    stay_ids = [stay.id for stay in client.stays]
    data = _sessions_and_visits(stay_ids, f"client:{client.id}")
    return data if data["sessions"] or data["visits"] else None


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
