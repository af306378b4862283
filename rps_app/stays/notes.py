"""Case notes and SPM service records of a stay: append-only, validated, audited.

A case note is never edited: a correction is a new note that names the note it corrects,
so what was written (and read by others) stays on record.
"""
from collections import defaultdict
from datetime import date

from sqlalchemy import select, union

from .. import batch, clock
from ..audit import services as audit
from ..auth.models import User
from ..errors import ValidationError, found
from ..extensions import db
from ..fields import INT32_MAX, INT32_MIN, parse_date, parse_int
from .models import NOTE_KINDS, SPM_COMPONENTS, CaseNote, ServiceRecord, Stay
from .scope import page_stays, per_page

MAX_NOTE = 10000
MAX_SERVICE_NOTE = 1000


def _stay(stay_id: int) -> Stay:
    return found(db.session.get(Stay, stay_id), "Data tinggal (stay) tidak ditemukan.")


def _int_or_none(value):
    if value in (None, ""):
        return None
    number = parse_int(value, INT32_MIN, INT32_MAX)
    return False if number is None else number  # False: present but not a number


def add_note(actor, stay_id: int, kind: str, body: str, corrects_id=None) -> CaseNote:
    stay = _stay(stay_id)
    body = (body or "").strip()
    fields: dict = {}
    if kind not in NOTE_KINDS:
        fields["kind"] = "Jenis catatan tidak dikenal."
    if not body:
        fields["body"] = "Isi catatan wajib diisi."
    elif len(body) > MAX_NOTE:
        fields["body"] = f"Isi catatan terlalu panjang (maks. {MAX_NOTE} karakter)."
    corrects = _int_or_none(corrects_id)
    if corrects is False:
        fields["corrects_id"] = "Catatan yang dikoreksi tidak valid."
    elif corrects is not None:
        old = db.session.get(CaseNote, corrects)
        if old is None or old.stay_id != stay.id:
            fields["corrects_id"] = "Catatan yang dikoreksi bukan catatan klien ini."
    if fields:
        raise ValidationError("Catatan kasus tidak valid.", fields)
    note = CaseNote(stay_id=stay.id, kind=kind, body=body, author_id=actor.user_id,
                    written_at=clock.now(), corrects_id=corrects)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "create", "case_note", note.id,
                 {"stay_id": stay.id, "kind": kind, "corrects_id": corrects})
    return note


def _given_on(value, stay: Stay, fields: dict) -> date | None:
    day = parse_date(value)
    if day is None:
        fields["given_on"] = "Tanggal layanan wajib diisi (TTTT-BB-HH)."
        return None
    last = stay.exit_date or clock.local_today()
    if day > clock.local_today():
        fields["given_on"] = "Tanggal layanan tidak boleh di masa depan."
    elif day < stay.entry_date or day > last:
        fields["given_on"] = "Tanggal layanan harus di dalam masa tinggal klien."
    return day


def add_service(actor, stay_id: int, component, given_on, staff_id=None,
                note: str | None = None) -> ServiceRecord:
    """Record an SPM component given to the client on `given_on` by `staff_id`."""
    stay = _stay(stay_id)
    fields: dict = {}
    number = _int_or_none(component)
    if number not in SPM_COMPONENTS:
        fields["component"] = "Komponen SPM harus 1 sampai 11."
    day = _given_on(given_on, stay, fields)
    staff = _int_or_none(staff_id)
    if staff is None:
        staff = actor.user_id
    elif staff is False or not db.session.scalar(
            select(User.id).where(User.id == staff, User.active.is_(True),
                                 User.role != "admin")):
        fields["staff_id"] = "Petugas pemberi layanan tidak dikenal."
    note = (note or "").strip() or None
    if note and len(note) > MAX_SERVICE_NOTE:
        fields["note"] = f"Keterangan terlalu panjang (maks. {MAX_SERVICE_NOTE} karakter)."
    if fields:
        raise ValidationError("Catatan layanan SPM tidak valid.", fields)
    record = ServiceRecord(stay_id=stay.id, component=number, given_on=day, staff_id=staff,
                           note=note, recorded_at=clock.now())
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "create", "service_record", record.id,
                 {"stay_id": stay.id, "component": number, "given_on": day.isoformat(),
                  "staff_id": staff})
    return record


def _grouped(model, order, stay_ids) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    if stay_ids:
        for row in db.session.scalars(select(model).where(model.stay_id.in_(list(stay_ids)))
                                      .order_by(*order)):
            grouped[row.stay_id].append(row)
    return grouped


def notes_for(stay_ids) -> dict[int, list[CaseNote]]:
    """Notes per stay, oldest first (one query for all stays)."""
    return _grouped(CaseNote, (CaseNote.written_at, CaseNote.id), stay_ids)


def services_for(stay_ids) -> dict[int, list[ServiceRecord]]:
    """SPM records per stay, by date (one query for all stays)."""
    return _grouped(ServiceRecord, (ServiceRecord.given_on, ServiceRecord.id), stay_ids)


def page_reads(page: str) -> dict:
    """A page's reads (batch parts over scope.page_stays(page)): the notes and SPM records
    of its stays, in the order notes_for and services_for give, and the names of their
    authors; the stay page also the users a service may be credited to (not administrators)."""
    stays = page_stays(page)
    notes = select(*CaseNote.__table__.c).where(CaseNote.stay_id.in_(stays))
    records = select(*ServiceRecord.__table__.c).where(ServiceRecord.stay_id.in_(stays))
    authors = union(select(CaseNote.author_id).where(CaseNote.stay_id.in_(stays)),
                    select(ServiceRecord.staff_id).where(ServiceRecord.stay_id.in_(stays)))
    parts = {"notes": batch.Part(notes, (CaseNote.written_at, CaseNote.id)),
             "services": batch.Part(records, (ServiceRecord.given_on, ServiceRecord.id)),
             "authors": batch.Part(select(User.id, User.full_name, User.username)
                                   .where(User.id.in_(authors)))}
    if page == "stay":
        parts["staff"] = batch.Part(select(User.id, User.full_name, User.username).where(
            User.active.is_(True), User.role != "admin"), (User.full_name, User.username))
    return parts


client_reads, stay_reads = per_page(page_reads)


def author_names(rows) -> dict[int, str]:
    """{user id: name} of batch rows of users (page_reads "authors" or "staff")."""
    return {row.id: row.full_name or row.username for row in rows}


def grouped_rows(rows) -> dict[int, list]:
    """Rows (batch or model) per stay, in their order."""
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.stay_id].append(row)
    return grouped


def staff_names(user_ids) -> dict[int, str]:
    """Names of the users `user_ids` (no query for none)."""
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return {}
    return author_names(db.session.execute(select(User.id, User.full_name, User.username)
                                           .where(User.id.in_(ids))))
