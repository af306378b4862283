"""Pages of case work: the assessment and case conferences (on the stay page), the NIK
note and duplicates with the head's merge (on the client page), the intake form's
duplicate check, and the head's data-quality page. No rules here."""
from datetime import datetime

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _

from .. import clock
from ..audit.services import note_shown
from ..auth.permissions import Permission, can, requires
from ..errors import DomainError
from ..page_cache import cached
from ..web import current_actor, flash_refusal, url_by_id
from . import duplicates, quality, services
from .forms import AssessmentForm, ConferenceForm, MergeForm, NikNoteForm
from .models import ASSESSMENT_PARTS

bp = Blueprint("casework", __name__)


def _run(form, action, done: str, back: str):
    form.validate_on_submit()
    try:
        action()
    except DomainError as error:
        flash_refusal(error, form)
    else:
        flash(done, "success")
    return redirect(back, 303)


# --- sections --------------------------------------------------------------------------------

def stay_section(stay, rows) -> dict:
    """The assessment and case conferences of the stay (rows: services.stay_reads)."""
    assessment = next(iter(rows["assessment"]), None)
    now = clock.now()
    form = AssessmentForm(formdata=None, obj=assessment)
    return {"stay": stay, "assessment": assessment, "form": form,
            "due": services.assessment_due(stay),
            "overdue": services.assessment_overdue(stay, assessment, now),
            "late": assessment is not None and assessment.assessed_at > services.assessment_due(stay),
            "parts": [(part, form[part]) for part in ASSESSMENT_PARTS],
            "conferences": rows["conferences"],
            "conference_form": ConferenceForm(formdata=None,
                                              held_on=clock.local_today().isoformat()),
            "can_write": can(Permission.EXIT), "today": clock.local_today()}


def client_section(client, rows) -> dict:
    """Duplicates, the merge and the NIK note (rows: services.client_reads)."""
    target = duplicates.merged_target(client)
    if target is not None:
        return {"merged_into": target}
    found = duplicates.suggestions(duplicates.person_of(client, clock.local_today()),
                                   exclude_id=client.id)
    if found:
        duplicates.record_suggested(current_actor(), [s.client.id for s in found])
    return {"client": client, "suggestions": found, "merged_into": None,
            "today": clock.local_today(),
            "nik_note": next(iter(rows["nik_note"]), None),
            "nik_form": NikNoteForm(formdata=None),
            "merge_form": MergeForm(formdata=None), "can_merge": can(Permission.CLIENTS_MERGE),
            "can_note": can(Permission.EXIT), "open_stay": bool(rows["open_stay"])}


def dashboard_section(reads):
    """A batched section: read with the rest of the dashboard."""
    overdue = services.overdue_assessments(reads, clock.now())

    def build() -> dict | None:
        rows = overdue.value
        note_shown(current_actor(), "assessments_overdue", [row.client_id for row in rows])
        return {"rows": rows} if rows else None
    return build


# --- writes ----------------------------------------------------------------------------------

def _stay_page(stay_id: int, anchor: str) -> str:
    return url_for("stays.show", stay_id=stay_id) + anchor


@bp.post("/stays/<int:stay_id>/assessment")
@requires(Permission.EXIT)
def assessment(stay_id: int):
    form = AssessmentForm()
    data = {part: form[part].data for part in ASSESSMENT_PARTS}
    return _run(form, lambda: services.save_assessment(current_actor(), stay_id, data),
                _("Asesmen disimpan."), _stay_page(stay_id, "#assessment"))


@bp.post("/stays/<int:stay_id>/conferences")
@requires(Permission.EXIT)
def conference(stay_id: int):
    form = ConferenceForm()
    data = {"held_on": form.held_on.data, "participants": form.participants.data,
            "decision": form.decision.data}
    return _run(form, lambda: services.add_conference(current_actor(), stay_id, data),
                _("Konferensi kasus dicatat."), _stay_page(stay_id, "#assessment"))


@bp.post("/clients/<int:client_id>/nik-note")
@requires(Permission.EXIT)
def nik_note(client_id: int):
    form = NikNoteForm()
    return _run(form, lambda: services.save_nik_note(current_actor(), client_id,
                                                     {"note": form.note.data}),
                _("Catatan NIK disimpan."),
                url_for("clients.show", client_id=client_id) + "#duplicates")


@bp.post("/clients/<int:client_id>/merge")
@requires(Permission.CLIENTS_MERGE)
def merge(client_id: int):
    form = MergeForm()
    form.validate_on_submit()
    value = form.into.data or ""
    try:
        into = duplicates.merge(current_actor(), client_id,
                                {"into": int(value) if value.isdigit() else value or None})
    except DomainError as error:
        flash_refusal(error, form)
        return redirect(url_for("clients.show", client_id=client_id) + "#duplicates", 303)
    flash(_("Data klien digabung ke %(number)s.", number=into.registration_number), "success")
    return redirect(url_for("clients.show", client_id=into.id), 303)


@bp.post("/clients/duplicates.json")
@requires(Permission.INTAKE)
def duplicates_json():
    """The intake form's check of a typed row (POST, CSRF token in X-CSRFToken: the name
    never stands in a URL)."""
    person = duplicates.person_from(request.get_json(silent=True) or {})
    found = duplicates.suggestions(person, limit=5)
    duplicates.record_suggested(current_actor(), [s.client.id for s in found])
    return jsonify([duplicates.suggestion_json(s) for s in found])


# --- data quality ----------------------------------------------------------------------------

@bp.get("/data-quality")
@requires(Permission.CLIENTS_MERGE)
@cached
def data_quality():
    checks = quality.checks()
    note_shown(current_actor(), "data_quality",
               [issue.client_id for check in checks for issue in check.issues])
    return render_template("casework/quality.html", checks=checks,
                           window=quality.WINDOW_DAYS, limit=quality.LIMIT,
                           stay_url=url_by_id("stays.show", "stay_id"),
                           client_url=url_by_id("clients.show", "client_id"),
                           minute=local_minute)


def local_minute(moment) -> str:
    """An aware datetime as the filter datetimeformat("dd/MM/yyyy HH:mm") shows it (digits
    only, in the local zone), without Babel's cost per call: a list shows hundreds."""
    if not isinstance(moment, datetime):
        return format_datetime(moment, "dd/MM/yyyy HH:mm")
    local = clock.to_local(moment)
    return (f"{local.day:02d}/{local.month:02d}/{local.year:04d} "
            f"{local.hour:02d}:{local.minute:02d}")
