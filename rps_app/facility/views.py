"""Admin pages for rooms and beds (Permission.ADMIN), under /admin/rooms and /admin/beds."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.permissions import Permission, requires
from ..errors import DomainError
from ..web import current_actor
from . import services
from .forms import (KIND_LABELS, SEX_LABELS, TAG_LABELS, BedAddForm, ConfirmForm, OutageForm,
                    RoomAddForm, RoomRenameForm)
from .models import ROOM_KINDS

bp = Blueprint("facility", __name__)


@dataclass
class Outcome:
    value: object = None
    status: int | None = None  # set when the action was refused

    @property
    def ok(self) -> bool:
        return self.status is None


def run(form, action: Callable[[], object]) -> Outcome:
    """Run `action` for a valid form. A refused action (409/422) is told on the page:
    its message flashed, each field's message put on the form's field of that name."""
    if not form.validate_on_submit():
        return Outcome(status=422)
    try:
        return Outcome(value=action())
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        flash(error.message, "error")
        for name, message in error.fields.items():
            field = form._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]
            elif message != error.message:
                flash(message, "error")
        return Outcome(status=error.status)


def page_context() -> dict:
    return {"kind_labels": KIND_LABELS, "sex_labels": SEX_LABELS, "tag_labels": TAG_LABELS,
            "capacity": services.capacity}


# --- the list of rooms ----------------------------------------------------------------

def render_rooms(add_form: RoomAddForm):
    query = (request.args.get("q") or "").strip().lower()
    kind = request.args.get("kind") or ""
    rooms = services.rooms_with_beds()
    shown = [room for room in rooms
             if (not kind or room.kind == kind)
             and (not query or query in room.code.lower() or query in room.name.lower())]
    groups = [(k, [room for room in shown if room.kind == k]) for k in ROOM_KINDS]
    residential = [room for room in rooms if room.residential]
    totals = {"usable": sum(services.capacity(room) for room in residential),
              "beds": sum(1 for room in residential for bed in room.beds if bed.retired_at is None)}
    return render_template("facility/rooms.html", groups=[g for g in groups if g[1]],
                           add_form=add_form, totals=totals, query=query, kind=kind,
                           **page_context())


@bp.get("/admin/rooms")
@requires(Permission.ADMIN)
def rooms():
    return render_rooms(RoomAddForm())


@bp.post("/admin/rooms")
@requires(Permission.ADMIN)
def room_add():
    form = RoomAddForm()
    outcome = run(form, lambda: services.add_room(
        current_actor(), form.code.data, form.name.data, form.kind.data, form.sex.data,
        form.tag.data, form.beds.data))
    if not outcome.ok:
        return render_rooms(form), outcome.status
    flash(_("Ruang %(code)s ditambahkan.", code=outcome.value.code), "success")
    return redirect(url_for(".room", room_id=outcome.value.id), 303)


# --- one room and its beds ------------------------------------------------------------

def render_room(room_id: int, rename_form=None, bed_form=None, outage_form=None,
                outage_bed_id=None):
    room = services.get_room(room_id)
    rename_form = rename_form or RoomRenameForm(formdata=None, name=room.name, tag=room.tag or "")
    outages = sorted((outage for bed in room.beds for outage in bed.outages),
                     key=lambda outage: outage.start_at, reverse=True)
    can_add_bed = room.residential and not (
        room.kind == "isolation" and any(bed.retired_at is None for bed in room.beds))
    return render_template("facility/room.html", room=room, rename_form=rename_form,
                           bed_form=bed_form or BedAddForm(formdata=None),
                           outage_form=outage_form or OutageForm(formdata=None),
                           outage_bed_id=outage_bed_id, confirm_form=ConfirmForm(),
                           outages=outages, can_add_bed=can_add_bed, **page_context())


@bp.get("/admin/rooms/<int:room_id>")
@requires(Permission.ADMIN)
def room(room_id: int):
    return render_room(room_id)


@bp.post("/admin/rooms/<int:room_id>")
@requires(Permission.ADMIN)
def room_rename(room_id: int):
    form = RoomRenameForm()
    outcome = run(form, lambda: services.rename_room(current_actor(), room_id,
                                                     form.name.data, form.tag.data))
    if not outcome.ok:
        return render_room(room_id, rename_form=form), outcome.status
    flash(_("Data ruang disimpan."), "success")
    return redirect(url_for(".room", room_id=room_id), 303)


@bp.post("/admin/rooms/<int:room_id>/beds")
@requires(Permission.ADMIN)
def bed_add(room_id: int):
    form = BedAddForm()
    outcome = run(form, lambda: services.add_bed(current_actor(), room_id, form.label.data))
    if not outcome.ok:
        return render_room(room_id, bed_form=form), outcome.status
    flash(_("Tempat tidur %(label)s ditambahkan.", label=outcome.value.label), "success")
    return redirect(url_for(".room", room_id=room_id), 303)


def bed_action(bed_id: int, form, action, done: Callable[[str], str], **on_refusal):
    """Run a bed action from the room page and go back to it (or show it with the refusal)."""
    bed = services.get_bed(bed_id)
    outcome = run(form, lambda: action(current_actor(), bed_id))
    if not outcome.ok:
        return render_room(bed.room_id, **on_refusal), outcome.status
    flash(done(bed.label), "success")
    return redirect(url_for(".room", room_id=bed.room_id), 303)


@bp.post("/admin/beds/<int:bed_id>/out-of-service")
@requires(Permission.ADMIN)
def bed_out_of_service(bed_id: int):
    form = OutageForm()
    return bed_action(
        bed_id, form, lambda actor, ident: services.take_out_of_service(actor, ident, form.reason.data),
        lambda label: _("Tempat tidur %(label)s dinyatakan tidak tersedia.", label=label),
        outage_form=form, outage_bed_id=bed_id)


@bp.post("/admin/beds/<int:bed_id>/in-service")
@requires(Permission.ADMIN)
def bed_in_service(bed_id: int):
    return bed_action(bed_id, ConfirmForm(), services.return_to_service,
                      lambda label: _("Tempat tidur %(label)s tersedia kembali.", label=label))


@bp.get("/admin/beds/<int:bed_id>/retire")
@requires(Permission.ADMIN)
def bed_retire_confirm(bed_id: int):
    """Retiring is for good, so it asks first (also without JavaScript)."""
    bed = services.get_bed(bed_id)
    if bed.retired_at is not None:
        abort(404)
    return render_template("facility/retire.html", bed=bed, form=ConfirmForm(), **page_context())


@bp.post("/admin/beds/<int:bed_id>/retire")
@requires(Permission.ADMIN)
def bed_retire(bed_id: int):
    return bed_action(bed_id, ConfirmForm(), services.retire_bed,
                      lambda label: _("Tempat tidur %(label)s dipensiunkan.", label=label))
