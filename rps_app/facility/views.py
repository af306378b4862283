"""Admin pages for rooms and beds (Permission.ADMIN), under /admin/rooms and /admin/beds."""
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.permissions import Permission, requires
from ..web import current_actor, submit
from . import services
from .forms import (KIND_LABELS, SEX_LABELS, TAG_LABELS, BedAddForm, ConfirmForm, OutageForm,
                    RoomAddForm, RoomRenameForm)
from .models import ROOM_KINDS

bp = Blueprint("facility", __name__)


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
    room, refused = submit(form, lambda: services.add_room(
        current_actor(), form.code.data, form.name.data, form.kind.data, form.sex.data,
        form.tag.data, form.beds.data))
    if refused:
        return render_rooms(form), refused
    flash(_("Ruang %(code)s ditambahkan.", code=room.code), "success")
    return redirect(url_for(".room", room_id=room.id), 303)


# --- one room and its beds ------------------------------------------------------------

def render_room(room_id: int, rename_form=None, bed_form=None, outage_form=None,
                outage_bed_id=None):
    room = services.get_room(room_id, with_beds=True)
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
    _room, refused = submit(form, lambda: services.rename_room(current_actor(), room_id,
                                                               form.name.data, form.tag.data))
    if refused:
        return render_room(room_id, rename_form=form), refused
    flash(_("Data ruang disimpan."), "success")
    return redirect(url_for(".room", room_id=room_id), 303)


@bp.post("/admin/rooms/<int:room_id>/beds")
@requires(Permission.ADMIN)
def bed_add(room_id: int):
    form = BedAddForm()
    bed, refused = submit(form, lambda: services.add_bed(current_actor(), room_id, form.label.data))
    if refused:
        return render_room(room_id, bed_form=form), refused
    flash(_("Tempat tidur %(label)s ditambahkan.", label=bed.label), "success")
    return redirect(url_for(".room", room_id=room_id), 303)


def bed_action(bed_id: int, form, action, done: Callable[[str], str], **on_refusal):
    """Run a bed action from the room page and go back to it (or show it with the refusal)."""
    bed = services.get_bed(bed_id)
    _done, refused = submit(form, lambda: action(current_actor(), bed_id))
    if refused:
        return render_room(bed.room_id, **on_refusal), refused
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
