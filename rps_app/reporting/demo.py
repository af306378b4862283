"""`rps demo-data`: a realistic synthetic history, inserted in bulk (executemany).

About eight admissions a day, as a district RPS sees ("a few thousand a year"), so that N
stays span N/2900 years ending today: a benchmark at 10k and 100k stays then compares the
same month against a short and a long history. Raids by Satpol PP and the police at places
in Kabupaten Tegal bring groups; clients are adults (no room mixes minors and adults),
placed by sex in the shelters or, when screened so, in an isolation room; a bed holds one
stay at a time (a simulation of the beds in time order); a fifth of the stays are returns
of earlier clients. Stays last 0-20 nights, mostly up to 7; those that would end after now
are still open. Rows bypass the services (no audit per row) and get ids up front.
"""
import heapq
import random
import time as timer
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from .. import clock
from ..audit import services as audit
from ..audit.services import Actor
from ..clients.models import Client
from ..errors import Conflict
from ..extensions import db
from ..facility.models import Bed, Room
from ..referrals.models import Institution
from ..sequences import Counter
from ..stays.models import BedAssignment, Intake, ServiceRecord, Stay, StayExit

ADMISSIONS_PER_DAY = 8
BATCH = 5000
MALE = ("Slamet", "Budi", "Agus", "Joko", "Bambang", "Sugeng", "Wahyu", "Teguh", "Eko", "Rudi",
        "Heru", "Sutrisno", "Darto", "Karyo", "Warsito", "Tarmuji", "Kasmin", "Sodikin", "Rohmat",
        "Imam", "Supri", "Tarno", "Casmadi", "Warso", "Ahmad", "Yusuf", "Dedi", "Sukirno")
FEMALE = ("Sri", "Siti", "Wati", "Sumiyati", "Suminah", "Tarsih", "Rasminah", "Kartini", "Dewi",
          "Rina", "Yuli", "Endang", "Sumarni", "Darsih", "Warsini", "Casriah", "Sunarti", "Ratna",
          "Nur", "Aminah", "Khotimah", "Rokhayah", "Tarwiyah", "Lestari")
FAMILY = ("Saputra", "Wibowo", "Santoso", "Hidayat", "Nugroho", "Pratama", "Setiawan",
          "Kurniawan", "Rahayu", "Lestari", "Susanto", "Prasetyo", "Hartono", "Wijaya", "")
PLACES = ("Alun-alun Slawi", "Pasar Trayeman, Slawi", "Terminal Tegal", "Pasar Banjaran, Adiwerna",
          "Simpang lampu merah Adiwerna", "Pasar Pagi Tegal", "Pasar Kemantran, Kramat",
          "Obyek wisata Guci, Bumijawa", "Pasar Balapulang", "Perempatan Dukuhturi",
          "Pasar Talang", "Stasiun Slawi", "Pasar Lebaksiu", "Jalan Raya Pantura, Suradadi",
          "Pasar Pangkah", "Masjid Agung Slawi")
REGENCIES = ("Kabupaten Tegal", "Kota Tegal", "Brebes", "Pemalang", "Banyumas", "Cirebon",
             None)
AGENCIES = (("satpol_pp", 60), ("polres", 8), ("polsek", 10), ("dinsos", 7), ("hospital", 5),
            ("public", 6), ("self", 4))
PMKS = ((11, 35), (12, 30), (13, 8), (8, 10), (9, 5), (10, 4), (17, 2), (24, 6))
EXITS = (("family", 35), ("home_region", 25), ("panti", 12), ("balai", 8), ("hospital", 8),
         ("absconded", 8), ("deceased", 1), ("other", 3))
OFFICERS = ("Bripka Sutrisno", "Aiptu Wahyudi", "Sdr. Haryanto (Satpol PP)", "Sdr. Kuswanto",
            "Brigpol Dian", "Sdri. Nurhayati")


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _nights(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.06:
        return 0
    if roll < 0.85:
        return rng.randint(1, 7)
    return rng.randint(8, 20)


class _Ids:
    """Ids given up front (the next after each table's largest), so rows can refer to
    each other without a round trip per row."""

    def __init__(self):
        self.next = {}

    def take(self, model) -> int:
        if model not in self.next:
            self.next[model] = (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value


class _Beds:
    """Per pool (L, P, isolation) a heap of (free from, bed id, room id, room sex)."""

    def __init__(self, since: datetime):
        self.pools = {"L": [], "P": [], "isolation": []}
        rows = db.session.execute(sa.select(Bed.id, Room.id, Room.kind, Room.sex)
                                  .join(Room, Room.id == Bed.room_id)
                                  .where(Room.kind.in_(("shelter", "isolation")),
                                         Bed.retired_at.is_(None)))
        for bed_id, room_id, kind, sex in rows:
            pool = sex if kind == "shelter" else "isolation"
            self.pools[pool].append((since, bed_id, room_id, sex))
        for heap in self.pools.values():
            heapq.heapify(heap)

    def take(self, pool: str, at: datetime, until: datetime | None):
        heap = self.pools[pool]
        if not heap or heap[0][0] > at:
            return None  # every bed of the pool is taken: the client waits unplaced
        _, bed_id, room_id, sex = heapq.heappop(heap)
        heapq.heappush(heap, (until or datetime.max.replace(tzinfo=at.tzinfo), bed_id, room_id, sex))
        return bed_id, room_id, sex


def _nik(rng: random.Random, sex: str, birth: date, used: set) -> str:
    while True:
        day = birth.day + (40 if sex == "P" else 0)
        nik = (f"3328{rng.randint(1, 18):02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
               f"{rng.randint(1, 9999):04d}")
        if nik not in used:
            used.add(nik)
            return nik


def _flush(rows: dict) -> None:
    for model in (Intake, Client, Stay, BedAssignment, StayExit, ServiceRecord):
        if rows[model]:
            db.session.execute(sa.insert(model), rows[model])
            rows[model].clear()


def generate(stays: int, seed: int = 1) -> dict:
    """Insert `stays` stays of synthetic history ending now. Refuses a database that
    already holds stays (demo history belongs in a fresh installation)."""
    if db.session.scalar(sa.select(sa.func.count(Stay.id))):
        raise Conflict("Basis data sudah berisi data klien; data demo hanya untuk instalasi baru.")
    started = timer.monotonic()
    rng = random.Random(seed)
    zone = clock.local_zone()
    now = clock.now()
    days = max(1, round(stays / ADMISSIONS_PER_DAY))
    first_day = clock.to_local(now).date() - timedelta(days=days)
    history_start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=zone)
    # The building stood through the whole demo history.
    db.session.execute(sa.update(Bed).values(created_at=history_start))
    beds = _Beds(history_start)
    ids = _Ids()
    institutions = {kind: list(db.session.scalars(sa.select(Institution.id)
                                                  .where(Institution.kind == kind)))
                    for kind in ("panti", "balai", "hospital")}
    rows = {model: [] for model in (Intake, Client, Stay, BedAssignment, StayExit, ServiceRecord)}
    registration = {}   # year -> last number
    used_niks: set = set()
    returning: list[tuple[datetime, int, str]] = []  # (exited at, client id, sex), recent
    counts = {"clients": 0, "intakes": 0, "assignments": 0, "services": 0}
    made = 0
    moment = datetime.combine(first_day, time(8), tzinfo=zone)
    step = timedelta(days=1) / ADMISSIONS_PER_DAY
    while made < stays:
        group = min(stays - made, _pick(rng, ((1, 30), (2, 20), (3, 15), (4, 12), (6, 10),
                                              (8, 8), (12, 5))))
        moment += step * group * rng.uniform(0.5, 1.5)
        received = moment.replace(second=0, microsecond=0)
        if received > now:
            received = now - timedelta(minutes=rng.randint(1, 60))
        agency = _pick(rng, AGENCIES)
        intake_id = ids.take(Intake)
        local_day = clock.to_local(received).date()
        rows[Intake].append({
            "id": intake_id, "agency": agency, "officer_name": rng.choice(OFFICERS),
            "officer_id_number": f"{rng.randint(10**7, 10**8 - 1)}",
            "bast_number": f"{rng.randint(1, 999):03d}/BAST/{local_day.year}",
            "operation_place": rng.choice(PLACES),
            "operation_at": received - timedelta(minutes=rng.randint(30, 180)),
            "received_at": received, "received_by_id": None, "notes": None, "created_at": received})
        counts["intakes"] += 1
        returning.sort()
        for _ in range(group):
            client_id, sex = _client(rng, rows, ids, received, local_day, returning, registration,
                                     used_niks, counts)
            exited_at, exit_type = _stay(rng, rows, ids, beds, institutions, client_id, sex,
                                         intake_id, received, now, counts)
            if exited_at is not None:
                returning.append((exited_at, client_id, sex))
            made += 1
        if len(returning) > 400:
            del returning[:len(returning) - 400]
        if len(rows[Stay]) >= BATCH:
            _flush(rows)
    _flush(rows)
    _finish_counters(registration)
    _fix_sequences()
    audit.record(Actor.system("rps demo-data"), "demo_data", "stay", None,
                 {"stays": stays, "seed": seed})
    db.session.commit()
    _analyze()
    return {**counts, "stays": stays, "first": first_day, "last": clock.to_local(now).date(),
            "seconds": timer.monotonic() - started}


def _client(rng, rows, ids, received, local_day, returning, registration, used_niks, counts):
    """A returning client (a fifth of the time, when one left before) or a new one."""
    if returning and rng.random() < 0.2:
        # Only those who left before this moment, each returning once from the list.
        eligible = [i for i, (left, _, _) in enumerate(returning) if left < received]
        if eligible:
            _, client_id, sex = returning.pop(rng.choice(eligible))
            return client_id, sex
    sex = "L" if rng.random() < 0.7 else "P"
    client_id = ids.take(Client)
    year = local_day.year
    registration[year] = registration.get(year, 0) + 1
    known = rng.random() < 0.55
    age = rng.randint(18, 82)
    birth = date(local_day.year - age, rng.randint(1, 12), rng.randint(1, 28))
    first = rng.choice(MALE if sex == "L" else FEMALE)
    # An unknown identity: the name is what staff call the person; pages add an "alias" badge.
    name = f"{first} {rng.choice(FAMILY)}".strip() if known else first
    rows[Client].append({
        "id": client_id, "registration_number": f"RPS-{year}-{registration[year]:05d}",
        "name": name, "identity_known": known,
        "nik": _nik(rng, sex, birth, used_niks) if known and rng.random() < 0.6 else None,
        "sex": sex, "birth_date": birth if known else None,
        "estimated_age": None if known else age, "age_estimated_on": None if known else local_day,
        "birth_place": None, "origin_regency": rng.choice(REGENCIES), "origin_address": None,
        "pmks_category": _pick(rng, PMKS), "description": None, "guardian": None,
        "photo_path": None, "created_at": received, "updated_at": received})
    counts["clients"] += 1
    return client_id, sex


def _stay(rng, rows, ids, beds, institutions, client_id, sex, intake_id, received, now, counts):
    zone = clock.local_zone()
    entry = clock.to_local(received).date()
    nights = _nights(rng)
    exited_at = datetime.combine(entry + timedelta(days=nights),
                                 time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=zone)
    exited_at = max(exited_at, received + timedelta(hours=2))
    if exited_at > now:
        exited_at = None
    exit_type = _pick(rng, EXITS) if exited_at else None
    isolation = rng.random() < 0.08
    stay_id = ids.take(Stay)
    rows[Stay].append({
        "id": stay_id, "client_id": client_id, "intake_id": intake_id, "entered_at": received,
        "entry_date": entry, "needs_isolation": isolation,
        "screening": {"psychotic": isolation, "sick_injured": False, "intoxicated": False,
                      "aggressive": False, "contagious": False},
        "exited_at": exited_at, "exit_date": clock.to_local(exited_at).date() if exited_at else None,
        "exit_type": exit_type, "max_stay_days": None})
    placed_at = received + timedelta(minutes=rng.randint(10, 90))
    if exited_at is None or placed_at < exited_at:
        bed = beds.take("isolation" if isolation else sex, placed_at, exited_at)
        if bed is not None:
            bed_id, room_id, room_sex = bed
            rows[BedAssignment].append({
                "id": ids.take(BedAssignment), "stay_id": stay_id, "bed_id": bed_id,
                "room_id": room_id, "room_sex": room_sex, "client_sex": sex,
                "start_at": placed_at, "start_date": clock.to_local(placed_at).date(),
                "end_at": exited_at,
                "end_date": clock.to_local(exited_at).date() if exited_at else None,
                "placed_by_id": None})
            counts["assignments"] += 1
    if exited_at is not None:
        kind_ids = institutions.get(exit_type) or []
        contact = ({"name": "Keluarga klien", "relation": "saudara", "address": "Kabupaten Tegal"}
                   if exit_type in ("family", "home_region") else None)
        rows[StayExit].append({
            "id": ids.take(StayExit), "stay_id": stay_id,
            "institution_id": rng.choice(kind_ids) if kind_ids else None,
            "family_contact": contact, "escort_name": None, "notes": None,
            "recorded_by_id": None, "recorded_at": exited_at})
    for component in _services(rng, exit_type):
        rows[ServiceRecord].append({
            "id": ids.take(ServiceRecord), "stay_id": stay_id, "component": component,
            "given_on": entry, "staff_id": None, "note": None, "recorded_at": received})
        counts["services"] += 1
    return exited_at, exit_type


def _services(rng, exit_type) -> list[int]:
    chosen = [1]  # meals, always
    for component, share in ((2, 0.6), (4, 0.4), (5, 0.5), (7, 0.1), (9, 0.6)):
        if rng.random() < share:
            chosen.append(component)
    if exit_type in ("family", "home_region"):
        chosen.append(10)
    elif exit_type in ("panti", "balai", "hospital"):
        chosen.append(11)
    return chosen


def _finish_counters(registration: dict) -> None:
    for year, last in registration.items():
        key = f"registration:{year}"
        row = db.session.get(Counter, key)
        if row is None:
            db.session.add(Counter(key=key, value=last))
        else:
            row.value = max(row.value, last)
    db.session.flush()


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL would otherwise plan the
    report queries for empty tables and scan all history)."""
    db.session.execute(sa.text("ANALYZE"))  # allowed inside a transaction on both
    db.session.commit()


def _fix_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each sequence past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Intake, Client, Stay, BedAssignment, StayExit, ServiceRecord):
        table = model.__tablename__
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))

