"""Retention: clients whose last stay closed more than RPS_RETENTION_YEARS ago are
anonymised; and a person's export of everything held about them.

What anonymisation removes: names, NIK, birth day and month, addresses, descriptions,
guardian, photos, family contacts, escorts, note and reason texts, belongings' descriptions,
the stored PDFs of their letters and the values of their fields in the audit log. What stays:
dates, sex, birth year, categories, rooms, exit types, numbers, so that every report of
every period gives the same figures before and after.
"""
import base64
import os
import shutil
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, or_, select, update

from .. import clock, signals
from ..audit import services as audit
from ..audit.models import AuditEntry
from ..audit.services import Actor
from ..clients.models import Client
from ..errors import Conflict, found
from ..extensions import db
from ..referrals.models import Letter
from ..scheduling import Job
from ..stays.models import (BedAssignment, Belonging, CaseNote, Intake, IsolationDecision,
                            ServiceRecord, Stay, StayExit, StayExtension)

REMOVED = "[dihapus: masa retensi]"
ACTOR = Actor.system("retention")


def retention_years() -> int:
    return int(current_app.config["RPS_RETENTION_YEARS"])


def cutoff(now: datetime) -> datetime:
    """The moment before which a last exit makes a record due: now minus the years."""
    years = retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def due_clients(now: datetime) -> list[int]:
    """Clients not yet anonymised, with no open stay, whose last exit is before the cutoff."""
    last = (select(Stay.client_id)
            .group_by(Stay.client_id)
            .having(func.count(Stay.exited_at) == func.count(Stay.id),
                    func.max(Stay.exited_at) < cutoff(now)))
    return list(db.session.scalars(
        select(Client.id).where(Client.id.in_(last), Client.anonymised_at.is_(None))
        .order_by(Client.id)))


def _age_known(client: Client, stays: list[Stay]) -> tuple[int | None, date | None]:
    """The age to keep as an estimate at the last entry (the birth date goes)."""
    if client.birth_date is None:
        return client.estimated_age, client.age_estimated_on
    on = stays[-1].entry_date if stays else clock.local_today()
    return client.age_on(on), on


def anonymise(actor: Actor, client_id: int) -> dict:
    """Remove the client's personal data (see the module's text); audited. Returns counts."""
    client = found(db.session.get(Client, client_id), "Klien tidak ditemukan.")
    stays = list(db.session.scalars(select(Stay).where(Stay.client_id == client.id)
                                    .order_by(Stay.entered_at)))
    if any(stay.exited_at is None for stay in stays):
        raise Conflict("Klien masih tinggal di RPS.")  # the record exists: not a 404
    stay_ids = [stay.id for stay in stays]
    estimated_age, estimated_on = _age_known(client, stays)
    client.birth_year = client.birth_date.year if client.birth_date else client.birth_year
    client.name = REMOVED
    for column in ("nik", "birth_date", "birth_place", "origin_address", "description",
                   "guardian"):
        setattr(client, column, None)
    client.estimated_age, client.age_estimated_on = estimated_age, estimated_on
    _remove_photos(client)
    client.anonymised_at = client.updated_at = clock.now()
    counts = {"letters": _remove_letters(client, stay_ids),
              "audit_entries": _blank_audit(client.id)}
    if stay_ids:
        _blank(StayExit, StayExit.stay_id.in_(stay_ids), family_contact=None,
               escort_name=None, notes=None)
        _blank(CaseNote, CaseNote.stay_id.in_(stay_ids), body=REMOVED)
        _blank(ServiceRecord, ServiceRecord.stay_id.in_(stay_ids), note=None)
        _blank(IsolationDecision, IsolationDecision.stay_id.in_(stay_ids), reason=REMOVED)
        _blank(StayExtension, StayExtension.stay_id.in_(stay_ids), reason=REMOVED)
        _blank(Belonging, Belonging.stay_id.in_(stay_ids), description=REMOVED)
    signals.client_anonymising.send(client, actor=actor)
    db.session.flush()
    audit.record(actor, "anonymise", "client", client.id,
                 {"stays": len(stay_ids), **counts})
    return counts


def _blank(model, where, **values) -> None:
    db.session.execute(update(model).where(where).values(**values)
                       .execution_options(synchronize_session=False))


def _remove_photos(client: Client) -> None:
    folder = os.path.join(current_app.instance_path, "uploads", "clients", str(client.id))
    shutil.rmtree(folder, ignore_errors=True)  # every photo ever stored, not only the last
    client.photo_path = None


def _remove_letters(client: Client, stay_ids: list[int]) -> int:
    """Delete the stored PDFs and the personal content of the client's letters (and of the
    BAST of intakes that received them); number, date, issuer and hash stay for
    verification."""
    intake_ids = select(Stay.intake_id).where(Stay.client_id == client.id)
    letters = list(db.session.scalars(select(Letter).where(or_(
        Letter.stay_id.in_(stay_ids or [-1]), Letter.intake_id.in_(intake_ids)))))
    for letter in letters:
        kept = {key: letter.content[key] for key in ("letterhead", "number", "date", "kind")
                if isinstance(letter.content, dict) and key in letter.content}
        letter.content = {**kept, "removed": "retention"}
        letter.pdf = b""
    return len(letters)


def _blank_audit(client_id: int) -> int:
    """The values of the client's fields in the audit log (the one change ever made to
    audit entries: through SQL, past the ORM's append-only guard, and itself audited by the
    'anonymise' entry)."""
    entries = list(db.session.execute(
        select(AuditEntry.id, AuditEntry.detail)
        .where(AuditEntry.entity == "client", AuditEntry.entity_id == str(client_id),
               AuditEntry.action == "update")))
    for entry_id, detail in entries:
        blanked = {key: None for key in (detail or {})}
        db.session.execute(update(AuditEntry).where(AuditEntry.id == entry_id)
                           .values(detail=blanked)
                           .execution_options(synchronize_session=False))
    return len(entries)


def run_retention(occurrence=None) -> dict:
    """The scheduled job: anonymise every due client (each audited)."""
    now = occurrence.fire if occurrence is not None else clock.now()
    ids = due_clients(now)
    for client_id in ids:
        anonymise(ACTOR, client_id)
    return {"anonymised": len(ids)}


RETENTION_JOB = Job("retention", hour=2, minute=0, catch_up_days=2, run=run_retention)


# ------------------------------------------------------------------ the subject's export

def _row(obj, skip=()) -> dict:
    result = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        result[column.key] = value
    return result


def export(actor: Actor, client_id: int) -> dict:
    """Everything held about one person: the record, every stay with its beds, belongings,
    exit, decisions, notes and services, the letters (PDFs included), photos, the audit
    entries about the record, and what other domains hold (client_exporting). Audited."""
    client = found(db.session.get(Client, client_id), "Klien tidak ditemukan.")
    stays = list(db.session.scalars(select(Stay).where(Stay.client_id == client.id)
                                    .order_by(Stay.entered_at)))
    stay_ids = [stay.id for stay in stays] or [-1]

    def rows(model, key):
        return [_row(obj) for obj in db.session.scalars(
            select(model).where(key.in_(stay_ids)).order_by(model.id))]

    by_stay = {name: rows(model, model.stay_id) for name, model in (
        ("beds", BedAssignment), ("belongings", Belonging), ("exit", StayExit),
        ("isolation_decisions", IsolationDecision), ("extensions", StayExtension),
        ("case_notes", CaseNote), ("services", ServiceRecord))}
    intakes = {intake.id: intake for intake in db.session.scalars(
        select(Intake).where(Intake.id.in_([s.intake_id for s in stays] or [-1])))}
    data = {
        "exported_at": clock.now().isoformat(),
        "client": _row(client),
        "photos": _photos(client),
        "stays": [{**_row(stay),
                   "intake": _row(intakes[stay.intake_id]),
                   **{name: [r for r in items if r["stay_id"] == stay.id]
                      for name, items in by_stay.items()}} for stay in stays],
        "letters": [_row(letter) for letter in db.session.scalars(
            select(Letter).where(or_(Letter.stay_id.in_(stay_ids),
                                     Letter.intake_id.in_(list(intakes) or [-1])))
            .order_by(Letter.id))],
        "audit": [_row(entry) for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "client",
                                     AuditEntry.entity_id == str(client.id))
            .order_by(AuditEntry.id))],
    }
    for sections in signals.values_from(signals.client_exporting, client):
        data.update(sections)
    audit.record(actor, "export", "client", client.id, {"sections": sorted(data)})
    return data


def _photos(client: Client) -> list[dict]:
    """Every photo stored for the client (earlier ones too), as base64."""
    folder = os.path.join(current_app.instance_path, "uploads", "clients", str(client.id))
    if not os.path.isdir(folder):
        return []
    photos = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            photos.append({"file": name, "current": bool(client.photo_path
                                                         and client.photo_path.endswith(name)),
                           "data_base64": base64.b64encode(handle.read()).decode("ascii")})
    return photos
