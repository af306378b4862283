"""Reports: their data (from metrics), their PDF (from reports/), and their archive.

Reading a report (`report_data`, `build_pdf`) follows the usual rule: no writes. Archiving
a run is job machinery and owns its transactions on purpose: the ReportRun row is inserted
(claimed) first and committed on its own, so that of several schedulers racing for one
occurrence exactly one wins (the unique constraint refuses the others); the report is then
built and the row finished in a second transaction. A failed run may be claimed again.
"""
import hashlib
import os
import threading
import traceback
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, union_all

from .. import clock, fields
from ..files import private_dir, write_private
from ..audit import services as audit
from ..audit.services import Actor
from ..errors import NotFound, ValidationError, found
from ..extensions import db
from ..reads import Query, rows
from ..scheduling import claim_once
from . import documents, metrics
from .models import CHECK_KIND, REPORT_KINDS, ReportRun

MAX_RANGE_DAYS = 3 * 366
MAX_DAILY_DAYS = 31


# ------------------------------------------------------------------ periods

def parse_date(value, field: str) -> date:
    day = fields.parse_date(value)
    if day is None:
        raise ValidationError(f"Tanggal tidak valid pada isian '{field}' (format YYYY-MM-DD).",
                              {field: fields.date_message("Tanggal")})
    return day


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def check_period(kind: str, start_text, end_text) -> tuple[date, date]:
    """A report's period from the `from`/`to` texts, or ValidationError naming the field.
    A daily report covers one date (`to` may be left out) or each date of a short range; a
    monthly report a calendar month (`from` alone names it) or any range."""
    if kind not in REPORT_KINDS:
        raise NotFound("Jenis laporan tidak dikenal.")
    if start_text in (None, ""):
        raise ValidationError("Tanggal awal ('from') wajib diisi.", {"from": "Wajib diisi."})
    start = parse_date(start_text, "from")
    if end_text in (None, "") and kind == "daily":
        end = start
    elif end_text in (None, "") and kind == "monthly":
        start, end = month_bounds(start)
    elif end_text in (None, ""):
        raise ValidationError("Tanggal akhir ('to') wajib diisi.", {"to": "Wajib diisi."})
    else:
        end = parse_date(end_text, "to")
    if start > end:
        raise ValidationError("Tanggal awal tidak boleh sesudah tanggal akhir.",
                              {"from": "Harus sama dengan atau sebelum 'to'."})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationError("Rentang laporan paling panjang 3 tahun.",
                              {"to": "Rentang terlalu panjang (maks. 3 tahun)."})
    # The scheduler archives one date (daily) and calendar months (monthly); asked for on
    # demand, a daily report covers each morning of a short range, a monthly one any range.
    if kind == "daily" and (end - start).days >= MAX_DAILY_DAYS:
        raise ValidationError(f"Laporan harian paling banyak {MAX_DAILY_DAYS} hari.",
                              {"to": f"Rentang laporan harian maks. {MAX_DAILY_DAYS} hari."})
    return start, end


# ------------------------------------------------------------------ reading

def build_pdf(kind: str, start: date, end: date, actor: Actor | None = None) -> bytes:
    """The report's PDF for the period, built now from the database. Nothing is written
    but the audit entry naming the clients whose names it shows."""
    data = documents.collect(kind, start, end)
    audit.note_shown(actor, report_part(kind, start, end), documents.shown_client_ids(data))
    return documents.render(kind, start, end, data)


def report_part(kind: str, start: date, end: date) -> str:
    return f"report {kind} {start.isoformat()}..{end.isoformat()}"


def read_run_file(actor: Actor, run: ReportRun) -> bytes:
    """An archived report's bytes; reading it is reading the clients it names."""
    with open(run_file(run), "rb") as handle:  # reports are small: no open handle
        pdf = handle.read()
    audit.note_shown(actor, report_part(run.kind, run.period_from, run.period_to),
                     (run.summary or {}).get("client_ids", []))
    return pdf


def runs_query(kind: str | None = None, month: str | None = None, status: str | None = None):
    stmt = select(ReportRun).order_by(ReportRun.created_at.desc(), ReportRun.id.desc())
    if kind:
        stmt = stmt.where(ReportRun.kind == kind)
    if status:
        stmt = stmt.where(ReportRun.status == status)
    if month:
        first, last = month_bounds(parse_date(f"{month}-01", "month"))
        stmt = stmt.where(ReportRun.period_from <= last, ReportRun.period_to >= first)
    return stmt


def run_for(kind: str, start: date, end: date) -> ReportRun | None:
    return db.session.scalar(select(ReportRun).where(
        ReportRun.kind == kind, ReportRun.period_from == start, ReportRun.period_to == end))


def get_run(run_id: int) -> ReportRun:
    return found(db.session.get(ReportRun, run_id), "Laporan tidak ditemukan.")


def reports_dir() -> str:
    return current_app.config["RPS_REPORTS_DIR"]


def run_file(run: ReportRun) -> str:
    """The absolute path of a finished run's PDF (NotFound when it has none)."""
    if run.status != "done" or not run.file_path:
        raise NotFound("Berkas laporan belum tersedia.")
    path = os.path.join(reports_dir(), run.file_path)
    if not os.path.isfile(path):
        raise NotFound("Berkas laporan tidak ditemukan di folder laporan.")
    return path


# ------------------------------------------------------------------ running (own transactions)

def claim(kind: str, start: date, end: date, requested_by: str,
          user_id: int | None = None) -> ReportRun | None:
    """Take the run of (kind, period) for this process, or None when another has it
    (scheduling.claim_once: insert first, or take over a failed or abandoned run)."""
    return claim_once(ReportRun, kind, start, end, on_insert={"created_at": clock.now()},
                      requested_by=requested_by, user_id=user_id)


def _store(run: ReportRun, pdf: bytes) -> None:
    folder = os.path.join(reports_dir(), run.kind)
    private_dir(folder)
    name = f"{run.kind}_{run.period_from.isoformat()}_{run.period_to.isoformat()}.pdf"
    path = os.path.join(folder, name)
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    write_private(temporary, pdf)
    os.replace(temporary, path)  # readers never see half a file
    run.file_path = os.path.join(run.kind, name)
    run.sha256 = hashlib.sha256(pdf).hexdigest()


def execute(run_id: int, actor: Actor) -> ReportRun:
    """Build a claimed run and finish it (done or failed) in its own transaction."""
    run = db.session.get(ReportRun, run_id)
    try:
        if run.kind == CHECK_KIND:
            run.summary = flag_overdue_stays(actor, run.period_to)
        else:
            data = documents.collect(run.kind, run.period_from, run.period_to)
            _store(run, documents.render(run.kind, run.period_from, run.period_to, data))
            run.summary = _json_safe({**documents.summary(run.kind, data),
                                      "client_ids": documents.shown_client_ids(data) or None})
        run.status, run.finished_at = "done", clock.now()
        audit.record(actor, "generate", "report_run", run.id,
                     {"kind": run.kind, "from": run.period_from.isoformat(),
                      "to": run.period_to.isoformat(), "attempt": run.attempts})
        db.session.commit()
    except Exception as exc:  # any failure is recorded on the run, to be retried
        db.session.rollback()
        current_app.logger.exception("report run %s failed", run_id)
        run = db.session.get(ReportRun, run_id)
        run.status, run.finished_at = "failed", clock.now()
        run.error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        audit.record(actor, "fail", "report_run", run.id, {"kind": run.kind})
        db.session.commit()
    return run


def _json_safe(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if value is not None}


def run_once(kind: str, start: date, end: date, actor: Actor,
             requested_by: str | None = None) -> ReportRun | None:
    """Claim and execute; None when someone else has (or had) this run."""
    run = claim(kind, start, end, requested_by or actor.username or "system", actor.user_id)
    return None if run is None else execute(run.id, actor)


# ------------------------------------------------------------------ generate now (web)

_threads: list[threading.Thread] = []


def start_in_background(app, run_id: int, actor: Actor) -> threading.Thread:
    """Execute a claimed run in a thread with its own app context (its own session)."""
    def work():
        with app.app_context():
            try:
                execute(run_id, actor)
            finally:
                db.session.remove()
    thread = threading.Thread(target=work, name=f"report-run-{run_id}", daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def wait_for_background(timeout: float = 60) -> None:
    """Wait for runs started by this process (tests, and a clean shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)


# ------------------------------------------------------------------ the nightly check

def flag_overdue_stays(actor: Actor, day: date) -> dict:
    """Stays open at the end of `day` past their limit (their extension, else the default):
    each gets one audit entry `over_limit` the first time; the run's summary lists them."""
    from ..audit.models import AuditEntry
    from ..stays.models import Stay

    default = metrics.max_stay_days()
    flagged = []
    for row in metrics.over_limit(day, default):
        limit = db.session.scalar(select(Stay.max_stay_days).where(Stay.id == row.stay_id)) or default
        if row.nights > limit:
            flagged.append({"stay_id": row.stay_id, "nights": row.nights, "limit": limit})
    ids = [str(item["stay_id"]) for item in flagged]
    known = set(db.session.scalars(select(AuditEntry.entity_id).where(
        AuditEntry.action == "over_limit", AuditEntry.entity == "stay",
        AuditEntry.entity_id.in_(ids)))) if ids else set()
    for item in flagged:
        if str(item["stay_id"]) not in known:
            audit.record(actor, "over_limit", "stay", item["stay_id"],
                         {"nights": item["nights"], "limit": item["limit"], "date": day.isoformat()})
    return {"date": day.isoformat(), "count": len(flagged), "stays": flagged}


def latest_check() -> ReportRun | None:
    return db.session.scalar(select(ReportRun).where(ReportRun.kind == CHECK_KIND,
                                                     ReportRun.status == "done")
                             .order_by(ReportRun.period_to.desc()).limit(1))


LATEST_CHECK = Query("reporting_latest_check", lambda param: rows(
    select(ReportRun.period_to, ReportRun.summary)
    .where(ReportRun.kind == CHECK_KIND, ReportRun.status == "done"),
    order_by=(ReportRun.period_to.desc(), ReportRun.id.desc()), limit=1))


def ask_latest_check(reads):
    """Asks `reads` (rps_app.reads) for the latest nightly check done: a row of period_to
    and summary, or None."""
    return reads.ask(LATEST_CHECK).then(lambda latest: latest[0] if latest else None)


def last_runs(kinds) -> dict[str, ReportRun | None]:
    """The latest run of each kind (one statement: the latest id per kind, by the index
    on kind and period)."""
    kinds = list(kinds)
    if not kinds:
        return {}
    latest = union_all(*[
        select(select(ReportRun.id).where(ReportRun.kind == kind)
               .order_by(ReportRun.period_to.desc(), ReportRun.id.desc()).limit(1)
               .subquery().c.id) for kind in kinds])
    runs = {run.kind: run for run in db.session.scalars(
        select(ReportRun).where(ReportRun.id.in_(latest)))}
    return {kind: runs.get(kind) for kind in kinds}


def failed_runs(limit: int = 20) -> list[ReportRun]:
    return list(db.session.scalars(runs_query(status="failed").limit(limit)))


def heartbeat() -> datetime | None:
    from ..settings import services as settings
    value = settings.get("scheduler_heartbeat")
    return datetime.fromisoformat(value) if value else None
