"""Pages of the client flow: intake (BAST and many clients), its result with placement,
the bed board, a stay (placement, isolation, extension, notes, SPM services) and exit.

No rules here: forms become the dicts of contract.md and go to stays.services /
stays.notes; a refused action re-renders the page with each message next to its field.
"""
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, get_template_attribute, jsonify, redirect,
                   render_template, request, session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import clock, signals
from ..auth.permissions import Permission, can, requires
from ..clients import pending
from ..clients import services as clients
from ..clients.regions import PROVINCES, REGENCIES
from ..clients.forms import choices
from ..errors import DomainError, found
from ..extensions import db
from ..fields import parse_id, parse_int
from ..navigation import page_sections_with
from ..signals import exit_destinations, values_from
from ..page_cache import cached
from ..web import current_actor, refused, url_by_id
from . import board as bed_board
from . import notes, services
from .forms import (AGENCY_LABELS, EXIT_LABELS, ISOLATION_FLAGS,
                    NOTE_LABELS, REGENCY_SUGGESTIONS, SCREENING_LABELS, ClientRowForm, ExitForm,
                    ExtensionForm, IntakeForm, IsolationForm, NoteForm, PlaceAllForm,
                    PlacementForm, ServiceForm, exit_data, intake_data, local_input, row_photos)
from .models import FAMILY_EXIT_TYPES, INSTITUTION_EXIT_TYPES, SPM_COMPONENTS, Intake

bp = Blueprint("stays", __name__)

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

def rendered_once(key, render) -> Markup:
    """HTML that depends on nothing but the locale, rendered once per app and locale (on
    every call while templates reload, in development)."""
    if current_app.jinja_env.auto_reload:
        return Markup(render())
    cache = current_app.extensions.setdefault("rps_rendered_once", {})
    key = (str(get_locale()), key)
    html = cache.get(key)
    if html is None:
        html = cache[key] = Markup(render())
    return html


def blank_row(number: int | None) -> Markup:
    """A client row as a new form shows it (no data, no errors): row `number` (its fields
    named clients-<number - 1>-...), or with None the blank row of the <template> the page's
    script copies (clients-__i__-...). Nothing in it but the labels changes, so it is
    rendered once per locale: WTForms rendering each field and option of a row was most of
    the page's time."""
    prefix = "clients-__i__-" if number is None else f"clients-{number - 1}-"

    def render():
        client_row = get_template_attribute("stays/_intake_row.html", "client_row")
        return client_row(ClientRowForm(prefix=prefix), "" if number is None else number, [],
                          SCREENING_LABELS, ISOLATION_FLAGS)
    return rendered_once(("intake row", number), render)


def render_intake(form: IntakeForm, row_errors: dict | None = None, status: int = 200,
                  blank: bool = False):
    """The intake form; `blank`: a new form, whose rows are blank rows."""
    row_errors = row_errors or {}
    problem_rows = [index + 1 for index, entry in enumerate(form.clients.entries)
                    if entry.form.has_errors() or row_errors.get(index)]
    header_errors = any(form[name].errors for name in HEADER_FIELDS)
    blank_rows = ([blank_row(number) for number in range(1, len(form.clients.entries) + 1)]
                  if blank else None)
    return render_template(
        "stays/intake_new.html", form=form, row_errors=row_errors,
        problem_rows=problem_rows, header_errors=header_errors,
        blank_rows=blank_rows, template_row=blank_row(None),
        regencies=REGENCY_SUGGESTIONS, screening_labels=SCREENING_LABELS,
        isolation_flags=ISOLATION_FLAGS,
        nik_regions={"provinces": PROVINCES, "regencies": REGENCIES}), status


HEADER_FIELDS = ("agency", "officer_name", "officer_id_number", "bast_number",
                 "operation_place", "operation_at", "received_at", "notes")


@bp.get("/intakes/new")
@requires(Permission.INTAKE)
@cached
def intake_new():
    now = local_input(clock.now())
    form = IntakeForm(formdata=None, received_at=now, operation_at=now)
    return render_intake(form, blank=True)[0]


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


def row_photo_data(form: IntakeForm) -> list[tuple[int, bytes]]:
    """(row index, bytes) of each row's photo: a file chosen now, else one kept from a
    refused submit (its token)."""
    limit = current_app.config["RPS_UPLOAD_MAX_BYTES"]
    photos = []
    for index, (entry, upload) in enumerate(zip(form.clients.entries, row_photos(form))):
        token = (entry.form.photo_token.data or "").strip()
        data = upload.stream.read(limit + 1) if upload is not None else (
            pending.load(token) if token else None)
        entry.form.photo_token.data = ""
        if data is not None:
            photos.append((index, data))
    return photos


def keep_photos(form: IntakeForm, photos: list[tuple[int, bytes]]) -> None:
    """A refused submit: keep the valid photos for the next one (their rows carry a token)."""
    rows = form.clients.entries
    for index, data in photos:
        row = rows[index].form
        if not row.photo.errors:
            row.photo_token.data = pending.keep(data)


@bp.post("/intakes/new")
@requires(Permission.INTAKE)
def intake_create():
    form = IntakeForm()
    form.validate_on_submit()  # CSRF is checked globally; the services check the rest
    actor = current_actor()
    tokens = [(entry.form.photo_token.data or "").strip() for entry in form.clients.entries]
    photos = row_photo_data(form)
    try:
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
        placements = services.place_all(actor, [s.id for s in stays]) if form.place_all.data \
            else []
    except DomainError as error:
        refused(error)
        errors = intake_errors(form, error.fields)
        keep_photos(form, photos)
        return render_intake(form, errors, error.status)
    for token in tokens:
        pending.discard(token)
    if placements:
        remember_placements(batch.id, placements)
        placed = sum(1 for _stay, outcome in placements if not isinstance(outcome, DomainError))
        flash(_("Penerimaan disimpan: %(n)s klien terdaftar, %(placed)s ditempatkan.",
                n=len(stays), placed=placed), "success")
    else:
        flash(_("Penerimaan disimpan: %(n)s klien terdaftar.", n=len(stays)), "success")
    return redirect(url_for(".intake_show", intake_id=batch.id), 303)


def refusal_groups(results) -> dict[str, list[int]]:
    """place_all's refusals as {reason: [stay ids]}: a few reasons, however large the batch."""
    groups: dict[str, list[int]] = {}
    for stay, outcome in results:
        if stay is not None and isinstance(outcome, DomainError):
            groups.setdefault(outcome.message, []).append(stay.id)
    return groups


def remember_placements(intake_id: int, results) -> None:
    """Why the stays that place_all could not place were refused, for the result page that
    follows the redirect (in the signed session cookie, grouped by reason so that it stays
    small; never in the URL)."""
    session["placement_refusals"] = {"intake_id": intake_id,
                                     "reasons": refusal_groups(results)}


def placement_refusals(intake_id: int) -> dict[int, str]:
    notes = session.pop("placement_refusals", None) or {}
    if notes.get("intake_id") != intake_id:
        return {}
    return {stay_id: reason for reason, stay_ids in notes.get("reasons", {}).items()
            for stay_id in stay_ids}


@bp.get("/intakes/bast-check.json")
@requires(Permission.INTAKE)
def bast_check():
    """The form warns when a BAST number was used before (it may repeat: not refused)."""
    number = (request.args.get("number") or "").strip()
    return jsonify({"used": bool(number) and services.bast_number_used(number)})


def bed_choices(fitting: dict) -> Callable[[int, bool], tuple[str, Markup]]:
    """For a stay, the beds placement.fitting offers it as the pages show them: their ids
    (board.js's data-fits) and their options (the bed_options macro). The waiting clients of
    one sex and age group share their list, which is drawn once, not once a client."""
    draw = get_template_attribute("_macros.html", "bed_options")
    drawn: dict = {}

    def choices(stay_id: int, needs_isolation: bool) -> tuple[str, Markup]:
        fits = fitting.get(stay_id, [])
        key = (tuple(bed.id for _room, bed in fits), bool(needs_isolation))
        if key not in drawn:
            drawn[key] = (" ".join(str(bed.id) for _room, bed in fits),
                          draw(fits, needs_isolation))
        return drawn[key]
    return choices


def placed_beds(states) -> dict[int, tuple]:
    """stay id -> (room, bed) for every stay sleeping in one of `states`' beds now."""
    beds = {bed.id: (state.room, bed) for state in states for bed in state.beds}
    return {stay_id: beds[bed_id] for state in states
            for bed_id, (stay_id, _client) in state.occupant_by_bed.items()}


@bp.get("/intakes/<int:intake_id>")
@requires(Permission.CLIENTS_READ)
@cached
def intake_show(intake_id: int):
    batch = found(services.intake_with_clients(intake_id), "Penerimaan tidak ditemukan.")
    today = clock.local_today()
    # The shelter and isolation rooms now, read once: where each stay sleeps, and where
    # the rules let each open one go.
    states = services.current_rooms()
    placed = placed_beds(states)
    choices = bed_choices(services.fitting([(stay, stay.client) for stay in batch.stays],
                                           states, today))
    refusals = placement_refusals(batch.id)
    rows = [{"stay": stay, "client": stay.client, "bed": placed.get(stay.id),
             "person": bed_board.occupant(stay, stay.client, today), "why": refusals.get(stay.id),
             "options": choices(stay.id, stay.needs_isolation)[1]} for stay in batch.stays]
    clients.record_search(current_actor(), [stay.client_id for stay in batch.stays])
    open_rows = [row for row in rows if row["stay"].exited_at is None]
    return render_template(
        "stays/intake_show.html", intake=batch, rows=rows, agency_labels=AGENCY_LABELS,
        place_all_form=PlaceAllForm(), placement_form=PlacementForm(),
        bast_url=first_url(("referrals.intake_bast", "referrals.intake_bast_pdf"),
                           intake_id=batch.id),
        counts={"total": len(rows), "placed": sum(1 for row in open_rows if row["bed"]),
                "L": sum(1 for row in rows if row["client"].sex == "L"),
                "P": sum(1 for row in rows if row["client"].sex == "P"),
                "isolation": sum(1 for row in rows if row["stay"].needs_isolation)},
        unplaced=sum(1 for row in open_rows if row["bed"] is None))


def report_placements(results) -> None:
    """What place_all did: how many were placed, and one message per reason for the ones
    that could not go (the page lists who is still waiting)."""
    placed = sum(1 for _stay, outcome in results
                 if outcome is not None and not isinstance(outcome, DomainError))
    flash(_("%(n)s klien ditempatkan otomatis.", n=placed), "success")
    for reason, stay_ids in refusal_groups(results).items():
        flash(_("%(n)s klien belum ditempatkan: %(why)s", n=len(stay_ids), why=reason),
              "warning")


@bp.post("/intakes/<int:intake_id>/place-all")
@requires(Permission.INTAKE)
def intake_place_all(intake_id: int):
    PlaceAllForm().validate_on_submit()
    batch = found(db.session.get(Intake, intake_id), "Penerimaan tidak ditemukan.")
    open_ids = [stay.id for stay in batch.stays if stay.exited_at is None]
    unplaced = [stay_id for stay_id in open_ids if services.open_assignment(stay_id) is None]
    results = services.place_all(current_actor(), unplaced)
    remember_placements(intake_id, results)
    report_placements(results)
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
@cached
def board():
    today = clock.local_today()
    result = bed_board.board(today)
    show_names = can(Permission.CLIENTS_READ)
    if show_names:
        clients.record_search(current_actor(), sorted(
            {bed.occupant.client_id for entry in result.rooms for bed in entry.beds
             if bed.occupant} | {person.client_id for person in result.queue}))
    residential = result.residential
    totals = {"capacity": sum(entry.capacity for entry in residential),
              "occupied": sum(entry.occupied for entry in residential),
              "queue": len(result.queue)}
    may_place = can(Permission.INTAKE)
    # Which free beds each waiting client may go to: the placement rules' decision, shown
    # by the page and by board.js (data-fits), never worked out again here (from the rooms
    # and the queue as the board read them).
    fitting = services.fitting(result.waiting, result.states, today) if may_place else {}
    return render_template(
        "stays/board.html", board=result, groups=board_groups(result), totals=totals,
        show_names=show_names, may_place=may_place,
        others=[entry.room for entry in result.rooms if not entry.room.residential],
        bed_choices=bed_choices(fitting),
        place_all_form=PlaceAllForm(), placement_form=PlacementForm(),
        stay_url=url_by_id(".show", "stay_id"),
        placement_url_of=url_by_id(".placement", "stay_id"),
        max_days=current_app.config["RPS_MAX_STAY_DAYS"], today=today)


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
        room = assignment.bed.room
        flash(_("Ditempatkan di %(room)s / %(bed)s.", room=room.code,
                bed=assignment.bed.label), "success")
        if room.kind == "isolation" and not assignment.stay.needs_isolation:
            flash(_("Perhatian: klien ini tidak ditandai perlu isolasi, tetapi ditempatkan di "
                    "ruang isolasi. Ruang isolasi sebaiknya disisakan untuk klien yang "
                    "membutuhkannya."), "warning")
    return redirect(back, 303)


# --- one stay -------------------------------------------------------------------------

def staff_choices(staff) -> list:
    return choices((str(user.id), user.full_name or user.username) for user in staff)


def render_stay(stay_id: int, status: int = 200, **forms):
    stay = services.stay_record(stay_id)
    # The client came with the stay: reading it is audited, and costs no statement.
    client = clients.get_client(current_actor(), stay.client_id, part=f"stay:{stay.id}")
    today = clock.local_today()
    days, limit = services.days_in_shelter(stay, today), services.stay_limit(stay)
    free = []
    if stay.exited_at is None and can(Permission.INTAKE):
        # The beds the rules let it go to, for the placement form: the client's sex's
        # shelter rooms and the isolation rooms as they are now, in one statement (not the
        # whole board: the other sex's rooms are refused by rule 1 anyway).
        free = services.fitting([(stay, client)], services.current_rooms(sex=client.sex),
                                today).get(stay.id, [])
    # The notes, services and staff of the stay, read in one statement with the lists of
    # the other domains' panels (Section.reads).
    rows, sections = page_sections_with("stay", notes.stay_reads(), stay=stay)
    service_form = forms.get("service_form") or ServiceForm(
        formdata=None, given_on=today.isoformat(), staff_id=str(current_actor().user_id))
    service_form.staff_id.choices = staff_choices(rows["staff"])
    return render_template(
        "stays/show.html", stay=stay, client=client, days=days, limit=limit,
        warning=services.warning_level(days, limit), free=free, sections=sections,
        current=stay.current_assignment, case_notes=notes.grouped_rows(rows["notes"]),
        spm=notes.grouped_rows(rows["services"]), authors=notes.author_names(rows["authors"]),
        placement_form=forms.get("placement_form") or PlacementForm(formdata=None),
        isolation_form=(forms.get("isolation_form") or IsolationForm.fresh(stay.needs_isolation))
        .mark_current(stay.needs_isolation),
        extension_form=forms.get("extension_form") or ExtensionForm(
            formdata=None, max_stay_days=str(limit + 7)),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        service_form=service_form, note_labels=NOTE_LABELS, spm_components=SPM_COMPONENTS,
        exit_labels=EXIT_LABELS, screening_labels=SCREENING_LABELS), status


def client_stays(client, rows) -> dict:
    """The client page's section of stays: every stay with its beds, belongings, exit,
    case notes and SPM services, newest first (the stays in one query; their notes,
    services and authors are rows of the page's batch, notes.client_reads)."""
    found_stays = services.stays_of(client.id)
    return {"stays": list(reversed(found_stays)),
            "case_notes": notes.grouped_rows(rows["notes"]),
            "spm": notes.grouped_rows(rows["services"]),
            "authors": notes.author_names(rows["authors"]), "exit_labels": EXIT_LABELS,
            "note_labels": NOTE_LABELS, "spm_components": SPM_COMPONENTS}


def _letter_url(letter) -> str | None:
    return first_url(("referrals.letter_pdf", "referrals.letter"), letter_id=letter.id)


@bp.get("/stays/<int:stay_id>")
@requires(Permission.CLIENTS_READ)
@cached
def show(stay_id: int):
    return render_stay(stay_id)


def stay_action(stay_id: int, form, form_name: str, action, done: str):
    """Run `action()` for a stay page form; refused: the page again with the messages."""
    form.validate_on_submit()
    try:
        action()
    except DomainError as error:
        refused(error, form)
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

def institution_groups() -> list:
    """Where an exit may lead, from the domains that know (signals.exit_destinations:
    referrals' active institutions by kind): (exit type, label, [(id, text)]) groups, of
    which exit.js shows the one matching the exit type."""
    return [group for groups in values_from(exit_destinations) for group in groups]


def render_exit(stay_id: int, form: ExitForm | None = None, errors: dict | None = None,
                status: int = 200):
    stay = services.stay_in_full(stay_id)
    client = clients.get_client(current_actor(), stay.client_id, part=f"exit:{stay.id}")
    # What other domains know of the stay (signals.stay_facts): accepted referrals, and
    # when a possible abscondment began (as services.absconded_at tells the exit).
    facts = signals.merged_facts([stay.id])[stay.id]
    absconded_at = facts.get("abscondment_started") if stay.exited_at is None else None
    if form is None:
        form = ExitForm(formdata=None, exited_at=local_input(absconded_at or clock.now()),
                        returned=[str(b.id) for b in stay.belongings if b.returned_at is None])
        if absconded_at is not None:  # two roll calls or more missed: offer `absconded`
            form.exit_type.data = "absconded"
    form.returned.choices = choices((str(b.id), f"{b.description} × {b.quantity}")
                                    for b in stay.belongings if b.returned_at is None)
    return render_template("stays/exit.html", stay=stay, client=client, form=form,
                           accepted_referrals=facts.get("accepted_referrals", []),
                           errors=errors or {}, family_types=FAMILY_EXIT_TYPES,
                           institution_types=INSTITUTION_EXIT_TYPES,
                           institution_groups=institution_groups(),
                           absconded_at=absconded_at), status


@bp.get("/stays/<int:stay_id>/exit")
@requires(Permission.EXIT)
@cached
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
        fields = {("family_" + key.split(".", 1)[1] if key.startswith("family_contact.")
                   else {"returned_belonging_ids": "returned"}.get(key, key)): message
                  for key, message in error.fields.items()}
        return render_exit(stay_id, form, refused(error, form, fields), error.status)
    flash(_("Klien telah dikeluarkan (%(type)s).", type=EXIT_LABELS[stay.exit_type]), "success")
    if letter is not None:
        url = _letter_url(letter)
        text = _("Surat nomor %(number)s diterbitkan.", number=letter.number)
        flash(Markup('{} <a href="{}" target="_blank" rel="noopener">{}</a>').format(text, url, _("Unduh PDF")) if url
              else escape(text), "success")
    return redirect(url_for(".show", stay_id=stay_id), 303)
