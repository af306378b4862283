"""Issuing letters: number, content snapshot, PDF, sha256 and verification code, once.

A letter is never changed after it is issued. Downloading it again returns the stored
bytes; a correction is a new letter (new number) that replaces the old one.
"""
import hashlib
import secrets
from functools import cache

from sqlalchemy import Integer, bindparam, or_, select
from sqlalchemy.orm import defer

from .. import batch, clock
from ..audit.services import Actor, record
from ..config import public_url
from ..errors import Conflict, NotFound, ValidationError, found
from ..extensions import db
from ..stays.models import Intake, Stay, StayExit
from . import content as snapshots
from . import documents, letter_settings, numbering
from .models import EXIT_LETTER_KINDS, Letter, Referral


def new_verify_code() -> str:
    return secrets.token_urlsafe(24)  # 32 url-safe characters, 192 random bits


def verify_url(code: str) -> str:
    """The public address that checks a letter, under RPS_PUBLIC_URL (never the Host
    header of the request that issued it)."""
    return public_url("referrals.verify", code=code)


def letter_json(letter) -> dict:
    """A letter as the API names it (the exit answer's `letter`)."""
    return {"id": letter.id, "number": letter.number,
            "pdf_url": public_url("referrals_api.letter_pdf", letter_id=letter.id),
            "verify_url": verify_url(letter.verify_code)}


def _issue(actor: Actor, kind: str, body: dict, *, stay_id: int | None = None,
           intake_id: int | None = None, replaces: Letter | None = None,
           reason: str | None = None) -> Letter:
    moment = clock.now()
    issued_on = clock.to_local(moment).date()
    # Taken inside this transaction: the counter row stays locked until the commit, so the
    # next letter waits for this one, and a failure gives the number back (no gap).
    number = numbering.take(issued_on)
    letterhead = letter_settings.letterhead()
    signatory = letter_settings.signatory()
    code = new_verify_code()
    full = {**body, **letter_settings.snapshot(), "kind": kind, "number": number.text,
            "date": issued_on.isoformat(), "place": letterhead.place,
            "verify_url": verify_url(code)}
    if replaces is not None:
        full["replaces"] = {"number": replaces.number, "reason": reason}
    pdf = documents.build_pdf(full, letterhead, signatory)
    if replaces is not None:
        # Before the new row: at most one valid letter per stay or intake (unique index).
        replaces.status = "replaced"
        replaces.replaced_at = moment
        db.session.flush()
    letter = Letter(kind=kind, number=number.text, year=number.year, sequence=number.sequence,
                    stay_id=stay_id, intake_id=intake_id, issued_at=moment,
                    issued_by_id=actor.user_id, content=full, pdf=pdf,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    verify_code=code, status="valid",
                    replaces_id=replaces.id if replaces else None, correction_reason=reason)
    db.session.add(letter)
    db.session.flush()
    record(actor, "issue", "letter", letter.id,
           {"kind": kind, "number": number.text, "stay_id": stay_id, "intake_id": intake_id,
            "replaces_id": letter.replaces_id})
    return letter


def _lock(model, row_id: int):
    """Lock a row for the rest of the transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers), re-read: two requests issuing the first letter of one
    stay or intake, or correcting one letter, take turns instead of both issuing."""
    return db.session.scalar(select(model).where(model.id == row_id).with_for_update()
                             .execution_options(populate_existing=True))


def _valid_letter(kinds=EXIT_LETTER_KINDS, **where) -> Letter | None:
    stmt = select(Letter).where(Letter.status == "valid", Letter.kind.in_(kinds))
    for name, value in where.items():
        stmt = stmt.where(getattr(Letter, name) == value)
    return db.session.scalar(stmt.limit(1))


def _exit_body(stay: Stay) -> tuple[str, dict] | None:
    """The letter kind and content of an exited stay, or None when its exit has no letter."""
    if stay.exited_at is None:
        raise Conflict("Klien belum keluar: surat rujukan dibuat saat klien keluar.")
    kind = snapshots.exit_letter_kind(stay.exit_type)
    if kind is None:
        return None
    # Queried, not stay.exit: the exit row may have been added in this very transaction,
    # after the relationship was loaded (as None).
    stay_exit = db.session.scalar(select(StayExit).where(StayExit.stay_id == stay.id))
    if kind == "referral" and (stay_exit is None or stay_exit.institution is None):
        raise ValidationError("Lembaga tujuan rujukan wajib dipilih.",
                              fields={"institution_id": "Lembaga tujuan wajib dipilih."})
    if kind == "handover" and (stay_exit is None or not stay_exit.family_contact):
        raise ValidationError("Data keluarga penerima wajib diisi.",
                              fields={"family_contact": "Data keluarga wajib diisi."})
    return kind, snapshots.for_exit(stay, stay_exit)


def issue_exit_letter(actor: Actor, stay: Stay) -> Letter | None:
    """The referral letter (panti, balai, hospital) or handover letter (family, home
    region) of an exited stay; None for exits without a letter (absconded, deceased,
    other). Asking again returns the letter already issued."""
    _lock(Stay, stay.id)
    existing = _valid_letter(stay_id=stay.id)
    if existing is not None:
        return existing
    made = _exit_body(stay)
    if made is None:
        return None
    kind, body = made
    return _issue(actor, kind, body, stay_id=stay.id)


def issue_request_letter(actor: Actor, stay: Stay, institution, reason: str,
                         asked_at) -> Letter:
    """The surat permohonan rujukan of a referral being asked (one per referral)."""
    return _issue(actor, "referral_request",
                  snapshots.for_referral(stay, institution, reason, asked_at), stay_id=stay.id)


def issue_intake_bast(actor: Actor, intake: Intake) -> Letter:
    """The BAST penerimaan of a whole intake batch: issued on first request, then kept."""
    _lock(Intake, intake.id)
    existing = _valid_letter(("intake_bast",), intake_id=intake.id)
    if existing is not None:
        return existing
    return _issue(actor, "intake_bast", snapshots.for_intake(intake), intake_id=intake.id)


def reissue(actor: Actor, letter_id: int, reason: str) -> Letter:
    """A corrected letter from the records as they are now; the old one is replaced."""
    get_letter(letter_id)
    old = _lock(Letter, letter_id)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError("Alasan koreksi wajib diisi.",
                              fields={"reason": "Alasan koreksi wajib diisi."})
    if len(reason) > 1000:
        raise ValidationError("Alasan koreksi paling banyak 1000 karakter.",
                              fields={"reason": "Paling banyak 1000 karakter."})
    if not old.valid:
        raise Conflict("Surat ini sudah diganti; koreksi surat penggantinya.")
    if old.kind == "intake_bast":
        intake = db.session.get(Intake, old.intake_id)
        return _issue(actor, "intake_bast", snapshots.for_intake(intake), intake_id=intake.id,
                      replaces=old, reason=reason)
    if old.kind == "referral_request":
        referral = db.session.scalar(select(Referral).where(Referral.letter_id == old.id))
        body = snapshots.for_referral(db.session.get(Stay, referral.stay_id),
                                      referral.institution, referral.reason, referral.sent_at)
        new = _issue(actor, "referral_request", body, stay_id=old.stay_id, replaces=old,
                     reason=reason)
        referral.letter_id = new.id
        db.session.flush()
        return new
    made = _exit_body(db.session.get(Stay, old.stay_id))
    if made is None:
        raise Conflict("Jenis keluar klien ini tidak lagi memerlukan surat.")
    kind, body = made
    return _issue(actor, kind, body, stay_id=old.stay_id, replaces=old, reason=reason)


def get_letter(letter_id: int) -> Letter:
    return found(db.session.get(Letter, letter_id), "Surat tidak ditemukan.")


def letter_pdf(actor: Actor, letter_id: int) -> Letter:
    """A letter to download; the read is audited (letters carry personal data)."""
    letter = get_letter(letter_id)
    record(actor, "read", "letter", letter.id)
    return letter


def bast_issued(intake_id: int) -> bool:
    """Whether the intake's BAST exists (its first print numbers and stores it: a write)."""
    return _valid_letter(intake_id=intake_id, kind="intake_bast") is not None


def intake_bast(actor: Actor, intake_id: int) -> Letter:
    """The intake's BAST to download (issued now if it never was); the read is audited."""
    intake = found(db.session.get(Intake, intake_id), "Penerimaan tidak ditemukan.")
    letter = issue_intake_bast(actor, intake)
    record(actor, "read", "letter", letter.id)
    return letter


def find_by_code(code: str) -> Letter:
    letter = db.session.scalar(select(Letter).where(Letter.verify_code == code))
    if letter is None:
        raise NotFound("Surat dengan kode ini tidak dikenal.")
    return letter


def _about_client(client_id):
    """Letters about a client: exit letters of their stays and the BASTs of the intakes
    that brought them (replaced ones too, marked by `status`)."""
    stays = select(Stay.id).where(Stay.client_id == client_id)
    intakes = select(Stay.intake_id).where(Stay.client_id == client_id)
    return or_(Letter.stay_id.in_(stays), Letter.intake_id.in_(intakes))


NEWEST_FIRST = (Letter.issued_at.desc(), Letter.id.desc())


def letters_for_client(client_id: int) -> list[Letter]:
    """Every letter about a client (_about_client), newest first."""
    return list(db.session.scalars(
        select(Letter).where(_about_client(client_id))
        .options(defer(Letter.pdf))  # a list of letters, not their PDFs
        .order_by(*NEWEST_FIRST)))


@cache
def client_reads() -> dict:
    """The client page's read (a batch part, parameter `client_id`): its letters as
    letters_for_client gives them, what the list shows of each."""
    about = _about_client(bindparam("client_id", type_=Integer))
    return {"letters": batch.Part(
        select(Letter.id, Letter.kind, Letter.number, Letter.issued_at, Letter.status,
               Letter.stay_id, Letter.intake_id).where(about), NEWEST_FIRST)}


@cache
def stay_reads() -> dict:
    """The stay page's read (a batch part, parameter `stay_id`): the letters of the stay,
    newest first."""
    return {"letters": batch.Part(
        select(Letter.id, Letter.kind, Letter.number, Letter.issued_at, Letter.status)
        .where(Letter.stay_id == bindparam("stay_id", type_=Integer)), NEWEST_FIRST)}
