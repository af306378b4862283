"""Client pages: the searchable list, one client's record, identity changes and photos.

Every page that shows a client record goes through clients.services, which audits the read.
"""
import secrets
from functools import partial

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, session, url_for)
from flask_babel import gettext as _

from .. import clock
from ..auth.permissions import Permission, requires
from ..errors import DomainError
from ..facility import services as facility
from ..signals import merged_client_facts
from ..page_cache import cached
from ..web import current_actor, refused
from . import services
from .forms import (PMKS_LABELS, SEX_LABELS, IdentityForm, PhotoForm, identity_changes,
                    identity_form_for)

bp = Blueprint("clients", __name__)

SUGGESTIONS = 8  # matches offered while the officer types


SAVED_SEARCHES = 10  # the latest searches a session keeps (their opaque ids stay valid)


def _filters() -> dict:
    """The list's filters from the query string (no personal data: status, sex, room)."""
    args = request.args
    room = args.get("room", "")
    return {"status": args.get("status") if args.get("status") in services.STATUSES else "",
            "sex": args.get("sex") if args.get("sex") in SEX_LABELS else "",
            "room": int(room) if room.isdigit() else None}


def _key(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def save_search(q: str) -> str:
    """Keep the query in the session under a short opaque id, for the URL to name instead
    of the query (names and NIK never stand in a URL, the history or an access log)."""
    saved = dict(session.get("client_searches") or {})
    for key in [key for key, value in saved.items() if value == q]:
        del saved[key]
    key = secrets.token_urlsafe(6)
    saved[key] = q
    session["client_searches"] = dict(list(saved.items())[-SAVED_SEARCHES:])
    return key


@bp.post("/clients")
@requires(Permission.CLIENTS_READ)
def search():
    """A search is POSTed (with its CSRF token) and answered by a redirect to the list
    under an opaque id: Back and reload work without resubmitting a form."""
    q = (request.form.get("q") or "").strip()[:120]
    filters = {key: request.form.get(key) or None for key in ("status", "sex", "room")}
    target = {key: value for key, value in filters.items() if value}
    if q:
        target["s"] = save_search(q)
    return redirect(url_for(".index", **target), 303)


@bp.get("/clients")
@requires(Permission.CLIENTS_READ)
@cached
def index():
    key = request.args.get("s") or None
    q = (session.get("client_searches") or {}).get(key, "") if key else ""
    if key and not q:
        flash(_("Pencarian itu sudah tidak tersimpan; silakan cari lagi."), "warning")
        key = None
    filters = _filters()
    find = partial(services.find_clients, q, sex=filters["sex"] or None,
                   status=filters["status"] or None, room_id=filters["room"])
    found_clients, older, newer = services.page_after(
        find, current_app.config["PER_PAGE"], after=_key("after"), before=_key("before"))
    services.record_search(current_actor(), [client.id for client in found_clients])
    facts = merged_client_facts([client.id for client in found_clients])
    here = {"s": key, "status": filters["status"] or None, "sex": filters["sex"] or None,
            "room": filters["room"]}
    return render_template(
        "clients/index.html", rows=[(client, facts[client.id]) for client in found_clients],
        q=q, filters=filters,
        older_url=url_for(".index", **here, after=older) if older else None,
        newer_url=url_for(".index", **here, before=newer) if newer else None,
        rooms=facility.residential_rooms(), today=clock.local_today(),
        status_labels={"in": _("Di RPS"), "out": _("Sudah keluar")}, sex_labels=SEX_LABELS)


def birth_year(client) -> int | None:
    if client.birth_date is not None:
        return client.birth_date.year
    if client.estimated_age is not None:
        base = client.age_estimated_on or clock.local_today()
        return base.year - client.estimated_age
    return None


@bp.post("/clients/search.json")
@requires(Permission.CLIENTS_READ)
def search_json():
    """Search-as-you-type for the intake form: the least data that tells people apart.

    POST (CSRF token in the X-CSRFToken header) keeps the typed name out of URLs and logs.
    """
    q = ((request.get_json(silent=True) or {}).get("q") or "").strip()
    rows = services.search(q, limit=SUGGESTIONS) if len(q) >= 2 else []
    services.record_search(current_actor(), [client.id for client, _stay in rows])
    return jsonify([{"id": client.id, "registration_number": client.registration_number,
                     "name": client.name, "sex": client.sex, "birth_year": birth_year(client),
                     "active_stay": stay_id is not None} for client, stay_id in rows])


def render_client(client_id: int, identity_form=None, photo_form=None, errors=None,
                  status: int = 200):
    """The record; its stays and letters are sections of the domains that hold them."""
    client = services.get_client(current_actor(), client_id)
    return render_template(
        "clients/show.html", client=client, active_stay_id=services.active_stay_id(client),
        identity_form=identity_form or identity_form_for(client),
        photo_form=photo_form or PhotoForm(formdata=None), errors=errors or {},
        sex_labels=SEX_LABELS, pmks=PMKS_LABELS), status


@bp.get("/clients/<int:client_id>")
@requires(Permission.CLIENTS_READ)
@cached
def show(client_id: int):
    return render_client(client_id)


@bp.post("/clients/<int:client_id>/identity")
@requires(Permission.INTAKE)
def identity(client_id: int):
    form = IdentityForm()
    if not form.validate_on_submit():
        return render_client(client_id, identity_form=form, status=400)
    try:
        changed = services.update_identity(current_actor(), client_id, identity_changes(form))
    except DomainError as error:
        rest = refused(error, form)
        return render_client(client_id, identity_form=form, errors=rest, status=error.status)
    flash(_("Identitas disimpan (%(n)s isian berubah).", n=len(changed)) if changed
          else _("Tidak ada perubahan."), "success")
    return redirect(url_for(".show", client_id=client_id), 303)


@bp.post("/clients/<int:client_id>/photo")
@requires(Permission.INTAKE)
def photo_upload(client_id: int):
    form = PhotoForm()
    if not form.validate_on_submit():
        return render_client(client_id, photo_form=form, status=400)
    upload = form.photo.data
    try:
        if not getattr(upload, "filename", ""):
            raise DomainError("Pilih berkas foto.", {"photo": "Pilih berkas foto."})
        services.save_photo(current_actor(), client_id, read_upload(upload))
    except DomainError as error:
        refused(error, form)
        return render_client(client_id, photo_form=form, status=error.status)
    flash(_("Foto disimpan."), "success")
    return redirect(url_for(".show", client_id=client_id), 303)


def read_upload(upload) -> bytes:
    """At most one byte more than the limit: enough to refuse a file that is too big."""
    return upload.stream.read(current_app.config["RPS_UPLOAD_MAX_BYTES"] + 1)


@bp.get("/clients/<int:client_id>/photo")
@requires(Permission.CLIENTS_READ)
def photo(client_id: int):
    path = services.photo_file(current_actor(), client_id)
    return send_file(path, mimetype=services.photo_mimetype(path), max_age=0)
