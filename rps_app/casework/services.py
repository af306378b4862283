"""The social assessment (asesmen) of a stay, case conferences, and the note on why a
client has no NIK. Services flush, never commit; every write is audited."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Integer, bindparam, select

from .. import batch, clock
from ..audit.services import Actor, record
from ..clients.models import Client
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors
from ..reads import Query, rows
from ..stays.models import Stay
from ..types import UTCDateTime
from .models import ASSESSMENT_HOURS, ASSESSMENT_PARTS, Assessment, CaseConference, NikNote

PART_LABELS = {"situation": "Situasi dan kondisi klien", "health": "Kesehatan",
               "family_origin": "Keluarga dan daerah asal", "needs": "Kebutuhan",
               "plan": "Rencana penanganan"}
MAX_TEXT = 4000


def _stay(stay_id: int) -> Stay:
    row = db.session.scalar(select(Stay).where(Stay.id == stay_id).with_for_update()
                            .execution_options(populate_existing=True))
    return found(row, "Data tinggal (stay) tidak ditemukan.")


def _raise(errors: FieldErrors, what: str) -> None:
    if errors:
        raise ValidationError(f"{what} tidak valid: " + next(iter(errors.fields.values())),
                              errors.fields)


# --- assessment ----------------------------------------------------------------------------

def assessment_of(stay_id: int) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.stay_id == stay_id))


def assessment_due(stay: Stay) -> datetime:
    return stay.entered_at + timedelta(hours=ASSESSMENT_HOURS)


def assessment_overdue(stay: Stay, assessment: Assessment | None, now: datetime) -> bool:
    """Not assessed (or assessed late) 24 hours after arrival: flagged until it is done;
    a late one stays visible as late on the stay page, not on the dashboard."""
    if assessment is not None:
        return False
    return stay.exited_at is None and now > assessment_due(stay)


def save_assessment(actor: Actor, stay_id: int, data: dict) -> Assessment:
    """Write (or revise) the stay's assessment: every part is required."""
    if not isinstance(data, dict):
        raise ValidationError("Data asesmen harus berupa objek.", {})
    stay = _stay(stay_id)
    errors = FieldErrors()
    values = {part: errors.text(data, part, MAX_TEXT, required=True, label=PART_LABELS[part])
              for part in ASSESSMENT_PARTS}
    _raise(errors, "Asesmen")
    now = clock.now()
    current = assessment_of(stay.id)
    if current is None:
        current = Assessment(stay_id=stay.id, assessed_at=now, assessed_by_id=actor.user_id,
                             updated_at=now, **values)
        db.session.add(current)
        db.session.flush()
        record(actor, "create", "assessment", current.id,
               {"stay_id": stay.id, "late": now > assessment_due(stay)})
        return current
    changed = sorted(part for part, value in values.items() if getattr(current, part) != value)
    for part, value in values.items():
        setattr(current, part, value)
    current.updated_at = now
    db.session.flush()
    record(actor, "update", "assessment", current.id, {"stay_id": stay.id, "fields": changed})
    return current


# --- case conference -----------------------------------------------------------------------

def add_conference(actor: Actor, stay_id: int, data: dict) -> CaseConference:
    """A case conference: `held_on` (a date, not in the future nor before arrival),
    `participants`, `decision`."""
    if not isinstance(data, dict):
        raise ValidationError("Data konferensi kasus harus berupa objek.", {})
    stay = _stay(stay_id)
    errors = FieldErrors()
    held_on = errors.date(data, "held_on", required=True, label="Tanggal konferensi")
    participants = errors.text(data, "participants", MAX_TEXT, required=True, label="Peserta")
    decision = errors.text(data, "decision", MAX_TEXT, required=True, label="Keputusan")
    if held_on is not None and held_on > clock.local_today():
        errors.add("held_on", "Tanggal konferensi tidak boleh di masa depan.")
    elif held_on is not None and held_on < stay.entry_date:
        errors.add("held_on", "Tanggal konferensi tidak boleh sebelum klien masuk.")
    _raise(errors, "Konferensi kasus")
    conference = CaseConference(stay_id=stay.id, held_on=held_on, participants=participants,
                                decision=decision, recorded_by_id=actor.user_id,
                                recorded_at=clock.now())
    db.session.add(conference)
    db.session.flush()
    record(actor, "create", "case_conference", conference.id, {"stay_id": stay.id})
    return conference


@cache
def stay_reads() -> dict:
    """The stay page's reads (batch parts, parameter `stay_id`): the stay's assessment and
    its case conferences, newest first."""
    stay_id = bindparam("stay_id", type_=Integer)
    return {"assessment": batch.Part(select(*Assessment.__table__.c)
                                     .where(Assessment.stay_id == stay_id)),
            "conferences": batch.Part(
                select(*CaseConference.__table__.c).where(CaseConference.stay_id == stay_id),
                (CaseConference.held_on.desc(), CaseConference.id.desc()))}


# --- why no NIK ------------------------------------------------------------------------------

def nik_note_of(client_id: int) -> NikNote | None:
    return db.session.scalar(select(NikNote).where(NikNote.client_id == client_id))


@cache
def client_reads() -> dict:
    """The client page's reads (batch parts, parameter `client_id`): the NIK note, and the
    client's open stay (a merge is refused while both are in the shelter)."""
    client_id = bindparam("client_id", type_=Integer)
    return {"nik_note": batch.Part(select(NikNote.id, NikNote.note)
                                   .where(NikNote.client_id == client_id)),
            "open_stay": batch.Part(select(Stay.id).where(Stay.client_id == client_id,
                                                          Stay.exited_at.is_(None)))}


def save_nik_note(actor: Actor, client_id: int, data: dict) -> NikNote:
    if not isinstance(data, dict):
        raise ValidationError("Data catatan harus berupa objek.", {})
    client = found(db.session.get(Client, client_id), "Klien tidak ditemukan.")
    errors = FieldErrors()
    note = errors.text(data, "note", 500, required=True, label="Alasan NIK belum ada")
    _raise(errors, "Catatan NIK")
    if client.nik:
        raise Conflict("Klien ini sudah memiliki NIK.", {"note": "NIK sudah tercatat."})
    current = nik_note_of(client.id)
    if current is None:
        current = NikNote(client_id=client.id, note=note, recorded_by_id=actor.user_id,
                          recorded_at=clock.now())
        db.session.add(current)
    else:
        current.note, current.recorded_by_id = note, actor.user_id
        current.recorded_at = clock.now()
    db.session.flush()
    record(actor, "nik_note", "client", client.id)
    return current


@dataclass
class Overdue:
    stay_id: int
    client_id: int
    name: str
    registration_number: str
    entered_at: datetime
    hours: int


OVERDUE_LISTED = 50
OVERDUE = Query("overdue_assessments", lambda param: rows(
    select(Stay.id.label("stay_id"), Client.id.label("client_id"), Client.name,
           Client.registration_number, Stay.entered_at)
    .join(Client, Client.id == Stay.client_id)
    .outerjoin(Assessment, Assessment.stay_id == Stay.id)
    .where(Stay.exited_at.is_(None), Stay.entered_at < param("cutoff", UTCDateTime()),
           Assessment.id.is_(None)),
    order_by=(Stay.entered_at, Stay.id), limit=OVERDUE_LISTED))


def overdue_assessments(reads, now: datetime):
    """Asks `reads` (rps_app.reads) for the open stays past 24 hours without an assessment,
    oldest arrival first, the first 50 (open stays are few: the beds); its answer is a list
    of Overdue."""
    overdue = reads.ask(OVERDUE, cutoff=now - timedelta(hours=ASSESSMENT_HOURS))
    return overdue.then(lambda found_rows: [
        Overdue(sid, cid, name, number, entered, int((now - entered).total_seconds() // 3600))
        for sid, cid, name, number, entered in found_rows])



# --- personal data over time -----------------------------------------------------------------

def on_client_anonymising(client: Client, actor: Actor | None = None, **_ignored) -> None:
    """Receiver of signals.client_anonymising: assessment and conference texts and the NIK
    note go (dates stay); records merged into this client are anonymised with it (they have
    no stays of their own, so retention would never reach them, and a moved photo lives in
    their folder)."""
    from sqlalchemy import delete, update

    from ..privacy import services as privacy
    from ..rows import REMOVED
    stays = select(Stay.id).where(Stay.client_id == client.id)
    db.session.execute(update(Assessment).where(Assessment.stay_id.in_(stays)).values(
        **{part: REMOVED for part in ASSESSMENT_PARTS}).execution_options(
        synchronize_session=False))
    db.session.execute(update(CaseConference).where(CaseConference.stay_id.in_(stays)).values(
        participants=REMOVED, decision=REMOVED).execution_options(synchronize_session=False))
    db.session.execute(delete(NikNote).where(NikNote.client_id == client.id)
                       .execution_options(synchronize_session=False))
    for merged_id in db.session.scalars(select(Client.id).where(
            Client.merged_into_id == client.id, Client.anonymised_at.is_(None))):
        privacy.anonymise(actor, merged_id)


def on_client_exporting(client: Client, **_ignored) -> dict:
    """Receiver of signals.client_exporting: assessments, conferences, the NIK note and the
    records merged into this one."""
    from ..rows import json_row
    stays = select(Stay.id).where(Stay.client_id == client.id)

    def rows(model, where):
        return [json_row(row) for row in db.session.scalars(select(model).where(where)
                                                            .order_by(model.id))]
    return {"assessments": rows(Assessment, Assessment.stay_id.in_(stays)),
            "case_conferences": rows(CaseConference, CaseConference.stay_id.in_(stays)),
            "nik_note": rows(NikNote, NikNote.client_id == client.id),
            "merged_records": rows(Client, Client.merged_into_id == client.id)}
