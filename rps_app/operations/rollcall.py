"""Roll call (apel pagi 07:00, apel malam 21:00): who is in residence at that moment and
who is absent, permitted out or in hospital. The entries name exactly the stays open at the
session's time; a correction keeps the earlier entries (a version per entry set). The count
of present clients is that session's meals count. `absent_sessions` (roll calls in a row,
latest first, that marked a stay absent) flags a possible abscondment at 2 or more."""
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit import services as audit
from ..clients.models import Client
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..facility.models import Bed, Room
from ..fields import FieldErrors
from ..reads import Query, made, rows
from ..stays import residence
from ..stays.models import BedAssignment, Stay
from .models import ROLLCALL_STATUSES, SESSIONS, RollCall, RollCallEntry
from .vocabulary import SESSION_LABELS, STATUS_LABELS

SESSION_TIMES = {"pagi": time(7), "malam": time(21)}
ABSCOND_FLAG = 2


def session_moment(day: date, session: str) -> datetime:
    return datetime.combine(day, SESSION_TIMES[session], clock.local_zone())


def latest_session(moment: datetime | None = None) -> tuple[date, str]:
    """The session now due or last due (before 07:00: last night's apel malam)."""
    local = clock.to_local(moment or clock.now())
    if local.time() >= SESSION_TIMES["malam"]:
        return local.date(), "malam"
    if local.time() >= SESSION_TIMES["pagi"]:
        return local.date(), "pagi"
    return local.date() - timedelta(days=1), "malam"


def reference_moment(day: date, session: str) -> datetime:
    """When residence is judged: the session's time, or now for a session taken early."""
    return min(session_moment(day, session), clock.now())


def residents(day: date, session: str) -> list[dict]:
    """Stays open at the session's time with their client, room and bed then, in room and
    bed order (unplaced last): the roll call page's list."""
    at = reference_moment(day, session)
    stays = residence.at(at, Stay.id, Stay.client_id)
    rows = db.session.execute(
        select(stays.c.id, Client.id, Client.name, Client.registration_number, Client.sex,
               Room.code, Room.name, Bed.label, Room.sort_order, Bed.sort_order)
        .select_from(stays)
        .join(Client, Client.id == stays.c.client_id)
        .outerjoin(BedAssignment, and_(
            BedAssignment.stay_id == stays.c.id, BedAssignment.start_at <= at,
            or_(BedAssignment.end_at.is_(None), BedAssignment.end_at > at)))
        .outerjoin(Bed, Bed.id == BedAssignment.bed_id)
        .outerjoin(Room, Room.id == BedAssignment.room_id))
    result = [{"stay_id": r[0], "client_id": r[1], "name": r[2], "registration_number": r[3],
               "sex": r[4], "room_code": r[5], "room_name": r[6], "bed_label": r[7],
               "order": (r[5] is None, r[8] or 0, r[5] or "", r[9] or 0, r[7] or "", r[0])}
              for r in rows]
    result.sort(key=lambda item: item["order"])
    return result


def open_stay_ids(day: date, session: str) -> set[int]:
    at = reference_moment(day, session)
    return set(db.session.scalars(select(residence.at(at).c.id)))


def _check_entries(raw, errors: FieldErrors) -> dict[int, tuple[str, str | None]]:
    if not isinstance(raw, list):
        errors.add("entries", "Daftar entri wajib diisi (satu per klien).")
        return {}
    entries = {}
    for index, item in enumerate(raw):
        row = FieldErrors(f"entries.{index}.")
        if not isinstance(item, dict):
            errors.add(f"entries.{index}", "Setiap entri harus berupa objek.")
            continue
        stay_id = row.integer(item, "stay_id", 1, required=True, label="stay_id")
        status = row.choice(item, "status", ROLLCALL_STATUSES, label="Status")
        note = row.text(item, "note", 500, label="Catatan")
        errors.merge(row)
        if stay_id is not None and stay_id in entries:
            errors.add(f"entries.{index}.stay_id", f"Stay {stay_id} disebut dua kali.")
        elif stay_id is not None and status is not None:
            entries[stay_id] = (status, note)
    return entries


def _check_complete(entries: dict, expected: set[int], errors: FieldErrors) -> None:
    missing = sorted(expected - set(entries))
    extra = sorted(set(entries) - expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append("belum disebut: stay " + ", ".join(map(str, missing)))
        if extra:
            parts.append("tidak sedang tinggal: stay " + ", ".join(map(str, extra)))
        errors.add("entries", "Entri harus menyebut tepat klien yang tinggal saat apel ("
                   + "; ".join(parts) + ").")


def _write_entries(rollcall: RollCall, entries: dict) -> None:
    for stay_id, (status, note) in sorted(entries.items()):
        db.session.add(RollCallEntry(rollcall=rollcall, version=rollcall.version,
                                     stay_id=stay_id, status=status, note=note))


def take(actor, data: dict) -> RollCall:
    """POST /rollcalls {date, session, entries}."""
    if not isinstance(data, dict):
        raise ValidationError("Data apel harus berupa objek.")
    errors = FieldErrors()
    day = errors.date(data, "date", required=True, label="Tanggal")
    session = errors.choice(data, "session", SESSIONS, label="Sesi apel")
    if day is not None and day > clock.local_today():
        errors.add("date", "Tanggal apel tidak boleh di masa depan.")
    entries = _check_entries(data.get("entries"), errors)
    if errors:
        raise ValidationError("Data apel tidak valid.", errors.fields)
    if db.session.scalar(select(RollCall.id).where(RollCall.date == day,
                                                   RollCall.session == session)) is not None:
        raise Conflict("Apel sesi ini pada tanggal itu sudah dicatat; koreksi apel tersebut.",
                       {"session": "Sudah ada."}, code="rollcall_exists")
    _check_complete(entries, open_stay_ids(day, session), errors)
    if errors:
        raise ValidationError("Data apel tidak lengkap.", errors.fields)
    rollcall = RollCall(date=day, session=session, version=1, taken_by_id=actor.user_id,
                        taken_at=clock.now())
    db.session.add(rollcall)
    _write_entries(rollcall, entries)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the unique (date, session): another officer was faster
        raise Conflict("Apel sesi ini pada tanggal itu sudah dicatat.",
                       {"session": "Sudah ada."}, code="rollcall_exists") from None
    audit.record(actor, "create", "rollcall", rollcall.id,
                 {"date": day.isoformat(), "session": session, "counts": counts(rollcall)})
    return rollcall


def correct(actor, rollcall_id: int, data: dict) -> RollCall:
    """PUT /rollcalls/<id> {entries}: a new version of the entries; the old ones stay."""
    rollcall = db.session.scalar(select(RollCall).where(RollCall.id == rollcall_id)
                                 .with_for_update())
    if rollcall is None:
        raise NotFound("Apel tidak ditemukan.")
    if not isinstance(data, dict):
        raise ValidationError("Data apel harus berupa objek.")
    errors = FieldErrors()
    for field, value in (("date", rollcall.date.isoformat()), ("session", rollcall.session)):
        if field in data and data[field] != value:
            errors.add(field, "Tanggal dan sesi apel tidak dapat diubah.")
    entries = _check_entries(data.get("entries"), errors)
    if not errors:
        _check_complete(entries, {e.stay_id for e in rollcall.current_entries}, errors)
    if errors:
        raise ValidationError("Koreksi apel tidak valid.", errors.fields)
    before = counts(rollcall)
    rollcall.version += 1
    rollcall.corrected_at = clock.now()
    _write_entries(rollcall, entries)
    db.session.flush()
    db.session.expire(rollcall, ["entries"])
    audit.record(actor, "correct", "rollcall", rollcall.id,
                 {"version": rollcall.version, "counts": [before, counts(rollcall)]})
    return rollcall


def counts(rollcall: RollCall) -> dict:
    return tally_of(Counter(entry.status for entry in rollcall.current_entries))


def tally_of(found: dict) -> dict:
    """{status: entries} for every status, from the statuses found."""
    return {status: found.get(status, 0) for status in ROLLCALL_STATUSES}


def rollcall_json(rollcall: RollCall) -> dict:
    return {"id": rollcall.id, "date": rollcall.date.isoformat(), "session": rollcall.session,
            "entries": [{"stay_id": e.stay_id, "status": e.status, "note": e.note}
                        for e in rollcall.current_entries],
            "counts": counts(rollcall)}


def on_date(day: date) -> list[RollCall]:
    rows = db.session.scalars(select(RollCall).where(RollCall.date == day))
    return sorted(rows, key=lambda r: SESSIONS.index(r.session))


def find(day: date, session: str) -> RollCall | None:
    return db.session.scalar(select(RollCall).where(RollCall.date == day,
                                                    RollCall.session == session))


def latest() -> RollCall | None:
    rows = list(db.session.scalars(select(RollCall).order_by(RollCall.date.desc()).limit(2)))
    return max(rows, key=lambda r: (r.date, SESSIONS.index(r.session)), default=None)


def _session_rank():
    """A session's place in its day (pagi before malam), in SQL."""
    return case(*[(RollCall.session == name, n) for n, name in enumerate(SESSIONS)])


def _latest_order():
    return (RollCall.date.desc(), _session_rank().desc())


def _latest_tally(param):
    last = select(RollCall.id, RollCall.version).order_by(*_latest_order()).limit(1).subquery()
    return rows(select(RollCallEntry.status, func.count())
                .join(last, and_(last.c.id == RollCallEntry.rollcall_id,
                                 last.c.version == RollCallEntry.version))
                .group_by(RollCallEntry.status))


LATEST = Query("rollcall_latest", lambda param: rows(
    select(RollCall.id, RollCall.date, RollCall.session, RollCall.version),
    order_by=_latest_order(), limit=1))
LATEST_TALLY = Query("rollcall_latest_tally", _latest_tally)


def ask_latest(reads):
    """Asks `reads` (rps_app.reads) for the latest roll call (id, date, session, version)
    and the counts of its current entries; the answers are the row (None when there is
    none) and {status: entries} (None likewise)."""
    found = reads.ask(LATEST).then(lambda found_rows: found_rows[0] if found_rows else None)
    tally = reads.ask(LATEST_TALLY)
    return found, made(lambda: tally_of(dict(tally.value)) if found.value else None)


def _run_entries(param):
    """The current entries of the open stays that a run of absences can hold: those since
    the last date on which the stay was not marked absent (all, when it never was). That
    date is a window over the stay's entries: a join to it grouped per stay was misjudged
    by PostgreSQL's planner (one row expected, hundreds found) and read once per entry."""
    current = and_(RollCall.id == RollCallEntry.rollcall_id,
                   RollCall.version == RollCallEntry.version)
    seen = func.max(case((RollCallEntry.status != "absent", RollCall.date))).over(
        partition_by=RollCallEntry.stay_id)
    entries = (select(RollCallEntry.stay_id, RollCallEntry.status, RollCall.date,
                      RollCall.session, Client.name, seen.label("seen"))
               .join(RollCall, current).join(Stay, Stay.id == RollCallEntry.stay_id)
               .join(Client, Client.id == Stay.client_id)
               .where(Stay.exited_at.is_(None)).subquery("entries"))
    return rows(select(entries.c.stay_id, entries.c.status, entries.c.date, entries.c.session,
                       entries.c.name)
                .where(or_(entries.c.seen.is_(None), entries.c.date >= entries.c.seen)))


RUN_ENTRIES = Query("rollcall_run_entries", _run_entries)


def ask_abscondments(reads):
    """Asks `reads` (rps_app.reads) for the open stays that missed ABSCOND_FLAG or more roll
    calls in a row, by stay id: dicts of stay_id, name and absent_sessions. Only the
    entries a run can hold are read (_run_entries)."""
    entries = reads.ask(RUN_ENTRIES)

    def build() -> list[dict]:
        found = entries.value
        names = {row.stay_id: row.name for row in found}
        runs = runs_of([row[:4] for row in found], names)
        return [{"stay_id": stay_id, "name": names[stay_id], "absent_sessions": run}
                for stay_id, (run, _first) in sorted(runs.items()) if run >= ABSCOND_FLAG]
    return made(build)


def absences(stay_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """{stay_id: (absent sessions, first of them)}: the roll calls in a row, latest first,
    that marked the stay absent (current entries only)."""
    if not stay_ids:
        return {}
    rows = db.session.execute(
        select(RollCallEntry.stay_id, RollCallEntry.status, RollCall.date, RollCall.session)
        .join(RollCall, and_(RollCall.id == RollCallEntry.rollcall_id,
                             RollCall.version == RollCallEntry.version))
        .where(RollCallEntry.stay_id.in_(stay_ids))).all()
    return runs_of(rows, stay_ids)


def runs_of(rows, stay_ids) -> dict[int, tuple[int, datetime | None]]:
    """absences() from the (stay_id, status, date, session) rows of the stays' entries."""
    by_stay: dict[int, list] = {}
    for stay_id, status, day, session in rows:
        by_stay.setdefault(stay_id, []).append((day, SESSIONS.index(session), session, status))
    result = {}
    for stay_id in stay_ids:
        run, first = 0, None
        for day, _order, session, status in sorted(by_stay.get(stay_id, []), reverse=True):
            if status != "absent":
                break
            run, first = run + 1, session_moment(day, session)
        result[stay_id] = (run, first)
    return result


def absence_facts(stay_ids: list[int]) -> dict[int, dict]:
    """signals.stay_facts: {stay_id: {"absent_sessions": n, "abscondment_started": when a
    possible abscondment began (abscondment_start) or None}}."""
    return {sid: {"absent_sessions": run,
                  "abscondment_started": first if run >= ABSCOND_FLAG else None}
            for sid, (run, first) in absences(stay_ids).items()}


def abscondment_start(stay_id: int) -> datetime | None:
    """The first missed session when two or more in a row were missed, else None."""
    run, first = absences([stay_id])[stay_id]
    return first if run >= ABSCOND_FLAG else None
