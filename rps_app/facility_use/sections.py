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


def client_panel(client) -> dict | None:
    stay_ids = [stay.id for stay in client.stays]
    data = _sessions_and_visits(stay_ids, f"client:{client.id}")
    return data if data["sessions"] or data["visits"] else None


def todays_visitors() -> dict | None:
    if not can(Permission.CLIENTS_READ):
        return None
    found = visits.visits_on(clock.local_today())
    visits.record_read(current_actor(), found, "dashboard")
    stays = visits.clients_of(found)
    return {"visits": found, "stays": stays,
            "present": sum(1 for v in found if v.departed_at is None)}


def open_maintenance() -> dict | None:
    found = maintenance.open_requests()
    return {"requests": found} if found else None


def facility_admin_maintenance() -> dict:
    return {"requests": maintenance.open_requests()}
