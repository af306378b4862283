"""The duty roster: posts (rooms of kind guard_post) with a minimum per shift, assignments
under the four rules of contract.md, and the gaps (understaffed posts, shifts with women
in residence and no woman on duty).

Rules (409 roster_conflict, fields.rule): double_booking (one person, two assignments on
one date), rest (pagi the day after one's malam), consecutive_nights (a fourth malam in a
row), on_leave. The check runs under a lock of the staff row (FOR UPDATE on PostgreSQL;
SQLite writes are serialised), and the unique index (staff_id, date) holds double booking.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, String, func, select, text, union_all
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit import services as audit
from ..clients.models import Client
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..facility.models import Room
from ..fields import FieldErrors
from ..reads import Query, made, rows
from ..stays.models import LONG_NIGHTS, Stay, longer_than
from .models import SHIFTS, PostMinimum, RosterAssignment, Staff, StaffLeave
from .staff import get_staff
from .vocabulary import SHIFT_LABELS

MAX_PERIOD_DAYS = 31
MAX_CONSECUTIVE_NIGHTS = 3
SHIFT_TIMES = {"pagi": (time(7), time(14)), "siang": (time(14), time(21)),
               "malam": (time(21), time(7))}
RULE_MESSAGES = {
    "double_booking": "Bentrok jadwal: petugas ini sudah bertugas pada tanggal tersebut "
                      "(satu orang satu giliran per hari).",
    "rest": "Istirahat kurang: petugas tidak boleh bertugas pagi sesudah tugas malam.",
    "consecutive_nights": "Malam berturut-turut: paling banyak tiga tugas malam berturut-turut.",
    "on_leave": "Petugas sedang cuti/izin pada tanggal tersebut.",
}


class RosterConflict(Conflict):
    code = "roster_conflict"

    def __init__(self, rule: str):
        super().__init__(RULE_MESSAGES[rule], {"rule": rule})
        self.rule = rule


# --- posts ---------------------------------------------------------------------------

def _active_posts():
    return (Room.kind == "guard_post", Room.active.is_(True))


def posts() -> list[Room]:
    return list(db.session.scalars(select(Room).where(*_active_posts())
                                   .order_by(Room.sort_order, Room.code)))


def minimums_of(post_ids, set_minimums) -> dict[tuple[int, str], int]:
    """(room_id, shift) -> min_staff for the posts, from the (room_id, shift, min_staff)
    of the minimums set."""
    result = {(room_id, shift): 1 for room_id in post_ids for shift in SHIFTS}
    for room_id, shift, min_staff in set_minimums:
        if (room_id, shift) in result:
            result[(room_id, shift)] = min_staff
    return result


def _minimum_rows():
    return select(PostMinimum.room_id, PostMinimum.shift, PostMinimum.min_staff)


def minimums(rooms: list[Room] | None = None) -> dict[tuple[int, str], int]:
    """(room_id, shift) -> min_staff for every active post (1 unless set); `rooms`, the
    posts when already read."""
    rooms = posts() if rooms is None else rooms
    return minimums_of([room.id for room in rooms], db.session.execute(_minimum_rows()))


def post_by_code(code, errors: FieldErrors, field: str = "post") -> Room | None:
    if not isinstance(code, str) or not code.strip():
        errors.add(field, "Pos jaga wajib diisi (kode, mis. POS-1).")
        return None
    room = db.session.scalar(select(Room).where(Room.code == code.strip(),
                                                Room.kind == "guard_post"))
    if room is None:
        errors.add(field, "Pos jaga tidak ditemukan.")
    return room


def set_minimum(actor, room_id: int, shift: str, min_staff) -> PostMinimum:
    errors = FieldErrors()
    shift = errors.choice({"shift": shift}, "shift", SHIFTS, label="Giliran")
    value = errors.integer({"min_staff": min_staff}, "min_staff", 0, 20, required=True,
                           label="Jumlah minimal petugas")
    room = db.session.get(Room, room_id) if isinstance(room_id, int) else None
    if room is None or room.kind != "guard_post":
        errors.add("post", "Pos jaga tidak ditemukan.")
    if errors:
        raise ValidationError("Jumlah minimal petugas tidak valid.", errors.fields)
    row = db.session.scalar(select(PostMinimum).where(PostMinimum.room_id == room.id,
                                                      PostMinimum.shift == shift))
    before = row.min_staff if row else 1
    if row is None:
        row = PostMinimum(room_id=room.id, shift=shift, min_staff=value)
        db.session.add(row)
    row.min_staff = value
    db.session.flush()
    audit.record(actor, "update", "roster_post", room.id,
                 {"shift": shift, "min_staff": [before, value]})
    return row


# --- period and reading --------------------------------------------------------------

def check_period(data: dict, max_days: int = MAX_PERIOD_DAYS) -> tuple[date, date]:
    errors = FieldErrors()
    start = errors.date(data, "from", required=True, label="Tanggal awal")
    end = errors.date(data, "to", required=True, label="Tanggal akhir")
    if start and end and end < start:
        errors.add("to", "Tanggal akhir tidak boleh sebelum tanggal awal.")
    elif start and end and (end - start).days + 1 > max_days:
        errors.add("to", f"Periode paling lama {max_days} hari.")
    if errors:
        raise ValidationError("Periode tidak valid.", errors.fields)
    return start, end


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def assignments_between(start: date, end: date) -> list[RosterAssignment]:
    return list(db.session.scalars(
        select(RosterAssignment).where(RosterAssignment.date.between(start, end))
        .order_by(RosterAssignment.date, RosterAssignment.shift, RosterAssignment.room_id,
                  RosterAssignment.id)))


def assignment_json(row: RosterAssignment, room_codes: dict | None = None,
                    with_person: bool = False) -> dict:
    code = room_codes[row.room_id] if room_codes else row.room.code
    item = {"id": row.id, "date": row.date.isoformat(), "shift": row.shift, "post": code,
            "staff_id": row.staff_id}
    if with_person:
        item.update(name=row.staff.name, sex=row.staff.sex)
    return item


def roster_json(start: date, end: date) -> list[dict]:
    codes = {room.id: room.code for room in db.session.scalars(select(Room))}
    rows = sorted(assignments_between(start, end),
                  key=lambda a: (a.date, SHIFTS.index(a.shift), codes[a.room_id], a.id))
    return [assignment_json(row, codes, with_person=True) for row in rows]


def shift_bounds(day: date, shift: str) -> tuple[datetime, datetime]:
    """A shift's start and end as aware datetimes (malam ends the next morning)."""
    zone = clock.local_zone()
    begin, finish = SHIFT_TIMES[shift]
    start = datetime.combine(day, begin, zone)
    end = datetime.combine(day + timedelta(days=1) if shift == "malam" else day, finish, zone)
    return start, end


def current_shift(moment: datetime | None = None) -> tuple[date, str]:
    """The date and shift on duty at `moment` (before 07:00: the malam of the day before)."""
    local = clock.to_local(moment or clock.now())
    if local.time() < time(7):
        return local.date() - timedelta(days=1), "malam"
    if local.time() < time(14):
        return local.date(), "pagi"
    if local.time() < time(21):
        return local.date(), "siang"
    return local.date(), "malam"


ON_DUTY = Query("roster_on_duty", lambda param: rows(
    select(Room.name.label("room_name"), Staff.name.label("staff_name"),
           Staff.sex.label("staff_sex"), Staff.phone.label("staff_phone"))
    .select_from(RosterAssignment)
    .join(Room, Room.id == RosterAssignment.room_id)
    .join(Staff, Staff.id == RosterAssignment.staff_id)
    .where(RosterAssignment.date == param("day", Date()),
           RosterAssignment.shift == param("shift", String())),
    order_by=(RosterAssignment.room_id, RosterAssignment.id)))


def on_duty(reads, day: date, shift: str):
    """Asks `reads` (rps_app.reads) for who is on (day, shift), by post: rows of room_name,
    staff_name, staff_sex and staff_phone."""
    return reads.ask(ON_DUTY, day=day, shift=shift)


def on_duty_now(moment: datetime | None = None) -> list[RosterAssignment]:
    day, shift = current_shift(moment)
    return list(db.session.scalars(
        select(RosterAssignment).where(RosterAssignment.date == day,
                                       RosterAssignment.shift == shift)
        .order_by(RosterAssignment.room_id, RosterAssignment.id)))


# --- the rules -----------------------------------------------------------------------

def violated_rule(shift: str, day: date, taken: dict[date, str],
                  leave_days: set[date] | None = None) -> str | None:
    """Which rule one more assignment (day, shift) breaks for a person whose other
    assignments are `taken` ({date: shift}) and who is away on `leave_days`; None if none.
    The same function judges the service and the proposal's tests."""
    if leave_days and day in leave_days:
        return "on_leave"
    if day in taken:
        return "double_booking"
    if shift == "pagi" and taken.get(day - timedelta(days=1)) == "malam":
        return "rest"
    if shift == "malam" and taken.get(day + timedelta(days=1)) == "pagi":
        return "rest"
    if shift == "malam":
        run = 1
        for step in (-1, 1):
            current = day + timedelta(days=step)
            while taken.get(current) == "malam":
                run += 1
                current += timedelta(days=step)
        if run > MAX_CONSECUTIVE_NIGHTS:
            return "consecutive_nights"
    return None


def taken_around(staff_id: int, day: date, reach: int = MAX_CONSECUTIVE_NIGHTS + 1
                 ) -> dict[date, str]:
    return dict(db.session.execute(select(RosterAssignment.date, RosterAssignment.shift).where(
        RosterAssignment.staff_id == staff_id,
        RosterAssignment.date.between(day - timedelta(days=reach), day + timedelta(days=reach)))
    ).all())


def leave_days_of(staff_id: int, start: date, end: date) -> set[date]:
    result = set()
    for leave in db.session.scalars(select(StaffLeave).where(
            StaffLeave.staff_id == staff_id, StaffLeave.from_date <= end,
            StaffLeave.to_date >= start)):
        result.update(d for d in days(max(leave.from_date, start), min(leave.to_date, end)))
    return result


def check_assignment(data: dict) -> tuple[date, str, Room, int]:
    if not isinstance(data, dict):
        raise ValidationError("Data penugasan harus berupa objek.")
    errors = FieldErrors()
    day = errors.date(data, "date", required=True, label="Tanggal")
    shift = errors.choice(data, "shift", SHIFTS, label="Giliran")
    post = post_by_code(data.get("post"), errors)
    staff_id = errors.integer(data, "staff_id", 1, required=True, label="Petugas")
    if staff_id is not None and db.session.get(Staff, staff_id) is None:
        errors.add("staff_id", "Petugas tidak ditemukan.")
    if errors:
        raise ValidationError("Data penugasan tidak valid.", errors.fields)
    return day, shift, post, staff_id


def assign(actor, data: dict) -> RosterAssignment:
    """POST /roster/assignments: one person on one shift at one post, under the rules."""
    day, shift, post, staff_id = check_assignment(data)
    return place(actor, day, shift, post, staff_id)


def place(actor, day: date, shift: str, post: Room, staff_id: int,
          audit_detail: dict | None = None) -> RosterAssignment:
    staff = get_staff(staff_id, lock=True)  # serialises the checks of one person
    if not staff.active:
        raise ValidationError("Petugas tidak aktif.", {"staff_id": "Petugas tidak aktif."})
    rule = violated_rule(shift, day, taken_around(staff.id, day),
                         leave_days_of(staff.id, day, day))
    if rule:
        raise RosterConflict(rule)
    row = RosterAssignment(date=day, shift=shift, room_id=post.id, staff_id=staff.id,
                           created_by_id=actor.user_id, created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise RosterConflict("double_booking") from None
    audit.record(actor, "create", "roster_assignment", row.id,
                 {"date": day.isoformat(), "shift": shift, "post": post.code,
                  "staff_id": staff.id, **(audit_detail or {})})
    return row


def unassign(actor, assignment_id: int) -> None:
    row = db.session.get(RosterAssignment, assignment_id)
    if row is None:
        raise NotFound("Penugasan tidak ditemukan.")
    audit.record(actor, "delete", "roster_assignment", row.id,
                 {"date": row.date.isoformat(), "shift": row.shift, "post": row.room.code,
                  "staff_id": row.staff_id})
    db.session.delete(row)
    db.session.flush()


# --- gaps ----------------------------------------------------------------------------

def _women_stays(start, end, reach):
    """(entry_date, exit_date) of the women's stays that may be open on a night of [start,
    end] (dates or bound parameters; `reach` is end + LONG_NIGHTS), each part through an
    index bounded at both ends: the open ones (the open stays' index), those that ended in
    (start, reach] (the exit date index), and the few longer ones that ended later (the
    long stays' index), begun by `end`. The entry date is compared in a form no index
    serves, so that neither database reads the entry date index back through history."""
    begun = func.coalesce(Stay.entry_date, Stay.entry_date) <= end
    woman = select(Client.sex).where(Client.id == Stay.client_id).scalar_subquery() == "P"
    longer = longer_than(LONG_NIGHTS, "entry_date", "exit_date")[
        f"{db.session.get_bind().dialect.name}_where"]
    columns = (Stay.entry_date, Stay.exit_date)
    return union_all(
        select(*columns).where(Stay.exit_date.is_(None), Stay.entry_date <= end, woman),
        select(*columns).where(Stay.exit_date > start, Stay.exit_date <= reach, begun, woman),
        select(*columns).where(Stay.exit_date > reach, text(longer.text), begun, woman))


def nights_of(stays, start: date, end: date) -> set[date]:
    """The dates in [start, end] on whose night one of the (entry_date, exit_date) stays is
    open (entry_date <= D and no exit before the next day)."""
    result = set()
    for entry, exit_date in stays:
        last = end if exit_date is None else min(end, exit_date - timedelta(days=1))
        result.update(days(max(entry, start), last) if last >= max(entry, start) else [])
    return result


def women_in_residence(start: date, end: date) -> set[date]:
    """The dates in [start, end] on whose night a woman's stay is open (entry_date <= D and
    no exit before the next day), as the contract judges it: by the open stays of the date."""
    reach = end + timedelta(days=LONG_NIGHTS)
    return nights_of(db.session.execute(_women_stays(start, end, reach)).all(), start, end)


@dataclass(frozen=True)
class Gap:
    date: date
    shift: str
    post: str | None
    code: str
    message: str | None = None

    def json(self) -> dict:
        item = {"date": self.date.isoformat(), "shift": self.shift, "post": self.post,
                "code": self.code}
        if self.message:
            item["message"] = self.message
        return item


def gaps_of(start: date, end: date, placed: list[tuple[date, str, int, int]],
            sexes: dict[int, str], women: set[date], minimum: dict[tuple[int, str], int],
            codes: dict[int, str]) -> list[Gap]:
    """The gaps of a roster given as (date, shift, room_id, staff_id) tuples."""
    count = defaultdict(int)
    woman_on = set()
    for day, shift, room_id, staff_id in placed:
        count[(day, shift, room_id)] += 1
        if sexes.get(staff_id) == "P":
            woman_on.add((day, shift))
    result = []
    for day in days(start, end):
        for shift in SHIFTS:
            for (room_id, min_shift), needed in sorted(minimum.items(),
                                                       key=lambda kv: codes[kv[0][0]]):
                if min_shift == shift and count[(day, shift, room_id)] < needed:
                    result.append(Gap(day, shift, codes[room_id], "understaffed"))
            if day in women and (day, shift) not in woman_on:
                result.append(Gap(day, shift, None, "no_female_staff"))
    return result


def gaps(start: date, end: date, rows: list[RosterAssignment] | None = None,
         rooms: list[Room] | None = None, minimum: dict | None = None,
         sexes: dict[int, str] | None = None) -> list[Gap]:
    """The gaps of [start, end]; the assignments, posts, minimums and staff sexes are read
    unless the caller has them already."""
    rows = assignments_between(start, end) if rows is None else rows
    if sexes is None:
        sexes = dict(db.session.execute(select(Staff.id, Staff.sex)).all())
    rooms = posts() if rooms is None else rooms
    minimum = minimums(rooms) if minimum is None else minimum
    codes = {room.id: room.code for room in rooms}
    return gaps_of(start, end, [(a.date, a.shift, a.room_id, a.staff_id) for a in rows], sexes,
                   women_in_residence(start, end), minimum, codes)


POSTS = Query("roster_posts", lambda param: rows(
    select(Room.id, Room.code).where(*_active_posts())))
MINIMUMS = Query("roster_minimums", lambda param: rows(_minimum_rows()))
PLACED = Query("roster_placed", lambda param: rows(
    select(RosterAssignment.date, RosterAssignment.shift, RosterAssignment.room_id,
           RosterAssignment.staff_id, Staff.sex)
    .join(Staff, Staff.id == RosterAssignment.staff_id)
    .where(RosterAssignment.date.between(param("start", Date()), param("end", Date())))))
WOMEN = Query("roster_women", lambda param: rows(
    _women_stays(param("start", Date()), param("end", Date()), param("reach", Date()))))


def ask_gaps(reads, start: date, end: date):
    """Asks `reads` (rps_app.reads) for what the gaps of [start, end] are judged on: the
    posts, their minimums, the assignments with their staff's sex, the women's stays; the
    answer is the list of Gap."""
    posted, minimum_rows = reads.ask(POSTS), reads.ask(MINIMUMS)
    placed = reads.ask(PLACED, start=start, end=end)
    women = reads.ask(WOMEN, start=start, end=end, reach=end + timedelta(days=LONG_NIGHTS))

    def build() -> list[Gap]:
        codes = dict(posted.value)
        return gaps_of(start, end, [(d, shift, room, staff) for d, shift, room, staff, _s
                                    in placed.value],
                       {row.staff_id: row.sex for row in placed.value},
                       nights_of(women.value, start, end),
                       minimums_of(codes, minimum_rows.value), codes)
    return made(build)


def grid(start: date, end: date, rows: list[RosterAssignment] | None = None,
         **known) -> dict:
    """The weekly page's cells: {(date, shift, room_id): [assignment]} and gaps by cell
    (`known`: what gaps() need that the caller has read)."""
    rows = assignments_between(start, end) if rows is None else rows
    cells = defaultdict(list)
    for row in rows:
        cells[(row.date, row.shift, row.room_id)].append(row)
    by_cell = defaultdict(list)
    for gap in gaps(start, end, rows, **known):
        by_cell[(gap.date, gap.shift, gap.post)].append(gap.code)
    return {"cells": cells, "gaps": by_cell}
