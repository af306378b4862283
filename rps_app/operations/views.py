"""Pages of daily operations: the weekly duty roster (and its proposal and PDF), staff and
leave, roll call and incidents. Forms post plain fields that the services check; a refusal
is flashed with its Indonesian message and the page shown again (errors.py)."""
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import clock
from ..auth.permissions import Permission, can, requires
from ..clients import services as clients
from ..errors import ValidationError
from ..fields import FieldErrors, iso, parse_moment
from ..page_cache import cached
from ..web import current_actor, translated_now, url_by_id
from . import documents, incidents, proposal, roster, rollcall, staff
from .models import INCIDENT_KINDS, LEAVE_KINDS, SESSIONS, SEVERITIES, SHIFTS
from .vocabulary import LEAVE_LABELS

bp = Blueprint("operations", __name__)


def back(endpoint: str, **values):
    return redirect(request.form.get("next") or url_for(endpoint, **values), 303)


def week_start(value: str | None) -> date:
    errors = FieldErrors()
    day = errors.date({"week": value}, "week") if value else None
    day = day or clock.local_today()
    return day - timedelta(days=day.weekday())


# --- roster --------------------------------------------------------------------------

@bp.get("/roster")
@requires(Permission.ROSTER_READ)
@cached
def roster_page(proposed=None):
    start = week_start(request.values.get("week"))
    end = start + timedelta(days=6)
    rooms = roster.posts()
    minimum = roster.minimums(rooms)
    people = staff.list_staff()
    grid = roster.grid(start, end, roster.assignments_between(start, end), rooms=rooms,
                       minimum=minimum, sexes={p.id: p.sex for p in people})
    away = {}
    for leave in staff.leaves_between(start, end):
        for day in roster.days(max(leave.from_date, start), min(leave.to_date, end)):
            away.setdefault(day, set()).add(leave.staff_id)
    proposed_cells = {}
    if proposed is not None:
        for day, shift, rid, sid in proposed.assignments:
            proposed_cells.setdefault((day, shift, rid), []).append(sid)
    return render_template(
        "operations/roster.html", start=start, end=end, days=roster.days(start, end),
        shifts=SHIFTS, shift_labels=translated_now(roster.SHIFT_LABELS), posts=rooms,
        minimum=minimum, cells=grid["cells"], gaps=grid["gaps"],
        codes={room.id: room.code for room in rooms},
        people=people, names={p.id: p.name for p in people}, away=away,
        may_edit=can(Permission.ROSTER_EDIT), proposed=proposed, proposed_cells=proposed_cells,
        prev_week=start - timedelta(days=7), next_week=start + timedelta(days=7))


@bp.post("/roster/assign")
@requires(Permission.ROSTER_EDIT)
def roster_assign():
    form = request.form
    data = {"date": form.get("date"), "shift": form.get("shift"), "post": form.get("post"),
            "staff_id": form.get("staff_id")}
    row = roster.assign(current_actor(), data)
    flash(_("%(name)s ditugaskan.", name=row.staff.name), "success")
    return back("operations.roster_page", week=row.date.isoformat())


@bp.post("/roster/assignments/<int:assignment_id>/delete")
@requires(Permission.ROSTER_EDIT)
def roster_unassign(assignment_id: int):
    roster.unassign(current_actor(), assignment_id)
    flash(_("Penugasan dihapus."), "success")
    return back("operations.roster_page")


@bp.post("/roster/posts/<int:room_id>/minimum")
@requires(Permission.ROSTER_EDIT)
def roster_minimum(room_id: int):
    for shift in SHIFTS:
        value = request.form.get(f"min_{shift}")
        if value is not None:
            roster.set_minimum(current_actor(), room_id, shift, value)
    flash(_("Jumlah minimal petugas disimpan."), "success")
    return back("operations.roster_page")


@bp.post("/roster/proposal")
@requires(Permission.ROSTER_READ)
def roster_proposal():
    start = week_start(request.form.get("week"))
    data = {"from": request.form.get("from") or start.isoformat(),
            "to": request.form.get("to") or (start + timedelta(days=6)).isoformat()}
    first, last = roster.check_period(data)
    result = proposal.propose(first, last)
    if request.form.get("apply") == "1":
        if not can(Permission.ROSTER_EDIT):
            raise ValidationError(_("Hanya kepala RPS yang dapat menyimpan usulan jadwal."))
        proposal.apply(current_actor(), result)
        flash(_("Usulan jadwal disimpan: %(n)s penugasan baru.", n=len(result.assignments)),
              "success")
        return redirect(url_for(".roster_page", week=start.isoformat()), 303)
    return roster_page(proposed=result)


@bp.get("/roster/jadwal.pdf")
@requires(Permission.ROSTER_READ)
def roster_pdf():
    start = week_start(request.args.get("week"))
    return documents.roster_pdf_response(start, start + timedelta(days=6))


# --- staff ---------------------------------------------------------------------------

@bp.get("/staff")
@requires(Permission.ROSTER_READ)
def staff_page():
    today = clock.local_today()
    people = staff.list_staff()
    leaves = staff.leaves_between(today - timedelta(days=30), today + timedelta(days=365))
    users = staff.linkable_users() if can(Permission.ROSTER_EDIT) else []
    return render_template("operations/staff.html", people=people, leaves=leaves, users=users,
                           names={p.id: p.name for p in people},
                           leave_labels=translated_now(LEAVE_LABELS), leave_kinds=LEAVE_KINDS,
                           may_edit=can(Permission.ROSTER_EDIT))


@bp.post("/staff")
@requires(Permission.ROSTER_EDIT)
def staff_create():
    form = request.form
    person = staff.create_staff(current_actor(), {
        "name": form.get("name"), "sex": form.get("sex"), "position": form.get("position"),
        "phone": form.get("phone") or None, "user_id": form.get("user_id") or None})
    flash(_("Petugas %(name)s ditambahkan.", name=person.name), "success")
    return back("operations.staff_page")


@bp.post("/staff/<int:staff_id>/active")
@requires(Permission.ROSTER_EDIT)
def staff_active(staff_id: int):
    staff.update_staff(current_actor(), staff_id, {"active": request.form.get("active") == "1"})
    flash(_("Status petugas diubah."), "success")
    return back("operations.staff_page")


@bp.post("/staff/<int:staff_id>/leave")
@requires(Permission.ROSTER_EDIT)
def staff_leave(staff_id: int):
    form = request.form
    staff.add_leave(current_actor(), staff_id, {"from": form.get("from"), "to": form.get("to"),
                                                "kind": form.get("kind")})
    flash(_("Cuti dicatat."), "success")
    return back("operations.staff_page")


@bp.post("/staff/leave/<int:leave_id>/delete")
@requires(Permission.ROSTER_EDIT)
def staff_leave_delete(leave_id: int):
    staff.remove_leave(current_actor(), leave_id)
    flash(_("Cuti dihapus."), "success")
    return back("operations.staff_page")


# --- roll call -----------------------------------------------------------------------

@bp.get("/rollcall")
@requires(Permission.OPERATIONS_READ)
@cached
def rollcall_page():
    default_day, default_session = rollcall.latest_session()
    errors = FieldErrors()
    day = errors.date(request.args, "date") or default_day
    session = request.args.get("session")
    session = session if session in SESSIONS else default_session
    if day > clock.local_today():
        day = clock.local_today()
    existing = rollcall.find(day, session)
    people = rollcall.residents(day, session)
    clients.record_search(current_actor(), sorted({p["client_id"] for p in people}))
    current = {e.stay_id: e for e in existing.current_entries} if existing else {}
    history = {}
    if existing:
        for entry in existing.entries:
            if entry.version != existing.version:
                history.setdefault(entry.version, []).append(entry)
    return render_template(
        "operations/rollcall.html", day=day, session=session, sessions=SESSIONS,
        session_labels=translated_now(rollcall.SESSION_LABELS), people=people, existing=existing,
        current=current, history=history, statuses=rollcall.ROLLCALL_STATUSES,
        status_labels=translated_now(rollcall.STATUS_LABELS),
        counts=rollcall.counts(existing) if existing else None,
        may_write=can(Permission.ROLLCALL), names={p["stay_id"]: p["name"] for p in people},
        today=clock.local_today())


def rollcall_entries(stay_ids: list[str]) -> list[dict]:
    entries = []
    for value in stay_ids:
        stay_id = int(value) if value.isdigit() else value
        entries.append({"stay_id": stay_id,
                        "status": request.form.get(f"status_{value}", "present"),
                        "note": request.form.get(f"note_{value}") or None})
    return entries


@bp.post("/rollcall")
@requires(Permission.ROLLCALL)
def rollcall_create():
    form = request.form
    result = rollcall.take(current_actor(), {
        "date": form.get("date"), "session": form.get("session"),
        "entries": rollcall_entries(form.getlist("stay_id"))})
    counts = rollcall.counts(result)
    flash(_("Apel dicatat: %(present)s hadir (porsi makan), %(absent)s tidak ada.",
            present=counts["present"], absent=counts["absent"]), "success")
    return redirect(url_for(".rollcall_page", date=result.date.isoformat(),
                            session=result.session), 303)


@bp.post("/rollcall/<int:rollcall_id>")
@requires(Permission.ROLLCALL)
def rollcall_correct(rollcall_id: int):
    result = rollcall.correct(current_actor(), rollcall_id,
                              {"entries": rollcall_entries(request.form.getlist("stay_id"))})
    flash(_("Koreksi apel disimpan (versi %(v)s).", v=result.version), "success")
    return redirect(url_for(".rollcall_page", date=result.date.isoformat(),
                            session=result.session), 303)


# --- incidents -----------------------------------------------------------------------

@bp.get("/incidents")
@requires(Permission.OPERATIONS_READ)
@cached
def incidents_page():
    errors = FieldErrors()
    today = clock.local_today()
    start = errors.date(request.args, "from") or today - timedelta(days=30)
    end = errors.date(request.args, "to") or today
    rows = incidents.between(start, end)
    open_people = rollcall.residents(today, "malam") if can(Permission.INCIDENTS_WRITE) else []
    if open_people:  # the form's list of residents shows names: log whose
        clients.record_search(current_actor(), sorted({p["client_id"] for p in open_people}))
    return render_template(
        "operations/incidents.html", rows=rows, start=start, end=end,
        kind_labels=translated_now(incidents.KIND_LABELS), kinds=INCIDENT_KINDS,
        severity_labels=translated_now(incidents.SEVERITY_LABELS), severities=SEVERITIES,
        open_people=open_people, stay_url=url_by_id("stays.show", "stay_id"),
        acknowledge_url=url_by_id("operations.incident_acknowledge", "incident_id"),
        may_write=can(Permission.INCIDENTS_WRITE), may_ack=can(Permission.INCIDENTS_ACK),
        now_input=clock.to_local(clock.now()).strftime("%Y-%m-%dT%H:%M"))


@bp.post("/incidents")
@requires(Permission.INCIDENTS_WRITE)
def incident_create():
    form = request.form
    occurred = parse_moment(form.get("occurred_at") or "")
    stay_ids = [int(v) for v in form.getlist("stay_ids") if v.isdigit()]
    incidents.record(current_actor(), {
        "occurred_at": iso(occurred) if occurred else form.get("occurred_at"),
        "kind": form.get("kind"), "severity": form.get("severity"), "stay_ids": stay_ids,
        "description": form.get("description"), "action_taken": form.get("action_taken") or None})
    flash(_("Kejadian dicatat."), "success")
    return back("operations.incidents_page")


@bp.post("/incidents/<int:incident_id>/acknowledge")
@requires(Permission.INCIDENTS_ACK)
def incident_acknowledge(incident_id: int):
    incidents.acknowledge(current_actor(), incident_id)
    flash(_("Kejadian ditandai sudah ditindaklanjuti."), "success")
    return back("operations.incidents_page")
