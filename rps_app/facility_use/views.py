"""Pages of facility use: the booking calendar (all rooms by day, one room by day or week),
the booking form and a booking's page (cancel, session note), the visitor log of the lobby
and maintenance requests. No rules here: forms become the dicts of contract.md for the
services; a refusal shows the page again with each message beside its field.
"""
from datetime import date, timedelta
from urllib.parse import quote_plus, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..auth.permissions import Permission, can, requires
from ..clients import services as clients
from ..clients.forms import choices
from ..clients.models import Client
from ..errors import DomainError
from ..extensions import db
from ..facility import services as facility
from ..facility.models import Bed, Room
from ..fields import parse_moment
from ..stays.models import Stay
from ..page_cache import cached
from ..web import current_actor, page_number, submit
from . import bookings, calendar, maintenance, visits
from .forms import (DEFAULT_SESSION_PURPOSE, BookingForm, CancelForm, ConfirmForm, DoneForm,
                    MaintenanceForm, SessionNoteForm, VisitForm)
from .models import MaintenanceRequest
from .sections import SESSION_FORM_PREFIX

bp = Blueprint("facility_use", __name__)


# --- helpers --------------------------------------------------------------------------

def local_input(moment) -> str:
    """A datetime for <input type=datetime-local>, in RPS_TIMEZONE."""
    return clock.to_local(moment).strftime("%Y-%m-%dT%H:%M")


def day_arg(name: str = "date") -> date:
    """The date asked for in the query (YYYY-MM-DD), today when missing or malformed."""
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return clock.local_today()


def safe_next(default: str, target: str | None = None) -> str:
    """A path of this site to go back to (no open redirect): `target`, else the posted
    `next`, else `default`."""
    target = target or request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default


def open_stays() -> list[tuple[int, int, str, str]]:
    """Clients in residence now, by name: (stay id, client id, registration number, name),
    columns only (no Stay and Client objects for a select's options)."""
    return list(db.session.execute(
        select(Stay.id, Client.id, Client.registration_number, Client.name)
        .join(Client, Client.id == Stay.client_id)
        .where(Stay.exited_at.is_(None)).order_by(Client.name, Stay.id)).all())


def stay_choices(blank: str | None = None) -> list:
    """Select options of the clients in residence (their names shown: audited)."""
    rows = open_stays()
    clients.record_search(current_actor(), [client_id for _stay, client_id, _n, _name in rows])
    return choices(((str(stay_id), f"{number} · {name}")
                    for stay_id, _client, number, name in rows), blank=blank)


def staff_select() -> list:
    return choices(((str(ident), name) for ident, name in bookings.counsellors()), blank="—")


def sub_nav() -> list[tuple[str, str]]:
    """The pages of this domain the user may open: (endpoint, label)."""
    items = [("facility_use.calendar", _("Pemesanan ruang"), Permission.FACILITY_USE),
             ("facility_use.visit_log", _("Buku tamu"), Permission.FACILITY_USE),
             ("facility_use.maintenance_list", _("Perbaikan"), Permission.MAINTENANCE)]
    return [(endpoint, label) for endpoint, label, permission in items if can(permission)]


@bp.context_processor
def inject_sub_nav():
    return {"facility_use_nav": sub_nav}


# --- calendar -------------------------------------------------------------------------

def staff_names_of(found) -> dict[int, str]:
    return bookings.counsellor_names(b.staff_id for b in found)


URL_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query value (werkzeug)


def link_free_cells(grid: calendar.Grid) -> calendar.Grid:
    """Each free cell's "book from here" link: url_for(booking_new, room_id, start) built
    once a column and the start appended as url_for encodes it (a day shows a few hundred
    free cells; url_for each was most of the page's time)."""
    starts: dict = {}  # (day, row) -> the start as a query value: the same in every room
    for column in grid.columns:
        base = url_for(".booking_new", room_id=column.room.id, start="")
        for row, cell in enumerate(column.cells):
            if cell.kind == "free":
                start = starts.get((column.day, row))
                if start is None:
                    start = starts[column.day, row] = quote_plus(cell.at.isoformat(),
                                                                 safe=URL_SAFE)
                cell.href = base + start
    return grid


@bp.get("/bookings", endpoint="calendar")
@requires(Permission.FACILITY_USE)
@cached
def calendar_page():
    """All bookable rooms on one day."""
    day = day_arg()
    rooms = bookings.bookable_rooms()
    start, end = bookings.day_bounds(day, day)
    found = bookings.bookings_between(start, end)
    grid = link_free_cells(calendar.build([(room, day) for room in rooms], found))
    return render_template("facility_use/calendar.html", grid=grid, day=day, rooms=rooms,
                           bookings=found, staff=staff_names_of(found), view="day", room=None,
                           prev=day - timedelta(days=1), next=day + timedelta(days=1),
                           today=clock.local_today())


@bp.get("/bookings/rooms/<int:room_id>")
@requires(Permission.FACILITY_USE)
def room_calendar(room_id: int):
    """One room, by day or (view=week) by week, Monday to Sunday."""
    room = facility.get_room(room_id)
    if room.kind not in bookings.BOOKABLE_KINDS:
        return redirect(url_for(".calendar"), 303)
    day = day_arg()
    view = "week" if request.args.get("view") == "week" else "day"
    days = calendar.week_of(day) if view == "week" else [day]
    start, end = bookings.day_bounds(days[0], days[-1])
    found = bookings.bookings_between(start, end, room_id=room.id)
    grid = link_free_cells(calendar.build([(room, d) for d in days], found))
    step = timedelta(days=7 if view == "week" else 1)
    return render_template("facility_use/calendar.html", grid=grid, day=day, room=room,
                           rooms=bookings.bookable_rooms(), bookings=found,
                           staff=staff_names_of(found), view=view, prev=day - step,
                           next=day + step, today=clock.local_today())


# --- booking form and page ------------------------------------------------------------

def render_booking_form(form: BookingForm, status: int = 200):
    form.room_id.choices = choices(((str(room.id), f"{room.code} · {room.name}")
                                    for room in bookings.bookable_rooms()))
    form.staff_id.choices = staff_select()
    form.stay_ids.choices = stay_choices()
    return render_template("facility_use/booking_new.html", form=form), status


@bp.get("/bookings/new")
@requires(Permission.FACILITY_USE)
def booking_new():
    start = clock.now().replace(second=0, microsecond=0)
    if request.args.get("start"):
        start = parse_moment(request.args["start"]) or start
    stay_id = request.args.get("stay_id", "")
    form = BookingForm(formdata=None, room_id=request.args.get("room_id", ""),
                       starts_at=local_input(start), ends_at=local_input(start + timedelta(hours=1)),
                       purpose=str(DEFAULT_SESSION_PURPOSE) if stay_id else "",
                       stay_ids=[stay_id] if stay_id.isdigit() else [],
                       staff_id=str(bookings.default_counsellor(current_actor().user_id) or ""))
    return render_booking_form(form)


def form_id(value):
    """A select's value for the service: an int when it is one, else the text as typed
    (the service names it as invalid), None when empty."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else (value or None)


def booking_data(form: BookingForm) -> dict:
    return {"room_id": form_id(form.room_id.data), "starts_at": form.starts_at.data,
            "ends_at": form.ends_at.data, "purpose": form.purpose.data,
            "staff_id": form_id(form.staff_id.data),
            "stay_ids": [form_id(v) for v in form.stay_ids.data or [] if v]}


@bp.post("/bookings/new")
@requires(Permission.FACILITY_USE)
def booking_create():
    # The stay page's session form carries a prefix (its ids must not clash there).
    prefix = SESSION_FORM_PREFIX if f"{SESSION_FORM_PREFIX}room_id" in request.form else ""
    form = BookingForm(prefix=prefix)
    booking, status = submit(form, lambda: bookings.book(current_actor(), booking_data(form)))
    if status:
        return render_booking_form(form, status)
    flash(_("Ruang %(room)s dipesan: %(start)s–%(end)s.", room=booking.room.code,
            start=clock.to_local(booking.starts_at).strftime("%d/%m/%Y %H:%M"),
            end=clock.to_local(booking.ends_at).strftime("%H:%M")), "success")
    return redirect(safe_next(url_for(".booking_show", booking_id=booking.id), form.next.data), 303)


def render_booking(booking_id: int, cancel_form=None, note_form=None, status: int = 200):
    booking = bookings.get_booking(booking_id)
    stays = {}
    if booking.clients:
        stays = {stay.id: stay for stay in db.session.scalars(
            select(Stay).where(Stay.id.in_(booking.stay_ids)).options(joinedload(Stay.client)))}
        clients.record_search(current_actor(), sorted({s.client_id for s in stays.values()}))
    return render_template(
        "facility_use/booking.html", booking=booking, stays=stays,
        staff=bookings.counsellor_names([booking.staff_id]),
        people=bookings.user_names([booking.created_by_id, booking.cancelled_by_id]),
        cancel_form=cancel_form or CancelForm(formdata=None),
        note_form=note_form or SessionNoteForm(formdata=None),
        held=booking.starts_at <= clock.now()), status


@bp.get("/bookings/<int:booking_id>")
@requires(Permission.FACILITY_USE)
def booking_show(booking_id: int):
    return render_booking(booking_id)


@bp.post("/bookings/<int:booking_id>/cancel")
@requires(Permission.FACILITY_USE)
def booking_cancel(booking_id: int):
    form = CancelForm()
    _done, status = submit(form, lambda: bookings.cancel(current_actor(), booking_id,
                                                         form.reason.data))
    if status:
        return render_booking(booking_id, cancel_form=form, status=status)
    flash(_("Pemesanan dibatalkan; waktunya bebas kembali."), "success")
    return redirect(url_for(".booking_show", booking_id=booking_id), 303)


@bp.post("/bookings/<int:booking_id>/note")
@requires(Permission.FACILITY_USE, Permission.EXIT)
def booking_note(booking_id: int):
    form = SessionNoteForm()
    _done, status = submit(form, lambda: bookings.write_note(current_actor(), booking_id,
                                                             form.body.data))
    if status:
        return render_booking(booking_id, note_form=form, status=status)
    flash(_("Catatan sesi disimpan sebagai catatan kasus klien."), "success")
    return redirect(url_for(".booking_show", booking_id=booking_id), 303)


# --- visitor log ----------------------------------------------------------------------

def visited_stays(found) -> dict[int, Stay]:
    """stay id -> Stay, its client loaded in the same query, for the visits shown."""
    ids = {visit.stay_id for visit in found}
    if not ids:
        return {}
    return {stay.id: stay for stay in db.session.scalars(
        select(Stay).where(Stay.id.in_(ids)).options(joinedload(Stay.client)))}


def render_visits(form: VisitForm | None = None, status: int = 200):
    day = day_arg()
    found = visits.visits_on(day)
    visits.record_read(current_actor(), found, "visit_log")
    stays = visited_stays(found)
    clients.record_search(current_actor(), sorted({s.client_id for s in stays.values()}))
    form = form or VisitForm(formdata=None, arrived_at=local_input(clock.now()))
    form.stay_id.choices = stay_choices(blank="—")
    return render_template("facility_use/visits.html", visits=found, stays=stays, day=day,
                           form=form, confirm_form=ConfirmForm(), today=clock.local_today(),
                           prev=day - timedelta(days=1), next=day + timedelta(days=1)), status


@bp.get("/visits")
@requires(Permission.FACILITY_USE, Permission.CLIENTS_READ)
@cached
def visit_log():
    return render_visits()


@bp.post("/visits")
@requires(Permission.FACILITY_USE)
def visit_add():
    form = VisitForm()
    data = {"visitor_name": form.visitor_name.data, "relation": form.relation.data,
            "id_number": form.id_number.data, "phone": form.phone.data,
            "stay_id": form_id(form.stay_id.data),
            "arrived_at": form.arrived_at.data or None}
    _visit, status = submit(form, lambda: visits.record_visit(current_actor(), data))
    if status:
        return render_visits(form, status)
    flash(_("Kunjungan dicatat."), "success")
    return redirect(url_for(".visit_log"), 303)


@bp.post("/visits/<int:visit_id>/departure")
@requires(Permission.FACILITY_USE)
def visit_departure(visit_id: int):
    visit, status = submit(ConfirmForm(), lambda: visits.record_departure(current_actor(),
                                                                           visit_id))
    if status:
        return redirect(url_for(".visit_log"), 303)
    flash(_("Kepulangan pengunjung dicatat."), "success")
    day = clock.to_local(visit.arrived_at).date()
    return redirect(url_for(".visit_log", date=day.isoformat()), 303)


# --- maintenance ----------------------------------------------------------------------

def place_choices() -> list:
    """Every active room (by sort order), each followed by its beds in service: one query
    of columns (a room's row with a NULL bed when it has none)."""
    options, last_room = [], None
    for room_id, code, name, bed_id, label in db.session.execute(
            select(Room.id, Room.code, Room.name, Bed.id, Bed.label)
            .outerjoin(Bed, and_(Bed.room_id == Room.id, Bed.retired_at.is_(None)))
            .where(Room.active.is_(True))
            .order_by(Room.sort_order, Room.id, Bed.sort_order, Bed.id)):
        if room_id != last_room:
            options.append((f"r{room_id}", f"{code} · {name}"))
            last_room = room_id
        if bed_id is not None:
            options.append((f"b{bed_id}", f"{code} / {label}"))
    return choices(options, blank="—")


def maintenance_page_requests(status: str):
    """maintenance.requests(status) with each request's room and bed in the same query."""
    stmt = (select(MaintenanceRequest)
            .options(joinedload(MaintenanceRequest.room), joinedload(MaintenanceRequest.bed))
            .order_by(MaintenanceRequest.reported_at.desc(), MaintenanceRequest.id.desc()))
    done = MaintenanceRequest.done_at.is_not(None)
    return stmt.where(done if status == "done" else ~done)


def render_maintenance(form: MaintenanceForm | None = None, status: int = 200):
    form = form or MaintenanceForm(formdata=None)
    form.place.choices = place_choices()
    done = db.paginate(maintenance_page_requests("done"), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    found = list(db.session.scalars(maintenance_page_requests("open")))
    people = bookings.user_names([r.reported_by_id for r in found]
                                  + [r.done_by_id for r in done.items])
    return render_template("facility_use/maintenance.html", open_requests=found, done=done,
                           form=form, done_form=DoneForm(formdata=None), people=people), status


@bp.get("/maintenance")
@requires(Permission.MAINTENANCE)
@cached
def maintenance_list():
    return render_maintenance()


@bp.post("/maintenance")
@requires(Permission.MAINTENANCE)
def maintenance_add():
    form = MaintenanceForm()
    place = (form.place.data or "").strip()
    room_id = bed_id = None
    if place[1:].isdigit() and place[0] == "r":
        room_id = int(place[1:])
    elif place[1:].isdigit() and place[0] == "b":
        bed_id = int(place[1:])
        bed = db.session.get(Bed, bed_id) if bed_id <= bookings.MAX_ID else None
        room_id = bed.room_id if bed is not None else None
    data = {"room_id": room_id, "bed_id": bed_id, "description": form.description.data,
            "bed_out_of_service": bool(form.bed_out_of_service.data)}

    def report():
        try:
            return maintenance.report(current_actor(), data)
        except DomainError as error:  # the form has one field for the room and the bed
            error.fields = {{"room_id": "place", "bed_id": "place"}.get(key, key): message
                            for key, message in error.fields.items()}
            raise
    _request, status = submit(form, report)
    if status:
        return render_maintenance(form, status)
    flash(_("Permintaan perbaikan dicatat."), "success")
    return redirect(safe_next(url_for(".maintenance_list")), 303)


@bp.post("/maintenance/<int:request_id>/done")
@requires(Permission.MAINTENANCE)
def maintenance_done(request_id: int):
    form = DoneForm()
    done, status = submit(form, lambda: maintenance.mark_done(current_actor(), request_id,
                                                              form.note.data))
    if status:
        return redirect(safe_next(url_for(".maintenance_list")), 303)
    flash(_("Perbaikan selesai; tempat tidur tersedia kembali.") if done.outage_id
          else _("Perbaikan selesai."), "success")
    return redirect(safe_next(url_for(".maintenance_list")), 303)
