"""A proposed roster for a period, by OR-Tools CP-SAT.

Keeps every existing assignment; breaks no rule (across the period's edges too: the
assignments just before and after count for rest and consecutive nights); then, in this
order of importance: covers every post and shift up to its minimum as far as staff allow,
puts a woman on every shift while women are in residence, and spreads the night shifts:
active staff not on leave for the whole period differ by at most one night where their
leave allows (the spread is minimised after coverage and women: it is 1 or less whenever
they allow it).
Deterministic: a fixed seed, two interleaved workers and a deterministic work budget per
phase (wall time only as a safety net); the same data gives the same answer.
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
from .vocabulary import GAP_REASONS

EDGE = MAX_CONSECUTIVE_NIGHTS + 1
# Work budgets (deterministic time, not wall time: the same answer every time), one per
# phase; a wall-clock limit only as a safety net on a very slow machine.
PHASE_ONE_BUDGET, PHASE_TWO_BUDGET = 1.0, 0.5
SAFETY_SECONDS = 8.0
W_COVER, W_WOMAN = 1_000, 1  # lexicographic weights: coverage, then a woman


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
    # Posts are alike for the rules, so the model places people on shifts (x), and the
    # open places of a shift are shared out to the posts afterwards.
    x = {}          # (staff_id, day index, shift) -> a new assignment
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
                x[(person.id, i, shift)] = model.NewBoolVar("")
    by_person_day, by_slot = defaultdict(list), defaultdict(list)
    for (sid, i, shift), var in x.items():
        by_person_day[(sid, i)].append((shift, var))
        by_slot[(i, shift)].append((sid, var))
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
    open_places = {}  # (day index, shift) -> [(room_id, places)]
    for i, day in enumerate(period):
        for shift in SHIFTS:
            places = [(room.id, max(minimum.get((room.id, shift), 1) - have[(day, shift, room.id)],
                                    0)) for room in rooms]
            open_places[(i, shift)] = places
            new = [var for _sid, var in by_slot[(i, shift)]]
            if not new:
                continue
            model.Add(sum(new) <= sum(n for _rid, n in places))
            cover_terms.append(sum(new))
            woman_vars = [var for sid, var in by_slot[(i, shift)] if sexes[sid] == "P"]
            woman_there = any(sexes[a[3]] == "P" for a in inside if a[0] == day and a[1] == shift)
            if day in women and not woman_there and woman_vars:
                covered = model.NewBoolVar("")
                model.Add(sum(woman_vars) >= covered)
                woman_terms.append(covered)

    # Nights of the active staff not on leave the whole period (their spread is phase 2's).
    nights_of = {}
    for person in staff:
        if len(away[person.id]) < len(period):
            n = model.NewIntVar(0, len(period), "")
            model.Add(n == sum(night(person.id, d) for d in period))
            nights_of[person.id] = n

    # Two phases: first the coverage and the women (lexicographic by weight); then, with
    # that value held, the nights spread as evenly as leave allows: the sum of the squares
    # of each person's nights is smallest when they differ by at most one (people whose
    # leave caps them below the others just get what they can).
    primary = W_COVER * sum(cover_terms) + W_WOMAN * sum(woman_terms)
    model.Maximize(primary)
    solver = _solver(PHASE_ONE_BUDGET)
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValidationError("Penjadwal tidak menemukan jadwal untuk periode ini.",
                              {"from": "Coba periode yang lebih pendek."})
    optimal = status == cp_model.OPTIMAL
    if nights_of:
        model.Add(primary >= round(solver.ObjectiveValue()))
        for var in x.values():
            model.AddHint(var, solver.Value(var))
        # The spread (most nights minus fewest) over the people whose leave lets them reach
        # the average; those capped below it only count towards the most.
        total = sum(solver.Value(n) for n in nights_of.values())
        average = total // len(nights_of)
        reaching = [n for sid, n in nights_of.items()
                    if _cap(sid, period, taken[sid], away[sid]) >= average]
        reaching = reaching or list(nights_of.values())
        most, fewest = model.NewIntVar(0, len(period), ""), model.NewIntVar(0, len(period), "")
        model.AddMaxEquality(most, list(nights_of.values()))
        model.AddMinEquality(fewest, reaching)
        model.Minimize(most - fewest)
        fair = _solver(PHASE_TWO_BUDGET)
        fair_status = fair.Solve(model)
        if fair_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver, optimal = fair, optimal and fair_status == cp_model.OPTIMAL
    chosen = defaultdict(list)
    for (sid, i, shift), var in x.items():
        if solver.Value(var):
            chosen[(i, shift)].append(sid)
    new = []
    for (i, shift), people in sorted(chosen.items()):
        slots = [rid for rid, n in open_places[(i, shift)] for _ in range(n)]
        new += [(period[i], shift, rid, sid) for rid, sid in zip(slots, sorted(people))]
    new.sort(key=lambda a: (a[0], SHIFTS.index(a[1]), codes[a[2]], a[3]))
    remaining = [Gap(g.date, g.shift, g.post, g.code, GAP_REASONS[g.code])
                 for g in gaps_of(start, end, inside + new, sexes, women, minimum, codes)]
    nights = {sid: solver.Value(n) for sid, n in nights_of.items()}
    return Proposal(new, remaining, nights, "optimal" if optimal else "feasible")


def _solver(budget: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    # Two workers, interleaved: LNS (which improves a solution) needs a second worker, and
    # interleaving in batches keeps the answer deterministic under a deterministic limit.
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = budget
    solver.parameters.max_time_in_seconds = SAFETY_SECONDS
    return solver


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
