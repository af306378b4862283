"""Occupancy, length of stay and admissions, computed in SQL (contract.md, Metrics).

Every query is bounded by the report's range, never by the length of history:
- the stays (and bed assignments) of a range are found by indexes bounded at both ends:
  open ones, those ending within LONG_NIGHTS after the range, and the few longer ones
  (a partial index), so neither the years before the range nor those after it are read;
- client and intake columns are looked up per row by primary key (per_row), never by a
  join that could hash a whole table, and PostgreSQL runs without parallel workers or
  JIT (set per connection, extensions.py), whose start-up costs more than these queries;
- the nights of the range are a `days` CTE of the range's dates from bound parameters
  (generate_series on PostgreSQL, a recursive CTE on SQLite: SQL compiled once), each
  with the UTC instant at which its local day ends, so that bed service times (stored
  in UTC) compare directly;
- results come back grouped (per date, per kind, per length), so Python only adds up
  a few dozen rows.
A stay occupies the night of D when entry_date <= D < exit_date (open: through `to`).
"""
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from .. import clock
from ..clients.models import Client
from ..extensions import db
from ..facility.models import Bed, BedOutage, Room
from ..reads import Query, made, rows, value
from ..stays.models import (LONG_NIGHTS, BedAssignment, Intake, ServiceRecord, Stay,
                            longer_than)
from ..types import UTCDateTime

CLIENT_KINDS = ("shelter", "isolation")
SEXES = ("L", "P")
RETURN_WINDOW_DAYS = 180
BUCKETS = (("0-1", 0, 1), ("2-3", 2, 3), ("4-7", 4, 7), ("8-14", 8, 14), ("15-30", 15, 30),
           ("31+", 31, None))


# ------------------------------------------------------------------ results

def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Json:
    def as_json(self) -> dict:
        return _plain(asdict(self))


def rate(numerator: int, denominator: int) -> float | None:
    """A ratio to four decimals; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class KindOccupancy:
    bed_nights: int = 0
    available_bed_nights: int = 0
    occupancy_rate: float | None = None


@dataclass
class DayCount:
    date: date
    occupied: int
    capacity: int


@dataclass
class Occupancy(_Json):
    period_from: date
    period_to: date
    bed_nights: int
    available_bed_nights: int
    occupancy_rate: float | None
    by_room_kind: dict  # shelter|isolation -> KindOccupancy, unplaced -> {bed_nights}
    by_sex: dict        # L|P -> {bed_nights}
    daily: list[DayCount]

    def as_json(self) -> dict:
        data = super().as_json()
        data.pop("period_from"), data.pop("period_to")
        return data


@dataclass
class OverLimit:
    stay_id: int
    client_id: int
    name: str
    nights: int
    entry_date: date


@dataclass
class LengthOfStay(_Json):
    period_from: date
    period_to: date
    max_stay_days: int
    exited: dict    # count, mean, median, max, buckets
    active: dict    # count, over_limit: [OverLimit]
    exits_by_type: dict
    returns: int

    def as_json(self) -> dict:
        data = super().as_json()
        for key in ("period_from", "period_to", "max_stay_days"):
            data.pop(key)
        return data


@dataclass
class Admissions(_Json):
    total: int
    by_agency: dict
    by_pmks: dict   # category code -> count
    by_sex: dict
    by_age_group: dict = field(default_factory=dict)  # anak|dewasa|lansia -> count


@dataclass
class ServiceCounts(_Json):
    by_component: dict = field(default_factory=dict)  # component -> {records, clients}


# ------------------------------------------------------------------ SQL helpers

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(later, earlier):
    """`later - earlier` in whole days, for Date columns or bound dates, on either database."""
    if _dialect() == "sqlite":
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
    return sa.type_coerce(sa.cast(later, sa.Date) - sa.cast(earlier, sa.Date), sa.Integer)


def day_end_utc(day: date) -> datetime:
    """The instant (aware) at which local day `day` ends: local midnight of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.local_zone())


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _days_cte(start: date, end: date):
    """The dates of [start, end] with the UTC instant each local day ends, as a CTE whose
    SQL is the same for every range (bound parameters), so SQLAlchemy compiles it once:
    PostgreSQL's generate_series, with the zone's own rules for the day ends; SQLite, a
    recursive CTE stepping a day at a time (a zone with one UTC offset through the range,
    as WIB, WITA and WIT have; else the dates as a VALUES list)."""
    first, last = sa.bindparam("days_from", start, sa.Date), sa.bindparam("days_to", end, sa.Date)
    if _dialect() == "postgresql":
        series = sa.select(sa.cast(sa.func.generate_series(
            sa.cast(first, sa.Date), sa.cast(last, sa.Date), sa.literal_column("interval '1 day'")),
            sa.Date).label("d")).subquery("series")
        zone = sa.bindparam("days_zone", current_app.config["RPS_TIMEZONE"], sa.String)
        return sa.select(series.c.d, sa.func.timezone(
            zone, sa.cast(series.c.d + 1, sa.DateTime)).label("day_end")).cte("days")
    zone = clock.local_zone()
    offsets = {zone.utcoffset(datetime.combine(d, time(0))) for d in date_range(start, end + timedelta(days=1))}
    if len(offsets) > 1:
        rows = [(d, day_end_utc(d)) for d in date_range(start, end)]
        return (sa.values(sa.column("d", sa.Date), sa.column("day_end", UTCDateTime()), name="days")
                .data(rows).cte("days"))
    days = sa.select(first.label("d"), sa.bindparam("days_first_end", day_end_utc(start),
                                                     UTCDateTime()).label("day_end")
                     ).cte("days", recursive=True)
    # The same text as UTCDateTime stores in SQLite ("YYYY-MM-DD HH:MM:SS.ffffff").
    return days.union_all(sa.select(
        sa.func.date(days.c.d, "+1 day"),
        sa.func.strftime("%Y-%m-%d %H:%M:%f000", days.c.day_end, "+1 day"))
        .where(days.c.d < last))


def _overlapping(cols, first, last, open_, long_, start: date, end: date, reach=None):
    """Rows [first, last) that may hold a night in [start, end], in three parts that an index
    bounds at both ends, so that neither the years before the range nor those after it are
    read: open rows (a partial index), rows ending in (start, end + LONG_NIGHTS] (the
    last-date index), and rows ending later yet begun by `end`, which then last more than
    LONG_NIGHTS nights (a partial index of those few). Exact: the parts are disjoint and
    together hold every row with first <= end and (last > start or open). `start`, `end`
    and `reach` (end + LONG_NIGHTS) may be bound parameters."""
    reach = end + timedelta(days=LONG_NIGHTS) if reach is None else reach
    begun = _no_index(first) <= end
    return sa.union_all(
        sa.select(*cols).where(open_, first <= end),
        sa.select(*cols).where(last > start, last <= reach, begun),
        sa.select(*cols).where(last > reach, long_, begun))


def _longer(start: str, end: str):
    """The condition of the long-rows partial index (stays/models.py), word for word."""
    clause = longer_than(LONG_NIGHTS, start, end)[f"{_dialect()}_where"]
    return sa.text(clause.text)


def stays_in_range(start: date, end: date, *client_columns):
    """The stays that may occupy a night in [start, end] (see _overlapping), with the
    client's columns asked for. These are looked up per stay (by primary key): a join
    would let PostgreSQL, which cannot estimate how few long stays there are, hash the
    whole clients table for a range years back."""
    extra = [per_row(c, Stay.client_id).label(c.key) for c in client_columns]
    return _overlapping((Stay.id, Stay.client_id, Stay.entry_date, Stay.exit_date, *extra),
                        Stay.entry_date, Stay.exit_date, Stay.exit_date.is_(None),
                        _longer("entry_date", "exit_date"), start, end).subquery("s")


def per_row(column, key):
    """`column` of the row whose id is `key`, looked up row by row through the primary key.
    A report's rows are bounded by its range; a join could instead hash the whole (growing)
    clients or intakes table whenever PostgreSQL's estimate of those rows is off."""
    return sa.select(column).where(column.table.c.id == key).scalar_subquery()


def _no_index(column):
    """The column in a form no index serves, so that the planner keeps to the exit/end
    index (a range reaching back from `start`) instead of the entry/start index, which
    would reach back through all history. Works the same on SQLite and PostgreSQL."""
    return sa.func.coalesce(column, column)


# ------------------------------------------------------------------ occupancy

def assignments_in_range(start: date, end: date):
    """Bed assignments that may hold a night in [start, end]: the same three indexed parts
    as the stays (see _overlapping)."""
    return _overlapping((BedAssignment.stay_id, BedAssignment.room_id, BedAssignment.start_date,
                         BedAssignment.end_date),
                        BedAssignment.start_date, BedAssignment.end_date,
                        BedAssignment.end_date.is_(None), _longer("start_date", "end_date"),
                        start, end).subquery("a")


def _night_rows(start: date, end: date):
    """One statement over one `days` CTE: ("occupied", date, sex, room kind or None, count)
    of the occupied nights and ("capacity", date, None, room kind, beds) of the client
    beds in service each night of the range."""
    days, s = _days_cte(start, end), stays_in_range(start, end, Client.sex)
    a = assignments_in_range(start, end)
    night_bed = sa.and_(a.c.stay_id == s.c.id, a.c.start_date <= days.c.d,
                        sa.or_(a.c.end_date.is_(None), a.c.end_date > days.c.d))
    occupied = (sa.select(sa.literal("occupied"), days.c.d, s.c.sex, Room.kind, sa.func.count())
                .select_from(days)
                .join(s, sa.and_(s.c.entry_date <= days.c.d,
                                 sa.or_(s.c.exit_date.is_(None), s.c.exit_date > days.c.d)))
                .outerjoin(a, night_bed)
                .outerjoin(Room, Room.id == a.c.room_id)
                .group_by(days.c.d, s.c.sex, Room.kind))
    out = (sa.select(BedOutage.id)
           .where(BedOutage.bed_id == Bed.id, BedOutage.start_at < days.c.day_end,
                  sa.or_(BedOutage.end_at.is_(None), BedOutage.end_at >= days.c.day_end)))
    capacity = (sa.select(sa.literal("capacity"), days.c.d, sa.null(), Room.kind,
                          sa.func.count(Bed.id))
                .select_from(days)
                .join(Bed, sa.and_(Bed.created_at < days.c.day_end,
                                   sa.or_(Bed.retired_at.is_(None),
                                          Bed.retired_at >= days.c.day_end)))
                .join(Room, sa.and_(Room.id == Bed.room_id, Room.kind.in_(CLIENT_KINDS)))
                .where(~out.exists())
                .group_by(days.c.d, Room.kind))
    return db.session.execute(sa.union_all(occupied, capacity)).all()


def occupancy(start: date, end: date) -> Occupancy:
    occupied_by_day: Counter = Counter()
    nights_by_kind: Counter = Counter()
    nights_by_sex: Counter = Counter()
    capacity_by_day: Counter = Counter()
    beds_by_kind: Counter = Counter()
    for part, day, sex, kind, count in _night_rows(start, end):
        day = _as_date(day)
        if part == "capacity":
            capacity_by_day[day] += count
            beds_by_kind[kind] += count
            continue
        occupied_by_day[day] += count
        nights_by_kind[kind if kind in CLIENT_KINDS else "unplaced"] += count
        nights_by_sex[sex] += count
    bed_nights = sum(occupied_by_day.values())
    available = sum(capacity_by_day.values())
    by_kind: dict = {kind: KindOccupancy(nights_by_kind[kind], beds_by_kind[kind],
                                         rate(nights_by_kind[kind], beds_by_kind[kind]))
                     for kind in CLIENT_KINDS}
    by_kind["unplaced"] = {"bed_nights": nights_by_kind["unplaced"]}
    return Occupancy(
        period_from=start, period_to=end, bed_nights=bed_nights,
        available_bed_nights=available, occupancy_rate=rate(bed_nights, available),
        by_room_kind=by_kind, by_sex={sex: {"bed_nights": nights_by_sex[sex]} for sex in SEXES},
        daily=[DayCount(d, occupied_by_day[d], capacity_by_day[d]) for d in date_range(start, end)])


# ------------------------------------------------------------------ nights from movements

def _occupied_on(param):
    """The stays occupying the night of the parameter `day` (`reach`: day + LONG_NIGHTS),
    counted through the bounded parts of stays_in_range."""
    day = param("day", sa.Date())
    s = _overlapping((Stay.id,), Stay.entry_date, Stay.exit_date, Stay.exit_date.is_(None),
                     _longer("entry_date", "exit_date"), day, day,
                     reach=param("reach", sa.Date())).subquery()
    return value(sa.select(sa.func.count()).select_from(s))


def _client_beds(param):
    """The client beds that may be in service at a day's end of the range, in two reads:
    how many are at every one (created before the first, not retired by the last, out of
    service at none: no outage overlaps the range), and the others one by one."""
    first_end, last_end = param("first_end", UTCDateTime()), param("last_end", UTCDateTime())
    client_bed = sa.and_(Room.id == Bed.room_id, Room.kind.in_(CLIENT_KINDS))
    steady = sa.and_(Bed.created_at < first_end,
                     sa.or_(Bed.retired_at.is_(None), Bed.retired_at >= last_end),
                     ~sa.select(BedOutage.id).where(
                         BedOutage.bed_id == Bed.id, BedOutage.start_at < last_end,
                         sa.or_(BedOutage.end_at.is_(None), BedOutage.end_at >= first_end))
                     .exists())
    return (value(sa.select(sa.func.count(Bed.id)).join(Room, client_bed).where(steady)),
            rows(sa.select(Bed.id, Bed.created_at, Bed.retired_at).join(Room, client_bed)
                 .where(Bed.created_at < last_end,
                        sa.or_(Bed.retired_at.is_(None), Bed.retired_at >= first_end),
                        ~steady)))


def _outages(param):
    return rows(sa.select(BedOutage.bed_id, BedOutage.start_at, BedOutage.end_at)
                .where(BedOutage.start_at < param("last_end", UTCDateTime()),
                       sa.or_(BedOutage.end_at.is_(None),
                              BedOutage.end_at >= param("first_end", UTCDateTime()))))


OCCUPIED_ON = Query("metrics_occupied_on", _occupied_on)
MOVEMENTS = Query("metrics_movements", lambda param: rows(
    movements_query(param("start", sa.Date()), param("end", sa.Date()))))
STEADY_BEDS = Query("metrics_steady_beds", lambda param: _client_beds(param)[0])
CHANGING_BEDS = Query("metrics_changing_beds", lambda param: _client_beds(param)[1])
OUTAGES = Query("metrics_outages", _outages)


def ask_nights(reads, start: date, end: date):
    """Asks `reads` (rps_app.reads) for the nights of [start, end] as occupancy().daily
    gives them, from a few rows instead of a night by stay join: the stays occupying the
    night of `start`, each date's admissions and exits (the night of D holds those of the
    night before, plus the stays entering on D, less those leaving on D), and the client
    beds in the range with their outages (counted in service at each local day's end).
    Beds in service all through the range (most) are only counted. The answers: the list
    of DayCount, and movements() of the range."""
    first_end, last_end = day_end_utc(start), day_end_utc(end)
    occupied_first = reads.ask(OCCUPIED_ON, day=start,
                               reach=start + timedelta(days=LONG_NIGHTS))
    moves = reads.ask(MOVEMENTS, start=start, end=end).then(
        lambda found: movements_of(found, start, end))
    steady = reads.ask(STEADY_BEDS, first_end=first_end, last_end=last_end)
    changing = reads.ask(CHANGING_BEDS, first_end=first_end, last_end=last_end)
    outages = reads.ask(OUTAGES, first_end=first_end, last_end=last_end)

    def build() -> list[DayCount]:
        occupied = [int(occupied_first.value or 0)]
        for day in date_range(start + timedelta(days=1), end):
            occupied.append(occupied[-1] + moves.value[day]["admissions"]
                            - moves.value[day]["exits"])
        capacity = [n + steady.value for n in
                    beds_in_service(changing.value, outages.value, start, end)]
        return [DayCount(day, n, c)
                for day, n, c in zip(date_range(start, end), occupied, capacity)]
    return made(build), moves


def beds_in_service(beds, outages, start: date, end: date) -> list[int]:
    """Client beds in service at the end of each local day of [start, end], from the beds'
    (id, created_at, retired_at) and the outages' (bed_id, start_at, end_at): created
    before the day ends, not retired by then, and not out of service then."""
    ends = [day_end_utc(day) for day in date_range(start, end)]
    out: dict[int, list] = {}
    for bed_id, out_from, out_to in outages:
        out.setdefault(bed_id, []).append((out_from, out_to))
    counts = [0] * len(ends)
    for bed_id, created, retired in beds:
        spans = out.get(bed_id, ())
        for n, moment in enumerate(ends):
            if created < moment and (retired is None or retired >= moment) and not any(
                    began < moment and (ended is None or ended >= moment)
                    for began, ended in spans):
                counts[n] += 1
    return counts


# ------------------------------------------------------------------ length of stay

def max_stay_days() -> int:
    return int(current_app.config["RPS_MAX_STAY_DAYS"])


def _bucket(nights: int) -> str:
    return next(name for name, low, high in BUCKETS if nights >= low and (high is None or nights <= high))


def summarise_lengths(histogram: dict[int, int]) -> dict:
    """count, mean, median, max and buckets from {nights: number of stays}."""
    count = sum(histogram.values())
    buckets = {name: 0 for name, _, _ in BUCKETS}
    for nights, n in histogram.items():
        buckets[_bucket(nights)] += n
    if not count:
        return {"count": 0, "mean": None, "median": None, "max": None, "buckets": buckets}
    values = sorted(histogram)
    total = sum(nights * n for nights, n in histogram.items())
    # The median of the expanded list, without expanding it: walk the sorted lengths.
    def nth(k: int) -> int:
        seen = 0
        for nights in values:
            seen += histogram[nights]
            if seen > k:
                return nights
        raise IndexError(k)
    middle = (nth((count - 1) // 2) + nth(count // 2)) / 2
    return {"count": count, "mean": round(total / count, 2), "median": middle,
            "max": values[-1], "buckets": buckets}


def _exits(start: date, end: date) -> list[tuple[str, int, int]]:
    """(exit type, nights, stays) of the exits in [start, end]: one grouped query."""
    nights = days_between(Stay.exit_date, Stay.entry_date).label("nights")
    stmt = (sa.select(Stay.exit_type, nights, sa.func.count())
            .where(Stay.exit_date >= start, Stay.exit_date <= end)
            .group_by(Stay.exit_type, nights))
    return [(kind, int(n), int(c)) for kind, n, c in db.session.execute(stmt)]


def _histogram(exits) -> dict[int, int]:
    histogram: Counter = Counter()
    for _, nights, count in exits:
        histogram[nights] += count
    return dict(histogram)


def _by_type(exits) -> dict[str, int]:
    by_type: Counter = Counter()
    for kind, _, count in exits:
        by_type[kind] += count
    return dict(sorted(by_type.items()))


def _open_at_end(end: date) -> list[OverLimit]:
    """Every stay open at the end of `end`, with its nights so far, longest first.

    The open stays of a date are few (about the beds), so they are read through the
    indexed union and filtered here: a filter on entry_date in SQL would tempt the planner
    into the entry_date index, which reaches back through all history."""
    s = stays_in_range(end, end, Client.name)  # open at the end of `end`
    stmt = sa.select(s.c.id, s.c.client_id, s.c.name, s.c.entry_date)
    after = end + timedelta(days=1)
    rows = [OverLimit(stay_id, client_id, name, (after - entry).days, entry)
            for stay_id, client_id, name, entry in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.entry_date, r.stay_id))


def over_limit(end: date, limit: int | None = None) -> list[OverLimit]:
    """Stays open at the end of `end` whose nights so far exceed the limit, longest first."""
    limit = max_stay_days() if limit is None else limit
    return [r for r in _open_at_end(end) if r.nights > limit]


def returns(start: date, end: date) -> int:
    """Clients entering in [start, end] within 180 days after an earlier exit of theirs."""
    earlier = aliased(Stay)
    gap = days_between(Stay.entry_date, earlier.exit_date)
    came_back = (sa.select(earlier.id)
                 .where(earlier.client_id == Stay.client_id, earlier.id != Stay.id,
                        earlier.exit_date >= start - timedelta(days=RETURN_WINDOW_DAYS),
                        earlier.exit_date <= end,
                        earlier.entered_at < Stay.entered_at,
                        gap >= 0, gap <= RETURN_WINDOW_DAYS))
    stmt = (sa.select(sa.func.count(sa.distinct(Stay.client_id)))
            .where(Stay.entry_date >= start, Stay.entry_date <= end, came_back.exists()))
    return int(db.session.scalar(stmt))


def length_of_stay(start: date, end: date) -> LengthOfStay:
    limit = max_stay_days()
    exits, active, came_back = _exits(start, end), _open_at_end(end), returns(start, end)
    return LengthOfStay(
        period_from=start, period_to=end, max_stay_days=limit,
        exited=summarise_lengths(_histogram(exits)),
        active={"count": len(active), "over_limit": [r for r in active if r.nights > limit]},
        exits_by_type=_by_type(exits), returns=came_back)


# ------------------------------------------------------------------ admissions, services

def admissions(start: date, end: date) -> Admissions:
    rows = (sa.select(per_row(Intake.agency, Stay.intake_id).label("agency"),
                      per_row(Client.pmks_category, Stay.client_id).label("pmks"),
                      per_row(Client.sex, Stay.client_id).label("sex"))
            .where(Stay.entry_date >= start, Stay.entry_date <= end).subquery())
    stmt = (sa.select(rows.c.agency, rows.c.pmks, rows.c.sex, sa.func.count())
            .group_by(rows.c.agency, rows.c.pmks, rows.c.sex))
    agency, pmks, sex = Counter(), Counter(), Counter()
    for ag, category, s, n in db.session.execute(stmt):
        agency[ag] += n
        pmks[int(category)] += n
        sex[s] += n
    return Admissions(total=sum(agency.values()), by_agency=dict(sorted(agency.items())),
                      by_pmks=dict(sorted(pmks.items())),
                      by_sex={s: sex[s] for s in SEXES},
                      by_age_group=admissions_by_age_group(start, end))


AGE_GROUPS = ("anak", "dewasa", "lansia")  # under 18, 18-59, 60 and over (on entry)
ADULT_AGE, ELDERLY_AGE = 18, 60


def _year(column):
    if _dialect() == "sqlite":
        return sa.cast(sa.func.strftime("%Y", column), sa.Integer)
    return sa.cast(sa.extract("year", column), sa.Integer)


def _month_day(column):
    """MMDD as text: compared as text, it orders days within a year."""
    if _dialect() == "sqlite":
        return sa.func.strftime("%m%d", column)
    return sa.func.to_char(column, "MMDD")


def _years_between(later, earlier):
    """Whole years from `earlier` to `later` (birthdays counted on their day)."""
    return _year(later) - _year(earlier) - sa.case(
        (_month_day(later) < _month_day(earlier), 1), else_=0)


def age_on_entry(entry, birth_date, estimated_age, estimated_on):
    """A client's age on the stay's entry date in SQL, as Client.age_on computes it: from the
    birth date, else the estimate plus the whole years since it was made (never less)."""
    base = sa.func.coalesce(estimated_on, entry)
    since = _years_between(entry, base)
    estimated = estimated_age + sa.case((since < 0, 0), else_=since)
    return sa.case((birth_date.is_not(None), _years_between(entry, birth_date)),
                   else_=estimated)


def admissions_by_age_group(start: date, end: date) -> dict[str, int]:
    """Admissions (stays entered in [start, end]) by the client's age group on entry:
    children (under 18), adults, elderly (60 and over); counted in SQL."""
    rows = (sa.select(Stay.entry_date.label("entry"),
                      per_row(Client.birth_date, Stay.client_id).label("birth"),
                      per_row(Client.estimated_age, Stay.client_id).label("estimate"),
                      per_row(Client.age_estimated_on, Stay.client_id).label("estimated_on"))
            .where(Stay.entry_date >= start, Stay.entry_date <= end).subquery())
    age = age_on_entry(rows.c.entry, rows.c.birth, rows.c.estimate, rows.c.estimated_on)
    group = sa.case((age < ADULT_AGE, "anak"), (age >= ELDERLY_AGE, "lansia"),
                    else_="dewasa").label("age_group")
    counts = dict(db.session.execute(sa.select(group, sa.func.count()).group_by(group)).all())
    return {name: counts.get(name, 0) for name in AGE_GROUPS}


def service_counts(start: date, end: date) -> ServiceCounts:
    stmt = (sa.select(ServiceRecord.component, sa.func.count(),
                      sa.func.count(sa.distinct(ServiceRecord.stay_id)))
            .where(ServiceRecord.given_on >= start, ServiceRecord.given_on <= end)
            .group_by(ServiceRecord.component).order_by(ServiceRecord.component))
    return ServiceCounts({int(c): {"records": int(n), "stays": int(s)}
                          for c, n, s in db.session.execute(stmt)})


# ------------------------------------------------------------------ today

def occupied_by_room(day: date) -> dict[int, int]:
    """room id -> stays whose bed was in it on the night of `day` (bounded by one night)."""
    s = stays_in_range(day, day)
    stmt = (sa.select(BedAssignment.room_id, sa.func.count())
            .join(s, s.c.id == BedAssignment.stay_id)
            .where(s.c.entry_date <= day, sa.or_(s.c.exit_date.is_(None), s.c.exit_date > day),
                   BedAssignment.start_date <= day,
                   sa.or_(BedAssignment.end_date.is_(None), BedAssignment.end_date > day))
            .group_by(BedAssignment.room_id))
    return {room_id: int(n) for room_id, n in db.session.execute(stmt)}


@dataclass
class CensusGroup:
    key: str      # "L" (Putra), "P" (Putri), "isolation"
    occupied: int
    capacity: int


def census_now() -> tuple[list[CensusGroup], int]:
    """Beds taken now and beds usable now, for Shelter Putra, Shelter Putri and Isolasi,
    plus the open stays not (yet) in a bed."""
    return census_of(db.session.execute(census_query()))


def census_query():
    """census_now() in one statement: ("capacity" | "occupied", room kind, room sex, count)
    and ("unplaced", None, None, count)."""
    beds_usable = (sa.select(sa.literal("capacity"), Room.kind, Room.sex, sa.func.count(Bed.id))
                   .join(Bed, Bed.room_id == Room.id)
                   .where(Room.kind.in_(CLIENT_KINDS), Bed.retired_at.is_(None),
                          ~sa.select(BedOutage.id).where(BedOutage.bed_id == Bed.id,
                                                         BedOutage.end_at.is_(None)).exists())
                   .group_by(Room.kind, Room.sex))
    taken = (sa.select(sa.literal("occupied"), Room.kind, Room.sex, sa.func.count(BedAssignment.id))
             .join(BedAssignment, BedAssignment.room_id == Room.id)
             .join(Stay, Stay.id == BedAssignment.stay_id)
             .where(BedAssignment.end_at.is_(None), Stay.exit_date.is_(None))
             .group_by(Room.kind, Room.sex))
    waiting = sa.select(sa.literal("unplaced"), sa.null(), sa.null(), sa.func.count(Stay.id)).where(
        Stay.exit_date.is_(None),
        ~sa.select(BedAssignment.id).where(BedAssignment.stay_id == Stay.id,
                                           BedAssignment.end_at.is_(None)).exists())
    return sa.union_all(beds_usable, taken, waiting)


def census_of(rows) -> tuple[list[CensusGroup], int]:
    """census_now() from the rows of census_query()."""
    def key(kind, sex):
        return sex if kind == "shelter" else "isolation"
    counts = {"capacity": Counter(), "occupied": Counter(), "unplaced": Counter()}
    for part, kind, sex, n in rows:
        counts[part][key(kind, sex) if part != "unplaced" else part] += int(n or 0)
    capacity, occupied, unplaced = counts["capacity"], counts["occupied"], counts["unplaced"]["unplaced"]
    groups = [CensusGroup(k, occupied[k], capacity[k]) for k in ("L", "P", "isolation")]
    return groups, int(unplaced or 0)


def movements(start: date, end: date) -> dict[date, dict[str, int]]:
    """Admissions and exits per date in [start, end] (two grouped queries in one)."""
    return movements_of(db.session.execute(movements_query(start, end)), start, end)


def movements_query(start: date, end: date):
    """("admissions" | "exits", date, count) per date in [start, end]."""
    entries = (sa.select(sa.literal("admissions"), Stay.entry_date, sa.func.count())
               .where(Stay.entry_date >= start, Stay.entry_date <= end).group_by(Stay.entry_date))
    exits = (sa.select(sa.literal("exits"), Stay.exit_date, sa.func.count())
             .where(Stay.exit_date >= start, Stay.exit_date <= end).group_by(Stay.exit_date))
    return sa.union_all(entries, exits)


def movements_of(rows, start: date, end: date) -> dict[date, dict[str, int]]:
    """movements() from the rows of movements_query()."""
    result = {d: {"admissions": 0, "exits": 0} for d in date_range(start, end)}
    for part, day, n in rows:
        result[_as_date(day)][part] = int(n)
    return result


def _as_date(value) -> date:
    """A date column read through a UNION (SQLite then gives its text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


# ------------------------------------------------------------------ a moment (daily census)

def _open_at(moment: datetime):
    """Stays in the RPS at `moment`: the date filter finds them through the indexes, the
    times then decide (an entry or exit on that very day)."""
    day = clock.to_local(moment).date()
    s = stays_in_range(day - timedelta(days=1), day)
    return (sa.select(Stay)
            .join(s, s.c.id == Stay.id)
            .where(Stay.entered_at <= moment,
                   sa.or_(Stay.exited_at.is_(None), Stay.exited_at > moment)))


def residents_at(moment: datetime) -> list[dict]:
    """Everyone in the RPS at `moment`, with the bed and room they were in then."""
    sub = _open_at(moment).subquery()
    a = aliased(BedAssignment)
    stmt = (sa.select(sub.c.id, sub.c.entry_date, sub.c.max_stay_days, Client.id, Client.name,
                      Client.registration_number, Client.sex, Room.code, Room.name, Room.kind,
                      Bed.label)
            .join(Client, Client.id == sub.c.client_id)
            .outerjoin(a, sa.and_(a.stay_id == sub.c.id, a.start_at <= moment,
                                  sa.or_(a.end_at.is_(None), a.end_at > moment)))
            .outerjoin(Bed, Bed.id == a.bed_id)
            .outerjoin(Room, Room.id == a.room_id)
            .order_by(Room.sort_order, Room.code, Bed.sort_order, sub.c.entry_date, sub.c.id))
    day = clock.to_local(moment).date()
    return [{"stay_id": sid, "entry_date": entry, "nights": (day - entry).days,
             "limit": limit, "client_id": cid, "name": name, "registration_number": reg,
             "sex": sex, "room_code": code, "room_name": room, "room_kind": kind, "bed": label}
            for sid, entry, limit, cid, name, reg, sex, code, room, kind, label
            in db.session.execute(stmt)]


def capacity_at(moment: datetime) -> dict[str, int]:
    """Client beds in service at `moment`, keyed L (Putra), P (Putri), isolation."""
    out = sa.select(BedOutage.id).where(BedOutage.bed_id == Bed.id, BedOutage.start_at <= moment,
                                        sa.or_(BedOutage.end_at.is_(None), BedOutage.end_at > moment))
    stmt = (sa.select(Room.kind, Room.sex, sa.func.count(Bed.id))
            .join(Bed, Bed.room_id == Room.id)
            .where(Room.kind.in_(CLIENT_KINDS), Bed.created_at <= moment,
                   sa.or_(Bed.retired_at.is_(None), Bed.retired_at > moment), ~out.exists())
            .group_by(Room.kind, Room.sex))
    result = Counter()
    for kind, sex, n in db.session.execute(stmt):
        result[sex if kind == "shelter" else "isolation"] += int(n)
    return {key: result[key] for key in ("L", "P", "isolation")}


def admitted_between(start: datetime, end: datetime) -> list[dict]:
    """Stays received in (start, end], with their intake (bounded by the dates)."""
    first, last = clock.to_local(start).date(), clock.to_local(end).date()
    stmt = (sa.select(Stay.id, Stay.entered_at, Client.name, Client.registration_number,
                      Client.sex, Client.pmks_category, Intake.agency, Intake.operation_place)
            .join(Client, Client.id == Stay.client_id).join(Intake, Intake.id == Stay.intake_id)
            .where(Stay.entry_date >= first, Stay.entry_date <= last,
                   Stay.entered_at > start, Stay.entered_at <= end)
            .order_by(Stay.entered_at, Stay.id))
    keys = ("stay_id", "entered_at", "name", "registration_number", "sex", "pmks_category",
            "agency", "operation_place")
    return [dict(zip(keys, row)) for row in db.session.execute(stmt)]


def exited_between(start: datetime, end: datetime) -> list[dict]:
    """Stays that ended in (start, end], with their length of stay."""
    first, last = clock.to_local(start).date(), clock.to_local(end).date()
    stmt = (sa.select(Stay.id, Stay.exited_at, Stay.exit_type, Stay.entry_date, Stay.exit_date,
                      Client.name, Client.registration_number, Client.sex)
            .join(Client, Client.id == Stay.client_id)
            .where(Stay.exit_date >= first, Stay.exit_date <= last,
                   Stay.exited_at > start, Stay.exited_at <= end)
            .order_by(Stay.exited_at, Stay.id))
    return [{"stay_id": sid, "exited_at": at, "exit_type": kind,
             "nights": (exit_date - entry).days, "name": name, "registration_number": reg,
             "sex": sex}
            for sid, at, kind, entry, exit_date, name, reg, sex in db.session.execute(stmt)]


def long_exits(start: date, end: date, limit: int) -> list[dict]:
    """Stays that ended in [start, end] after more nights than the limit."""
    nights = days_between(Stay.exit_date, Stay.entry_date)
    stmt = (sa.select(Stay.id, per_row(Client.name, Stay.client_id),
                      per_row(Client.registration_number, Stay.client_id), Stay.entry_date,
                      Stay.exit_date, nights, Stay.exit_type)
            .where(Stay.exit_date >= start, Stay.exit_date <= end, nights > limit)
            .order_by(nights.desc(), Stay.id))
    keys = ("stay_id", "name", "registration_number", "entry_date", "exit_date", "nights",
            "exit_type")
    return [dict(zip(keys, row)) for row in db.session.execute(stmt)]
