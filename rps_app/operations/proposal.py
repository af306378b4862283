"""A proposed roster for a period, by OR-Tools CP-SAT.

Keeps every existing assignment; breaks no rule (across the period's edges too: the
assignments just before and after count for rest and consecutive nights); then, in this
order of importance: covers every post and shift up to its minimum as far as staff allow,
puts a woman on every shift while women are in residence, and spreads the night shifts:
active staff not on leave for the whole period differ by at most one night where their
leave allows (the spread is minimised; it is 1 or less whenever the rest allows it).
Deterministic: one search worker, a fixed seed and a deterministic time budget.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model
from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from .models import SHIFTS, RosterAssignment, Staff
from .roster import (MAX_CONSECUTIVE_NIGHTS, Gap, days, gaps_of, minimums, place, posts,
                     women_in_residence)
from .staff import leaves_between

EDGE = MAX_CONSECUTIVE_NIGHTS + 1
SOLVER_SECONDS = 4.0
DETERMINISTIC_BUDGET = 8.0  # a work budget, not wall time: the same answer every time
W_COVER, W_WOMAN = 10_000, 100  # lexicographic weights: coverage, then a woman, then spread

GAP_REASONS = {
    "understaffed": "Petugas yang tersedia pada hari itu tidak cukup (cuti, sudah bertugas, "
                    "atau aturan istirahat dan tugas malam).",
    "no_female_staff": "Tidak ada petugas perempuan yang dapat bertugas pada giliran itu.",
}


@dataclass
class Proposal:
    assignments: list[tuple[date, str, int, int]]   # new ones: (date, shift, room_id, staff_id)
    gaps: list[Gap]
    nights: dict[int, int]                          # staff_id -> malam in the period
    status: str


def max_nights(available: list[bool], before: int = 0) -> int:
    """Most nights one person could work on the days marked available, never more than
    MAX_CONSECUTIVE_NIGHTS in a row (greedy is optimal on a line): `before` nights already
    run into the first day."""
    run, total = before, 0
    for ok in available:
        if ok and run < MAX_CONSECUTIVE_NIGHTS:
            run, total = run + 1, total + 1
        else:
            run = 0
    return total


def propose(start: date, end: date) -> Proposal:
    period = days(start, end)
    index = {day: i for i, day in enumerate(period)}
    rooms = posts()
    codes = {room.id: room.code for room in rooms}
    minimum = minimums()
    staff = list(db.session.scalars(select(Staff).where(Staff.active.is_(True))
                                    .order_by(Staff.id)))
    sexes = dict(db.session.execute(select(Staff.id, Staff.sex)).all())
    women = women_in_residence(start, end)
    existing = list(db.session.scalars(select(RosterAssignment).where(
        RosterAssignment.date.between(start - timedelta(days=EDGE),
                                      end + timedelta(days=EDGE)))))
    taken = defaultdict(dict)              # staff_id -> {date: shift}, around the period
    inside = []                            # existing assignments within the period
    for row in existing:
        taken[row.staff_id][row.date] = row.shift
        if start <= row.date <= end:
            inside.append((row.date, row.shift, row.room_id, row.staff_id))
    away = defaultdict(set)
    for leave in leaves_between(start, end):
        away[leave.staff_id].update(d for d in period if leave.from_date <= d <= leave.to_date)

    model = cp_model.CpModel()
    x = {}          # (staff_id, day index, shift, room_id) -> new assignment
    for person in staff:
        mine = taken[person.id]
        for i, day in enumerate(period):
            if day in away[person.id] or day in mine:
                continue
            for shift in SHIFTS:
                if shift == "pagi" and mine.get(day - timedelta(days=1)) == "malam":
                    continue
                if shift == "malam" and mine.get(day + timedelta(days=1)) == "pagi":
                    continue
                for room in rooms:
                    x[(person.id, i, shift, room.id)] = model.NewBoolVar("")
    by_person_day, by_slot = defaultdict(list), defaultdict(list)
    for (sid, i, shift, rid), var in x.items():
        by_person_day[(sid, i)].append((shift, var))
        by_slot[(i, shift, rid)].append((sid, var))
    have = defaultdict(int)
    for a in inside:
        have[(a[0], a[1], a[2])] += 1

    def night(sid: int, day: date):
        """1 (fixed), 0, or the sum of the new malam variables of that person and day."""
        if taken[sid].get(day) == "malam":
            return 1
        i = index.get(day)
        if i is None:
            return 0
        return sum(var for shift, var in by_person_day[(sid, i)] if shift == "malam")

    def pagi(sid: int, i: int):
        return sum(var for shift, var in by_person_day[(sid, i)] if shift == "pagi")

    for person in staff:
        sid = person.id
        for i in range(len(period)):
            if by_person_day[(sid, i)]:
                model.Add(sum(var for _shift, var in by_person_day[(sid, i)]) <= 1)
        for i, day in enumerate(period[1:], start=1):  # rest: no pagi after one's malam
            nights = night(sid, period[i - 1])
            if not isinstance(nights, int) and by_person_day[(sid, i)]:
                model.Add(nights + pagi(sid, i) <= 1)
        first = start - timedelta(days=MAX_CONSECUTIVE_NIGHTS)
        last = end + timedelta(days=1)
        day = first
        while day <= last:  # every window of four days holds at most three nights
            window = [night(sid, day + timedelta(days=k)) for k in range(EDGE)]
            if any(not isinstance(w, int) for w in window):
                model.Add(sum(window) <= MAX_CONSECUTIVE_NIGHTS)
            day += timedelta(days=1)

    cover_terms, woman_terms = [], []
    for i, day in enumerate(period):
        for shift in SHIFTS:
            woman_vars = []
            for room in rooms:
                placed = have[(day, shift, room.id)]
                need = minimum.get((room.id, shift), 1)
                new = [var for _sid, var in by_slot[(i, shift, room.id)]]
                if need <= placed:
                    for var in new:
                        model.Add(var == 0)
                    continue
                if new:
                    model.Add(sum(new) <= need - placed)
                    cover_terms.append(sum(new))
                woman_vars += [var for sid, var in by_slot[(i, shift, room.id)]
                               if sexes[sid] == "P"]
            woman_there = any(sexes[a[3]] == "P" for a in inside if a[0] == day and a[1] == shift)
            if day in women and not woman_there and woman_vars:
                covered = model.NewBoolVar("")
                model.Add(sum(woman_vars) >= 1).OnlyEnforceIf(covered)
                woman_terms.append(covered)

    # Night fairness among the active staff not on leave the whole period.
    eligible = [p for p in staff if len(away[p.id]) < len(period)]
    nights_of = {}
    spread = 0
    if eligible:
        top = len(period)
        lo, hi = model.NewIntVar(0, top, "lo"), model.NewIntVar(0, top, "hi")
        for person in eligible:
            sid = person.id
            count = sum(night(sid, d) for d in period)
            n = model.NewIntVar(0, top, "")
            model.Add(n == count)
            nights_of[sid] = n
            model.Add(n <= hi)
            cap = _cap(sid, period, taken[sid], away[sid])
            floor = model.NewIntVar(0, top, "")
            model.AddMinEquality(floor, [lo, cap])
            model.Add(n >= floor)
        spread = model.NewIntVar(0, top, "spread")
        model.Add(spread == hi - lo)
    model.Maximize(W_COVER * sum(cover_terms) + W_WOMAN * sum(woman_terms) - spread)

    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    solver.parameters.max_deterministic_time = DETERMINISTIC_BUDGET
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValidationError("Penjadwal tidak menemukan jadwal untuk periode ini.",
                              {"from": "Coba periode yang lebih pendek."})
    new = sorted(((period[i], shift, rid, sid) for (sid, i, shift, rid), var in x.items()
                  if solver.Value(var)), key=lambda a: (a[0], SHIFTS.index(a[1]),
                                                       codes[a[2]], a[3]))
    remaining = [Gap(g.date, g.shift, g.post, g.code, GAP_REASONS[g.code])
                 for g in gaps_of(start, end, inside + new, sexes, women, minimum, codes)]
    nights = {sid: solver.Value(n) for sid, n in nights_of.items()}
    return Proposal(new, remaining, nights,
                    "optimal" if status == cp_model.OPTIMAL else "feasible")


def _cap(sid: int, period: list[date], mine: dict[date, str], away: set[date]) -> int:
    """The most nights this person could work in the period on their own (leave, their
    existing assignments, the rest rule and at most three nights in a row)."""
    before = 0
    day = period[0] - timedelta(days=1)
    while mine.get(day) == "malam" and before < MAX_CONSECUTIVE_NIGHTS:
        before, day = before + 1, day - timedelta(days=1)
    available = []
    for day in period:
        shift = mine.get(day)
        if shift is not None:
            available.append(shift == "malam")
        else:
            available.append(day not in away
                             and mine.get(day + timedelta(days=1)) != "pagi")
    # An upper bound used only as the fairness floor's cap: were it too high, the solver
    # would lower the floor and report a wider spread, never fail.
    return max_nights(available, before)


def apply(actor, proposal: Proposal) -> list[RosterAssignment]:
    """Save a proposal's new assignments (each through the rules again)."""
    rooms = {room.id: room for room in posts()}
    return [place(actor, day, shift, rooms[rid], sid, {"proposal": True})
            for day, shift, rid, sid in proposal.assignments]
