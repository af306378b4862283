"""Pages of the client flow: intake (BAST and many clients), its result with placement,
the bed board, a stay (placement, isolation, extension, notes, SPM services) and exit.

No rules here: forms become the dicts of contract.md and go to stays.services /
stays.notes; a refused action re-renders the page with each message next to its field.
"""
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock, signals
from ..auth.permissions import Permission, can, requires
from ..clients import services as clients
from ..clients.forms import choices
from ..errors import DomainError, found
from ..extensions import db
from ..fields import parse_id, parse_int
from ..referrals.models import Institution
from ..web import current_actor, put_field_errors
from . import board as bed_board
from . import notes, services
from .forms import (AGENCY_LABELS, EXIT_LABELS, INSTITUTION_KIND_LABELS, ISOLATION_FLAGS,
                    NOTE_LABELS, REGENCY_SUGGESTIONS, SCREENING_LABELS, ClientRowForm, ExitForm,
                    ExtensionForm, IntakeForm, IsolationForm, NoteForm, PlaceAllForm,
                    PlacementForm, ServiceForm, exit_data, intake_data, local_input, row_photos)
from .models import FAMILY_EXIT_TYPES, INSTITUTION_EXIT_TYPES, SPM_COMPONENTS, Intake, Stay

bp = Blueprint("stays", __name__)

REFUSALS = (409, 422)  # what a form shows on the page; anything else goes to the handler


def refused(error: DomainError) -> bool:
    if error.status not in REFUSALS:
        raise error
    flash(error.message, "error")
    return True


def safe_next(default: str) -> str:
    """Where to go back after an action: a path of this site only (no open redirect)."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def first_url(endpoints, **values) -> str | None:
    """The first of `endpoints` that exists (pages other helpers may or may not provide)."""
    for endpoint in endpoints:
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **values)
    return None


# --- intake ---------------------------------------------------------------------------

def render_intake(form: IntakeForm, row_errors: dict | None = None, status: int = 200):
    return render_template(
        "stays/intake_new.html", form=form, row_errors=row_errors or {},
        blank_row=ClientRowForm(prefix="clients-__i__-"),
        regencies=REGENCY_SUGGESTIONS, screening_labels=SCREENING_LABELS,
        isolation_flags=ISOLATION_FLAGS), status


@bp.get("/intakes/new")
@requires(Permission.INTAKE)
def intake_new():
    form = IntakeForm(formdata=None, received_at=local_input(clock.now()))
    return render_intake(form)[0]


def intake_errors(form: IntakeForm, fields: dict) -> dict:
    """Put `clients.<i>.<field>` messages on row i's field; the rest by row (or form)."""
    leftovers: dict = {}
    rows = form.clients.entries
    for key, message in fields.items():
        parts = key.split(".")
        index = parse_int(parts[1], 0, len(rows) - 1) if len(parts) >= 2 else None
        if parts[0] == "clients" and index is not None:
            row = rows[index].form
            name = parts[2] if len(parts) > 2 else ""
            target = {"screening": "needs_isolation", "client_id": "name"}.get(name, name)
            field = row._fields.get(target)
            if field is not None and len(parts) <= 3:
                field.errors = [*field.errors, message]
            else:
                leftovers.setdefault(index, []).append(message)
        elif key in form._fields and key != "clients":
            form[key].errors = [*form[key].errors, message]
        else:
            leftovers.setdefault("form", []).append(message)
    return leftovers


@bp.post("/intakes/new")
@requires(Permission.INTAKE)
def intake_create():
    form = IntakeForm()
    form.validate_on_submit()  # CSRF is checked globally; the services check the rest
    actor = current_actor()
    try:
        photos = [(index, upload.stream.read(current_app.config["RPS_UPLOAD_MAX_BYTES"] + 1))
                  for index, upload in enumerate(row_photos(form)) if upload is not None]
        photo_errors = {}
        for index, data in photos:  # checked first: a bad photo keeps the whole intake out
            try:
                clients.photo_kind(data, f"clients.{index}.photo")
            except DomainError as error:
                photo_errors.update(error.fields)
        if photo_errors:
            raise DomainError("Foto tidak valid; tidak ada yang disimpan.", photo_errors)
        batch = services.intake(actor, intake_data(form))
        stays = list(batch.stays)
        for index, data in photos:
            clients.save_photo(actor, stays[index].client_id, data, f"clients.{index}.photo")
    except DomainError as error:
        refused(error)
        return render_intake(form, intake_errors(form, error.fields), error.status)
    flash(_("Penerimaan disimpan: %(n)s klien terdaftar.", n=len(stays)), "success")
    return redirect(url_for(".intake_show", intake_id=batch.id), 303)


@bp.get("/intakes/bast-check.json")
@requires(Permission.INTAKE)
def bast_check():
    """The form warns when a BAST number was used before (it may repeat: not refused)."""
    number = (request.args.get("number") or "").strip()
    return jsonify({"used": bool(number) and services.bast_number_used(number)})


def free_beds_for(result: bed_board.Board, occupant) -> list:
    """(room, bed) pairs the occupant could be offered: free beds of rooms that fit their sex
    and isolation flag (the service checks every rule again)."""
    offered = []
    for entry in result.residential:
        room = entry.room
        if occupant.needs_isolation and room.kind != "isolation":
            continue
        if room.sex not in (None, occupant.sex):
            continue
        offered.extend((room, bed.bed) for bed in entry.beds
                       if bed.usable and bed.occupant is None)
    return offered


def placed_beds(result: bed_board.Board) -> dict[int, tuple]:
    """stay id -> (room, bed) for every placed stay on the board."""
    return {bed.occupant.stay_id: (entry.room, bed.bed)
            for entry in result.rooms for bed in entry.beds if bed.occupant is not None}


@bp.get("/intakes/<int:intake_id>")
@requires(Permission.CLIENTS_READ)
def intake_show(intake_id: int):
    batch = found(db.session.get(Intake, intake_id, options=(
        selectinload(Intake.stays).selectinload(Stay.client),)), "Penerimaan tidak ditemukan.")
    today = clock.local_today()
    result = bed_board.board(today)
    placed = placed_beds(result)
    rows = []
    for stay in batch.stays:
        person = bed_board.occupant(stay, stay.client, today)
        rows.append({"stay": stay, "client": stay.client, "bed": placed.get(stay.id),
                     "free": free_beds_for(result, person) if stay.exited_at is None else []})
    clients.record_search(current_actor(), [stay.client_id for stay in batch.stays])
    return render_template(
        "stays/intake_show.html", intake=batch, rows=rows, agency_labels=AGENCY_LABELS,
        place_all_form=PlaceAllForm(), placement_form=PlacementForm(),
        bast_url=first_url(("referrals.intake_bast", "referrals.intake_bast_pdf"),
                           intake_id=batch.id),
        unplaced=sum(1 for row in rows if row["bed"] is None and row["stay"].exited_at is None))


def report_placements(results) -> None:
    """One message per stay of place_all: where it went, or why it could not go."""
    placed = 0
    for stay, outcome in results:
        if isinstance(outcome, DomainError):
            who = stay.client.registration_number if stay is not None else "?"
            flash(_("%(who)s belum ditempatkan: %(why)s", who=who, why=outcome.message), "warning")
        elif outcome is not None:
            placed += 1
    flash(_("%(n)s klien ditempatkan otomatis.", n=placed), "success")


@bp.post("/intakes/<int:intake_id>/place-all")
@requires(Permission.INTAKE)
def intake_place_all(intake_id: int):
    PlaceAllForm().validate_on_submit()
    batch = found(db.session.get(Intake, intake_id), "Penerimaan tidak ditemukan.")
    open_ids = [stay.id for stay in batch.stays if stay.exited_at is None]
    unplaced = [stay_id for stay_id in open_ids if services.open_assignment(stay_id) is None]
    report_placements(services.place_all(current_actor(), unplaced))
    return redirect(url_for(".intake_show", intake_id=intake_id), 303)


# --- bed board ------------------------------------------------------------------------

def board_groups(result: bed_board.Board) -> list:
    """Putra, Putri and Isolasi: (label, board rooms)."""
    def group(entry):
        return "isolation" if entry.room.kind == "isolation" else entry.room.sex
    labels = (("L", _("Putra")), ("P", _("Putri")), ("isolation", _("Isolasi")))
    return [(label, [entry for entry in result.residential if group(entry) == key])
            for key, label in labels]


@bp.get("/rooms")
@requires(Permission.ROOMS_READ)
def board():
    result = bed_board.board(clock.local_today())
    show_names = can(Permission.CLIENTS_READ)
    if show_names:
        clients.record_search(current_actor(), sorted(
            {bed.occupant.client_id for entry in result.rooms for bed in entry.beds
             if bed.occupant} | {person.client_id for person in result.queue}))
    residential = result.residential
    totals = {"capacity": sum(entry.capacity for entry in residential),
              "occupied": sum(entry.occupied for entry in residential),
              "queue": len(result.queue)}
    return render_template(
        "stays/board.html", board=result, groups=board_groups(result), totals=totals,
        show_names=show_names, may_place=can(Permission.INTAKE),
        others=[entry.room for entry in result.rooms if not entry.room.residential],
        free_beds=lambda person: free_beds_for(result, person),
        place_all_form=PlaceAllForm(), placement_form=PlacementForm(),
        max_days=current_app.config["RPS_MAX_STAY_DAYS"], today=clock.local_today())


@bp.post("/rooms/place-all")
@requires(Permission.INTAKE)
def board_place_all():
    PlaceAllForm().validate_on_submit()
    queue = bed_board.unplaced(clock.local_today())
    report_placements(services.place_all(current_actor(), [p.stay_id for p in queue]))
    return redirect(url_for(".board"), 303)


@bp.post("/stays/<int:stay_id>/placement")
@requires(Permission.INTAKE)
def placement(stay_id: int):
    """Place or move one stay: a chosen bed, or (no bed) the best fit."""
    form = PlacementForm()
    form.validate_on_submit()
    back = safe_next(url_for(".show", stay_id=stay_id))
    value = (form.bed_id.data or "").strip()
    try:
        bed_id = parse_id(value) if value else None
        if value and bed_id is None:
            raise DomainError("Pilih tempat tidur.", {"bed_id": "Pilih tempat tidur."})
        assignment = services.place(current_actor(), stay_id, bed_id=bed_id)
    except DomainError as error:
        refused(error)
        return redirect(back, 303)  # refused: the after-request handler rolls back
    if assignment is not None:
        flash(_("Ditempatkan di %(room)s / %(bed)s.", room=assignment.bed.room.code,
                bed=assignment.bed.label), "success")
    return redirect(back, 303)


# --- one stay -------------------------------------------------------------------------

def staff_choices() -> list:
    return choices((str(user.id), user.full_name or user.username) for user in notes.active_staff())


def render_stay(stay_id: int, status: int = 200, **forms):
    stay = services.get_stay(stay_id)
    client = clients.get_client(current_actor(), stay.client_id, part=f"stay:{stay.id}")
    stay = next(s for s in client.stays if s.id == stay_id)
    today = clock.local_today()
    days, limit = services.days_in_shelter(stay, today), services.stay_limit(stay)
    result = bed_board.board(today) if stay.exited_at is None else None
    free = free_beds_for(result, bed_board.occupant(stay, client, today)) if result else []
    case_notes, spm = notes.notes_for([stay.id]), notes.services_for([stay.id])
    authors = notes.staff_names([n.author_id for n in case_notes.get(stay.id, [])]
                                + [r.staff_id for r in spm.get(stay.id, [])])
    service_form = forms.get("service_form") or ServiceForm(
        formdata=None, given_on=today.isoformat(), staff_id=str(current_actor().user_id))
    service_form.staff_id.choices = staff_choices()
    letters = [letter for letter in _letters(client.id) if letter.stay_id == stay.id]
    return render_template(
        "stays/show.html", stay=stay, client=client, days=days, limit=limit,
        warning=services.warning_level(days, limit), free=free,
        current=stay.current_assignment, case_notes=case_notes, spm=spm, authors=authors,
        letters=letters, letter_url=_letter_url,
        placement_form=forms.get("placement_form") or PlacementForm(formdata=None),
        isolation_form=(forms.get("isolation_form") or IsolationForm.fresh(stay.needs_isolation))
        .mark_current(stay.needs_isolation),
        extension_form=forms.get("extension_form") or ExtensionForm(
            formdata=None, max_stay_days=str(limit + 7)),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        service_form=service_form, note_labels=NOTE_LABELS, spm_components=SPM_COMPONENTS,
        exit_labels=EXIT_LABELS, screening_labels=SCREENING_LABELS), status


def _letters(client_id: int) -> list:
    try:
        from ..referrals.letters import letters_for_client
    except ImportError:
        return []
    return letters_for_client(client_id)


def _letter_url(letter) -> str | None:
    return first_url(("referrals.letter_pdf", "referrals.letter"), letter_id=letter.id)


@bp.get("/stays/<int:stay_id>")
@requires(Permission.CLIENTS_READ)
def show(stay_id: int):
    return render_stay(stay_id)


def stay_action(stay_id: int, form, form_name: str, action, done: str):
    """Run `action()` for a stay page form; refused: the page again with the messages."""
    form.validate_on_submit()
    try:
        action()
    except DomainError as error:
        refused(error)
        put_field_errors(form, error.fields)
        return render_stay(stay_id, status=error.status, **{form_name: form})
    flash(done, "success")
    return redirect(url_for(".show", stay_id=stay_id), 303)


@bp.post("/stays/<int:stay_id>/isolation")
@requires(Permission.INTAKE)
def isolation(stay_id: int):
    form = IsolationForm()

    def decide():
        outcome = services.decide_isolation(current_actor(), stay_id,
                                            form.needs_isolation.data == "1", form.reason.data)
        if outcome.needs_move:
            flash(_("Klien masih di ruang shelter: pindahkan ke ruang isolasi."), "warning")
    return stay_action(stay_id, form, "isolation_form", decide, _("Keputusan isolasi dicatat."))


@bp.post("/stays/<int:stay_id>/extension")
@requires(Permission.INTAKE)
def extension(stay_id: int):
    form = ExtensionForm()
    return stay_action(stay_id, form, "extension_form", lambda: services.extend_stay(
        current_actor(), stay_id, form.max_stay_days.data, form.reason.data),
        _("Perpanjangan masa tinggal dicatat."))


@bp.post("/stays/<int:stay_id>/notes")
@requires(Permission.EXIT)
def note_add(stay_id: int):
    form = NoteForm()
    return stay_action(stay_id, form, "note_form", lambda: notes.add_note(
        current_actor(), stay_id, form.kind.data, form.body.data, form.corrects_id.data),
        _("Catatan kasus disimpan."))


@bp.post("/stays/<int:stay_id>/services")
@requires(Permission.EXIT)
def service_add(stay_id: int):
    form = ServiceForm()
    return stay_action(stay_id, form, "service_form", lambda: notes.add_service(
        current_actor(), stay_id, form.component.data, form.given_on.data, form.staff_id.data,
        form.note.data), _("Layanan SPM dicatat."))


# --- exit -----------------------------------------------------------------------------

def institution_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Active institutions of the kinds an exit refers to (panti, balai, hospital), as
    (kind, kind label, [(id, text)]) in the exit types' order: the select's optgroups, of
    which exit.js shows the one matching the exit type (read-only here; referrals
    administers them)."""
    rows = db.session.scalars(select(Institution).where(
        Institution.active.is_(True), Institution.kind.in_(INSTITUTION_EXIT_TYPES))
        .order_by(Institution.name))
    options: dict[str, list[tuple[str, str]]] = {kind: [] for kind in INSTITUTION_EXIT_TYPES}
    for i in rows:
        options[i.kind].append((str(i.id), f"{i.name} ({i.city})" if i.city else i.name))
    return [(kind, INSTITUTION_KIND_LABELS[kind], items) for kind, items in options.items()]


def render_exit(stay_id: int, form: ExitForm | None = None, errors: dict | None = None,
                status: int = 200):
    stay = services.get_stay(stay_id)
    client = clients.get_client(current_actor(), stay.client_id, part=f"exit:{stay.id}")
    stay = next(s for s in client.stays if s.id == stay_id)
    if form is None:
        form = ExitForm(formdata=None, exited_at=local_input(clock.now()),
                        returned=[str(b.id) for b in stay.belongings if b.returned_at is None])
    form.returned.choices = choices((str(b.id), f"{b.description} × {b.quantity}")
                                    for b in stay.belongings if b.returned_at is None)
    # Accepted referrals of this stay, when a domain keeps them (signals.stay_facts).
    accepted = signals.merged_facts([stay.id])[stay.id].get("accepted_referrals", [])
    return render_template("stays/exit.html", stay=stay, client=client, form=form,
                           accepted_referrals=accepted,
                           errors=errors or {}, family_types=FAMILY_EXIT_TYPES,
                           institution_types=INSTITUTION_EXIT_TYPES,
                           institution_groups=institution_groups()), status


@bp.get("/stays/<int:stay_id>/exit")
@requires(Permission.EXIT)
def exit_form(stay_id: int):
    return render_exit(stay_id)


@bp.post("/stays/<int:stay_id>/exit")
@requires(Permission.EXIT)
def exit_submit(stay_id: int):
    form = ExitForm()
    form.validate_on_submit()
    try:
        stay, letter = services.exit_stay(current_actor(), stay_id, exit_data(form))
    except DomainError as error:
        refused(error)
        fields = {("family_" + key.split(".", 1)[1] if key.startswith("family_contact.")
                   else {"returned_belonging_ids": "returned"}.get(key, key)): message
                  for key, message in error.fields.items()}
        return render_exit(stay_id, form, put_field_errors(form, fields), error.status)
    flash(_("Klien telah dikeluarkan (%(type)s).", type=EXIT_LABELS[stay.exit_type]), "success")
    if letter is not None:
        url = _letter_url(letter)
        text = _("Surat nomor %(number)s diterbitkan.", number=letter.number)
        flash(Markup('{} <a href="{}">{}</a>').format(text, url, _("Unduh PDF")) if url
              else escape(text), "success")
    return redirect(url_for(".show", stay_id=stay_id), 303)
