"""Rows for reporting tests, written directly (the metrics read tables, not services).

`build_scenario()` is the hand-computed month of tests/test_metrics.py: every figure the
tests expect is derived in the comments there.
"""
from datetime import date, datetime, timedelta, timezone
from itertools import count

from sqlalchemy import select, update

from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.facility.models import Bed, BedOutage, Room
from rps_app.stays.models import BedAssignment, Intake, Stay

from .factories import make_client

WIB = timezone(timedelta(hours=7))
_numbers = count(1)


def wib(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def beds_since(moment: datetime) -> None:
    """The seeded beds were created when the test template was made; backdate them."""
    db.session.execute(update(Bed).values(created_at=moment))


def bed(room_code: str, label: str | None = None) -> Bed:
    room = db.session.scalar(select(Room).where(Room.code == room_code))
    beds = [b for b in room.beds if label is None or b.label == label]
    return beds[0]


def resident(sex: str = "L", name: str | None = None, pmks: int = 11) -> Client:
    """A client of the scenario (factories.make_client): identity unknown, about 40."""
    n = next(_numbers)
    moment = datetime(2025, 1, 1, tzinfo=timezone.utc)
    return make_client(name or f"Klien {n}", nik=None, sex=sex, registration_number=f"T-{n:06d}",
                       birth_date=None, estimated_age=40, pmks_category=pmks,
                       birth_place=None, origin_regency=None, origin_address=None,
                       created_at=moment, updated_at=moment)


def make_stay(client: Client, entered: datetime, exited: datetime | None = None,
              exit_type: str | None = None, agency: str = "satpol_pp") -> Stay:
    intake = Intake(agency=agency, officer_name="Petugas Satpol PP", officer_id_number="123",
                    bast_number=f"BAST/{next(_numbers)}", operation_place="Alun-alun Slawi",
                    operation_at=entered, received_at=entered, created_at=entered)
    db.session.add(intake)
    db.session.flush()
    stay = Stay(client_id=client.id, intake_id=intake.id, entered_at=entered,
                entry_date=entered.astimezone(WIB).date(), needs_isolation=False, screening={})
    if exited is not None:
        stay.exited_at, stay.exit_date = exited, exited.astimezone(WIB).date()
        stay.exit_type = exit_type or "family"
    db.session.add(stay)
    db.session.flush()
    return stay


def place(stay: Stay, client: Client, the_bed: Bed, start: datetime,
          end: datetime | None = None) -> BedAssignment:
    room = db.session.get(Room, the_bed.room_id)
    assignment = BedAssignment(
        stay_id=stay.id, bed_id=the_bed.id, room_id=room.id, room_sex=room.sex,
        client_sex=client.sex, start_at=start, start_date=start.astimezone(WIB).date(),
        end_at=end, end_date=end.astimezone(WIB).date() if end else None)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def build_scenario() -> dict:
    """March 2026 (1-10) at the RPS; see test_metrics.py for the expected figures."""
    beds_since(wib(2025, 1, 1))
    # Facility changes: ISO-10 retired on 4 March (nights 1-3 only), a PA-1 bed out of
    # service from 5 March 10:00 to 7 March 09:00 (nights 5 and 6), a new bed from 9 March.
    bed("ISO-10").retired_at = wib(2026, 3, 4, 12)
    db.session.add(BedOutage(bed_id=bed("PA-1", "10").id, start_at=wib(2026, 3, 5, 10),
                             end_at=wib(2026, 3, 7, 9), reason="perbaikan"))
    pa1 = db.session.scalar(select(Room).where(Room.code == "PA-1"))
    db.session.add(Bed(room_id=pa1.id, label="11", sort_order=11, created_at=wib(2026, 3, 9, 8)))
    stays = {}
    # A: same-day exit.
    a = resident("L")
    stays["A"] = make_stay(a, wib(2026, 3, 2, 9), wib(2026, 3, 2, 15), "family")
    # B: crosses the range start, shelter Putri.
    b = resident("P")
    stays["B"] = make_stay(b, wib(2026, 2, 25, 20), wib(2026, 3, 4, 10), "panti")
    place(stays["B"], b, bed("PI-1", "01"), wib(2026, 2, 25, 20), wib(2026, 3, 4, 10))
    # C: open, first night unplaced.
    c = resident("L")
    stays["C"] = make_stay(c, wib(2026, 3, 8, 22))
    place(stays["C"], c, bed("PA-1", "01"), wib(2026, 3, 9, 10))
    # D: readmitted 44 days after an earlier exit; isolation, then moved to a shelter.
    d = resident("L")
    stays["D1"] = make_stay(d, wib(2026, 1, 10, 10), wib(2026, 1, 20, 10), "family")
    stays["D"] = make_stay(d, wib(2026, 3, 5, 10), wib(2026, 3, 9, 8), "absconded")
    place(stays["D"], d, bed("ISO-01"), wib(2026, 3, 5, 10), wib(2026, 3, 7, 14))
    place(stays["D"], d, bed("PA-2", "01"), wib(2026, 3, 7, 14), wib(2026, 3, 9, 8))
    # E: arrives at 01:00 WIB on 6 March, which is still 5 March in UTC.
    e = resident("P")
    stays["E"] = make_stay(e, wib(2026, 3, 6, 1), wib(2026, 3, 8, 7), "family")
    place(stays["E"], e, bed("PI-1", "02"), wib(2026, 3, 6, 1), wib(2026, 3, 8, 7))
    # F: open since 20 February, past the 7-night limit.
    f = resident("P", name="Siti <b>Aminah</b>")
    stays["F"] = make_stay(f, wib(2026, 2, 20, 10))
    place(stays["F"], f, bed("PI-2", "01"), wib(2026, 2, 20, 10))
    db.session.commit()
    return {key: stay.id for key, stay in stays.items()}


def days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]
