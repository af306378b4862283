"""The calendar grid of bookings: columns (a room on a day), rows of half an hour.

Built on the server as a plain table (the pages allow no inline styles, and a printed
table is what staff pin on a door): each booking becomes one cell spanning its rows;
bookings that round into the same half hour share a cell.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .. import clock

SLOT = timedelta(minutes=30)
FIRST_HOUR, LAST_HOUR = 7, 21  # the day shown unless a booking reaches beyond it


@dataclass
class Column:
    room: object
    day: date
    start: datetime = None  # local midnight of `day`
    cells: list = field(default_factory=list)  # per row: ("free"|"booked"|"covered", ...)


@dataclass
class Cell:
    kind: str                      # "free", "booked" or "covered" (inside a booked cell)
    span: int = 1
    bookings: list = field(default_factory=list)
    at: datetime | None = None     # the slot's local start (free cells: "book here")
    href: str | None = None        # free cells: the booking form from `at` (the page sets it)


@dataclass
class Grid:
    columns: list[Column]
    rows: list[datetime]           # local start of each row, on the first column's day
    labels: list[str]

    def row(self, index: int) -> list[Cell]:
        return [column.cells[index] for column in self.columns]


def _slot_range(booking, day_start: datetime, first_slot: int, slots: int) -> tuple[int, int] | None:
    start = max(clock.to_local(booking.starts_at), day_start + first_slot * SLOT)
    end = min(clock.to_local(booking.ends_at), day_start + (first_slot + slots) * SLOT)
    if end <= start:
        return None
    begin = int((start - day_start) / SLOT) - first_slot
    finish = -(-int((end - day_start).total_seconds()) // int(SLOT.total_seconds())) - first_slot
    return begin, max(finish, begin + 1)


def _hours(columns: list[tuple], bookings: list) -> tuple[int, int]:
    """First and last hour to show: the usual day, widened to every booking shown."""
    first, last = FIRST_HOUR, LAST_HOUR
    for room, day in columns:
        start, end = _day_start(day), _day_start(day) + timedelta(days=1)
        for booking in bookings:
            if booking.room_id != room.id:
                continue
            b_start = max(clock.to_local(booking.starts_at), start)
            b_end = min(clock.to_local(booking.ends_at), end)
            if b_end <= b_start:
                continue
            first = min(first, int((b_start - start) / timedelta(hours=1)))
            last = max(last, -(-int((b_end - start).total_seconds()) // 3600))
    return first, min(last, 24)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), clock.local_zone())


def build(columns: list[tuple], bookings: list) -> Grid:
    """`columns`: (room, day) pairs; `bookings`: the (not cancelled) bookings to place."""
    first_hour, last_hour = _hours(columns, bookings)
    first_slot, slots = first_hour * 2, (last_hour - first_hour) * 2
    built = []
    for room, day in columns:
        start = _day_start(day)
        column = Column(room, day, start)
        groups: list[list] = []  # [begin, end, bookings]
        ranges = sorted(((r, b) for b in bookings if b.room_id == room.id
                         for r in [_slot_range(b, start, first_slot, slots)] if r),
                        key=lambda item: item[0])
        for (begin, end), booking in ranges:
            if groups and begin < groups[-1][1]:
                groups[-1][1] = max(groups[-1][1], end)
                groups[-1][2].append(booking)
            else:
                groups.append([begin, end, [booking]])
        cells = [Cell("free", at=start + (first_slot + i) * SLOT) for i in range(slots)]
        for begin, end, members in groups:
            cells[begin] = Cell("booked", span=end - begin, bookings=members)
            for i in range(begin + 1, end):
                cells[i] = Cell("covered")
        column.cells = cells
        built.append(column)
    base = _day_start(columns[0][1]) if columns else None
    rows = [base + (first_slot + i) * SLOT for i in range(slots)] if base else []
    return Grid(built, rows, [f"{row:%H:%M}" for row in rows])


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
