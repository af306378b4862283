"""Referrals asked while the client is in residence, answered by the institution, closed by
the exit that takes the client there.

States: `sent` (the request letter went out) -> `accepted` or `refused` (with a reason) ->
an accepted one becomes `done` when the stay exits to that institution naming it. A refused
client may be referred elsewhere (a new referral). Services flush, never commit.
"""
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from sqlalchemy import func, select

from reports.referrals import section_rows

from .. import clock
from ..audit.services import Actor, record
from ..clients.models import Client
from ..errors import Conflict, ValidationError, found
from ..extensions import db
from ..fields import FieldErrors, iso, local_date
from ..reads import Query, value
from ..reads import rows as read_rows
from ..stays.models import INSTITUTION_EXIT_TYPES, Stay
from .letters import issue_request_letter
from .models import REFERRAL_STATUSES, REFUSAL_REASONS, Institution, Referral

OUTCOMES = ("accepted", "refused")
MAX_LIST = 500


def _lock(model, row_id: int, message: str):
    """The row, locked for the rest of the transaction (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already serialises writers), re-read."""
    row = db.session.scalar(select(model).where(model.id == row_id).with_for_update()
                            .execution_options(populate_existing=True))
    return found(row, message)


def ask(actor: Actor, stay_id: int, data: dict) -> Referral:
    """POST /stays/<id>/referrals {institution_id, reason}: the referral and its letter."""
    if not isinstance(data, dict):
        raise ValidationError("Data rujukan harus berupa objek.", {})
    stay = _lock(Stay, stay_id, "Data tinggal (stay) tidak ditemukan.")
    errors = FieldErrors()
    institution_id = errors.integer(data, "institution_id", 1, required=True,
                                    label="Lembaga tujuan")
    reason = errors.text(data, "reason", 2000, required=True, label="Alasan rujukan")
    institution = None
    if institution_id is not None:
        institution = db.session.get(Institution, institution_id)
        if institution is None or not institution.active:
            errors.add("institution_id", "Lembaga tujuan tidak ditemukan atau tidak aktif.")
    if errors:
        raise ValidationError("Data rujukan tidak valid: " + next(iter(errors.fields.values())),
                              errors.fields)
    if stay.exited_at is not None:
        raise Conflict("Klien sudah keluar; rujukan hanya dapat diajukan selama klien berada "
                       "di RPS.", code="already_exited")
    pending = db.session.scalar(select(Referral).where(
        Referral.stay_id == stay.id, Referral.institution_id == institution.id,
        Referral.status.in_(("sent", "accepted"))).limit(1))
    if pending is not None:
        raise Conflict("Rujukan ke lembaga ini masih menunggu jawaban atau sudah diterima.",
                       {"institution_id": "Sudah ada rujukan yang belum selesai ke lembaga ini."},
                       code="referral_pending")
    moment = clock.now()
    letter = issue_request_letter(actor, stay, institution, reason, moment)
    referral = Referral(stay_id=stay.id, institution_id=institution.id, reason=reason,
                        status="sent", sent_at=moment, sent_on=local_date(moment),
                        sent_by_id=actor.user_id, letter_id=letter.id)
    db.session.add(referral)
    db.session.flush()
    record(actor, "create", "referral", referral.id,
           {"stay_id": stay.id, "institution_id": institution.id, "letter_id": letter.id})
    return referral


def respond(actor: Actor, referral_id: int, data: dict) -> Referral:
    """POST /referrals/<id>/response {outcome, responded_at?, reason?, note?}."""
    if not isinstance(data, dict):
        raise ValidationError("Data jawaban harus berupa objek.", {})
    referral = _lock(Referral, referral_id, "Rujukan tidak ditemukan.")
    errors = FieldErrors()
    outcome = errors.choice(data, "outcome", OUTCOMES, label="Jawaban")
    responded_at = errors.moment(data, "responded_at", label="Waktu jawaban") or clock.now()
    reason = errors.choice(data, "reason", REFUSAL_REASONS, required=outcome == "refused",
                           label="Alasan penolakan")
    note = errors.text(data, "note", 2000, label="Catatan")
    if outcome == "accepted" and reason is not None:
        errors.add("reason", "Alasan hanya diisi untuk rujukan yang ditolak.")
    if "responded_at" not in errors.fields:
        if responded_at > clock.now():
            errors.add("responded_at", "Waktu jawaban tidak boleh di masa depan.")
        elif responded_at < referral.sent_at:
            errors.add("responded_at", "Waktu jawaban tidak boleh sebelum rujukan dikirim.")
    if errors:
        raise ValidationError("Jawaban rujukan tidak valid: "
                              + next(iter(errors.fields.values())), errors.fields)
    if referral.status != "sent":
        raise Conflict("Rujukan ini sudah dijawab.", code="already_answered")
    referral.status = outcome
    referral.responded_at, referral.responded_on = responded_at, local_date(responded_at)
    referral.refusal_reason = reason if outcome == "refused" else None
    referral.response_note = note
    referral.responded_by_id = actor.user_id
    db.session.flush()
    record(actor, "respond", "referral", referral.id,
           {"outcome": outcome, "reason": referral.refusal_reason,
            "responded_at": responded_at.isoformat()})
    return referral


def on_stay_exiting(stay: Stay, actor: Actor, exit_type: str, institution_id: int | None,
                    data: dict, **_ignored) -> None:
    """Receiver of signals.stay_exiting: an exit naming `referral_id` must take the client
    to the institution that accepted that referral of this stay; the referral is done."""
    if data.get("referral_id") in (None, ""):
        return
    errors = FieldErrors()
    referral_id = errors.integer(data, "referral_id", 1, label="Rujukan")
    if errors:
        raise ValidationError(errors.fields["referral_id"], errors.fields)
    if exit_type not in INSTITUTION_EXIT_TYPES:
        raise ValidationError("Rujukan hanya untuk keluar ke panti, balai atau rumah sakit.",
                              {"referral_id": "Jenis keluar ini tidak memakai rujukan."})
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id)
                                 .with_for_update())
    if (referral is None or referral.stay_id != stay.id or referral.status != "accepted"
            or referral.institution_id != institution_id):
        raise Conflict("Rujukan ini bukan rujukan yang diterima oleh lembaga tujuan untuk "
                       "klien ini.", {"referral_id": "Pilih rujukan yang sudah diterima "
                                                     "lembaga tujuan."},
                       code="referral_not_accepted")
    referral.status, referral.done_at = "done", clock.now()
    db.session.flush()
    record(actor, "done", "referral", referral.id, {"stay_id": stay.id})


# --- reading ---------------------------------------------------------------------------

def get_referral(referral_id: int) -> Referral:
    return found(db.session.get(Referral, referral_id), "Rujukan tidak ditemukan.")


def check_status(status: str | None) -> str | None:
    if status in (None, ""):
        return None
    if status not in REFERRAL_STATUSES:
        raise ValidationError("Status rujukan tidak dikenal.",
                              {"status": "Salah satu dari: " + ", ".join(REFERRAL_STATUSES)
                               + "."})
    return status


@dataclass
class Row:
    referral: Referral
    client_id: int
    client_name: str
    registration_number: str
    institution_name: str
    stay_open: bool

    def days_waiting(self, today: date) -> int:
        return days_waiting(self.referral.sent_on, today)


def days_waiting(sent_on: date, today: date) -> int:
    return max(0, (today - sent_on).days)


@dataclass
class Waiting:
    """A referral waiting for its answer, as the dashboard lists it."""
    stay_id: int
    client_id: int
    client_name: str
    registration_number: str
    institution_name: str
    sent_at: datetime
    sent_on: date

    def days_waiting(self, today: date) -> int:
        return days_waiting(self.sent_on, today)


WAITING_LISTED = 10
WAITING = Query("referrals_waiting", lambda param: read_rows(
    select(Referral.stay_id, Client.id.label("client_id"), Client.name.label("client_name"),
           Client.registration_number, Institution.name.label("institution_name"),
           Referral.sent_at, Referral.sent_on)
    .join(Stay, Stay.id == Referral.stay_id).join(Client, Client.id == Stay.client_id)
    .join(Institution, Institution.id == Referral.institution_id)
    .where(Referral.status == "sent"),
    order_by=(Referral.sent_at, Referral.id), limit=WAITING_LISTED))
WAITING_COUNT = Query("referrals_waiting_count", lambda param: value(
    select(func.count()).select_from(Referral).where(Referral.status == "sent")))


def waiting(reads):
    """Asks `reads` (rps_app.reads) for the oldest 10 referrals waiting for an answer (sent),
    with client and institution, and for how many wait in all; the answers are a list of
    Waiting and a count."""
    listed = reads.ask(WAITING)
    return (listed.then(lambda found_rows: [Waiting(*row) for row in found_rows]),
            reads.ask(WAITING_COUNT))


def rows(status: str | None = None, stay_id: int | None = None, oldest_first: bool = False,
         limit: int = MAX_LIST, offset: int = 0) -> list[Row]:
    """Referrals with their client and institution, in one statement: newest first, or
    oldest first (the waiting list)."""
    order = ((Referral.sent_at, Referral.id) if oldest_first
             else (Referral.sent_at.desc(), Referral.id.desc()))
    stmt = (select(Referral, Client.id, Client.name, Client.registration_number,
                   Institution.name, Stay.exited_at)
            .join(Stay, Stay.id == Referral.stay_id).join(Client, Client.id == Stay.client_id)
            .join(Institution, Institution.id == Referral.institution_id)
            .order_by(*order).limit(limit).offset(offset))
    if status:
        stmt = stmt.where(Referral.status == status)
    if stay_id is not None:
        stmt = stmt.where(Referral.stay_id == stay_id)
    return [Row(ref, cid, name, number, inst, exited is None)
            for ref, cid, name, number, inst, exited in db.session.execute(stmt)]


def referral_json(row: Row) -> dict:
    """GET /referrals items: contract fields; `reason` is the refusal reason (null unless
    refused), the ask's own reason is `request_reason`."""
    ref = row.referral
    return {"id": ref.id, "stay_id": ref.stay_id, "client_id": row.client_id,
            "institution_id": ref.institution_id, "status": ref.status,
            "sent_at": iso(ref.sent_at), "responded_at": iso(ref.responded_at),
            "reason": ref.refusal_reason, "request_reason": ref.reason,
            "letter_id": ref.letter_id, "institution_name": row.institution_name}


def accepted_for_stays(stay_ids: list[int]) -> dict[int, dict]:
    """Receiver of signals.stay_facts: each open stay's accepted referrals (the exit form
    offers the one of the chosen institution)."""
    if not stay_ids:
        return {}
    found_rows = db.session.execute(
        select(Referral.stay_id, Referral.id, Referral.institution_id, Institution.name,
               Referral.responded_on)
        .join(Institution, Institution.id == Referral.institution_id)
        .where(Referral.stay_id.in_(stay_ids), Referral.status == "accepted")
        .order_by(Referral.id))
    facts: dict[int, dict] = {}
    for stay_id, referral_id, institution_id, name, on in found_rows:
        facts.setdefault(stay_id, {"accepted_referrals": []})["accepted_referrals"].append(
            {"id": referral_id, "institution_id": institution_id, "institution_name": name,
             "responded_on": on.isoformat()})
    return facts


# --- the report --------------------------------------------------------------------------

def report(start: date, end: date) -> dict:
    """GET /reports/referrals: per institution, the referrals sent in [start, end]:
    sent, accepted (done included), refused, median days from sending to the answer
    (local dates; null when none was answered); refusals by reason over all of them."""
    if end < start:
        raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.",
                              {"to": "Tanggal akhir tidak boleh sebelum tanggal awal."})
    found_rows = db.session.execute(
        select(Referral.institution_id, Institution.name, Referral.status,
               Referral.refusal_reason, Referral.sent_on, Referral.responded_on)
        .join(Institution, Institution.id == Referral.institution_id)
        .where(Referral.sent_on >= start, Referral.sent_on <= end))
    per: dict[int, dict] = {}
    waits: dict[int, list[int]] = {}
    reasons = {reason: 0 for reason in REFUSAL_REASONS}
    for institution_id, name, status, refusal, sent_on, responded_on in found_rows:
        item = per.setdefault(institution_id, {"institution_id": institution_id, "name": name,
                                               "sent": 0, "accepted": 0, "refused": 0,
                                               "waiting": 0})
        item["sent"] += 1
        if status in ("accepted", "done"):
            item["accepted"] += 1
        elif status == "refused":
            item["refused"] += 1
            reasons[refusal] += 1
        else:
            item["waiting"] += 1
        if responded_on is not None:
            waits.setdefault(institution_id, []).append((responded_on - sent_on).days)
    by_institution = []
    for institution_id, item in sorted(per.items(), key=lambda kv: (kv[1]["name"].lower(),
                                                                     kv[0])):
        days = waits.get(institution_id)
        item["median_days_to_answer"] = median(days) if days else None
        by_institution.append(item)
    return {"from": start.isoformat(), "to": end.isoformat(),
            "by_institution": by_institution, "refusals_by_reason": reasons}


def monthly_section(kind, start: date, end: date) -> list[dict] | None:
    """Receiver of signals.report_collecting: the monthly report's referral table."""
    if kind != "monthly":
        return None
    header, rows_, widths, note = section_rows(report(start, end))
    return [{"title": "Rujukan per Lembaga", "header": header, "rows": rows_,
             "widths": widths, "note": note, "order": 50,
             "empty": "Tidak ada rujukan yang dikirim dalam periode ini."}]


MAX_REPORT_DAYS = 3 * 366


def check_period(args) -> tuple[date, date]:
    """`from` and `to` of the referral report (both required, YYYY-MM-DD)."""
    errors = FieldErrors()
    start = errors.date(args, "from", required=True, label="Tanggal awal")
    end = errors.date(args, "to", required=True, label="Tanggal akhir")
    if start and end and end < start:
        errors.add("to", "Tanggal akhir tidak boleh sebelum tanggal awal.")
    elif start and end and (end - start).days > MAX_REPORT_DAYS:
        errors.add("to", "Rentang laporan paling panjang 3 tahun.")
    if errors:
        raise ValidationError("Periode laporan tidak valid: " + next(iter(errors.fields.values())),
                              errors.fields)
    return start, end


def report_pdf(start: date, end: date) -> bytes:
    """The Laporan Rujukan PDF of the period (built now; nothing written)."""
    from flask import current_app

    from reports import referrals as builder
    from reports.periodic import Meta

    from .letter_settings import letterhead
    zone = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(current_app.config["RPS_TIMEZONE"], "WIB")
    meta = Meta(period_from=start, period_to=end, generated_at=clock.to_local(clock.now()),
                zone_label=zone)
    return builder.build(report(start, end), meta, letterhead())


# --- personal data over time -----------------------------------------------------------------

def _client_stays(client_id: int):
    return select(Stay.id).where(Stay.client_id == client_id)


def on_client_anonymising(client, actor=None, **_ignored) -> None:
    """Receiver of signals.client_anonymising: the referrals' free texts go; institution,
    dates, status and refusal reason (a code) stay, so the report keeps its figures."""
    from sqlalchemy import update

    from ..rows import REMOVED
    db.session.execute(update(Referral).where(Referral.stay_id.in_(_client_stays(client.id)))
                       .values(reason=REMOVED, response_note=None)
                       .execution_options(synchronize_session=False))


def on_client_exporting(client, **_ignored) -> dict:
    """Receiver of signals.client_exporting: the client's referrals."""
    from ..rows import json_row
    return {"referrals": [json_row(row) for row in db.session.scalars(
        select(Referral).where(Referral.stay_id.in_(_client_stays(client.id)))
        .order_by(Referral.id))]}
