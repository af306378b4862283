"""`rps demo-data`: a realistic synthetic history, inserted in bulk (executemany).

About eleven admissions a day, as a district RPS sees ("a few thousand a year"), so that N
stays span N/4000 years ending now: the default (DEFAULT_STAYS) fills the last eight months,
and a benchmark at 10k and 100k stays compares the same month against a short and a long
history. The intakes are spread evenly over that span, so the history ends today with a busy
shelter at any hour: stays are shortened when most beds of their pool are taken and lengthened
when few are, so about 65-85 % of the 90 client beds are taken (measured at every second hour
of a day, three seeds), with open stays of every length, some near or past the limit, now and
then one waiting for a bed. Raids by Satpol PP and the police at places in Kabupaten Tegal
bring groups; clients are adults (no room mixes minors and adults), placed by sex in the
shelters or, when screened so, in an isolation room; a bed holds one stay at a time (a
simulation of the beds in time order); a fifth of the stays are returns of earlier clients.
Stays last 0-30 nights, mostly up to 7, before that shortening or lengthening; those that would
end after now are still open. Rows bypass the services and get ids up front; the audit log gets
the entries the services would have written (intake, client, stay, placement, exit) and the
officers' reads of client records, by a few demo officers. The last two weeks of roll calls and
four weeks of the store's ledger (operations.demo, stock.demo) go through their services.
"""
import heapq
import random
import time as timer
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from .. import clock
from ..audit import services as audit
from ..audit.models import AuditEntry
from ..audit.services import Actor
from ..casework import duplicates
from ..clients.models import Client
from ..errors import Conflict
from ..extensions import db
from ..facility.models import Bed, Room
from ..operations import demo as operations_demo
from ..referrals.models import Institution
from ..sequences import Counter
from ..stays.models import BedAssignment, Intake, ServiceRecord, Stay, StayExit
from ..stock import demo as stock_demo

ADMISSIONS_PER_DAY = 11
DEFAULT_STAYS = 2600  # about eight months up to today
MEN = 0.58  # share of men among new clients
TARGET_TAKEN = 0.8  # the share of a pool's beds that stays are shortened or lengthened towards
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


OFFICER_USERS = ("petugas.andi", "petugas.sri", "petugas.wahyu", "staf.nur", "kepala.rps")


def _nights(rng: random.Random, taken: float) -> int:
    """0 nights 5 %, 1-7 68 %, 8-14 24 %, 15-30 3 % (a mean of about six nights), shortened
    when most beds of the client's pool are `taken` (a full shelter refers or sends people
    home sooner) and lengthened a little when few are (no pressure to): this keeps the
    occupancy near TARGET_TAKEN at any moment instead of drifting with chance."""
    roll = rng.random()
    if roll < 0.05:
        nights = 0
    elif roll < 0.73:
        nights = rng.randint(1, 7)
    elif roll < 0.97:
        nights = rng.randint(8, 14)
    else:
        nights = rng.randint(15, 30)
    pressure = min(3.0, max(0.2, 1 + 6 * (TARGET_TAKEN - taken)))
    return round(nights * pressure)


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

    def taken(self, pool: str, at: datetime) -> float:
        """The share of the pool's beds someone sleeps in at `at`."""
        heap = self.pools[pool]
        return sum(1 for free_from, *_ in heap if free_from > at) / len(heap) if heap else 1.0

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


TABLES = (Intake, Client, Stay, BedAssignment, StayExit, ServiceRecord, AuditEntry)


def _flush(rows: dict) -> None:
    for model in TABLES:
        if rows[model]:
            db.session.execute(sa.insert(model), rows[model])
            if model is Client:  # the duplicate check's index (the services write it too)
                duplicates.write_name_keys(
                    db.session.connection(),
                    [SimpleNamespace(merged_into_id=None, **row) for row in rows[model]],
                    replace=False)
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
    rows = {model: [] for model in TABLES}
    audit_rows = _Audit(rng, ids, rows[AuditEntry])
    registration = {}   # year -> last number
    used_niks: set = set()
    returning: list[tuple[datetime, int, str]] = []  # (exited at, client id, sex), recent
    counts = {"clients": 0, "intakes": 0, "assignments": 0, "services": 0}
    made = 0
    start = datetime.combine(first_day, time(8), tzinfo=zone)
    span = now - timedelta(minutes=30) - start
    received = start
    while made < stays:
        group = min(stays - made, _pick(rng, ((1, 30), (2, 20), (3, 15), (4, 12), (6, 10),
                                              (8, 8), (12, 5))))
        # Spread evenly over [start, now) by the stays made so far, with a few hours of
        # jitter: the history ends now whatever N (no drift of a random walk).
        planned = start + span * (made / stays) + timedelta(minutes=rng.randint(-180, 180))
        received = min(max(planned, received), now - timedelta(minutes=rng.randint(5, 60)))
        received = received.replace(second=0, microsecond=0)
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
        officer = audit_rows.officer()
        audit_rows.add(received, officer, "create", "intake", intake_id,
                       {"agency": agency, "clients": group})
        returning.sort()
        for _ in range(group):
            client_id, sex = _client(rng, rows, ids, received, local_day, returning, registration,
                                     used_niks, counts, audit_rows, officer)
            exited_at, exit_type = _stay(rng, rows, ids, beds, institutions, client_id, sex,
                                         intake_id, received, now, counts, audit_rows, officer)
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
    # The day's operations of the last weeks, through their services: roll calls and stock.
    demo_actor = Actor.system("rps demo-data")
    counts["rollcalls"] = operations_demo.fill(demo_actor, rng)
    counts["stock_movements"] = stock_demo.fill(demo_actor, rng)
    audit.record(Actor.system("rps demo-data"), "demo_data", "stay", None,
                 {"stays": stays, "seed": seed})
    db.session.commit()
    _analyze()
    return {**counts, "stays": stays, "first": first_day, "last": clock.to_local(now).date(),
            "audit": audit_rows.count, "seconds": timer.monotonic() - started}


class _Audit:
    """The audit entries the services would have written, by a few demo officers."""

    def __init__(self, rng, ids, rows):
        self.rng, self.ids, self.rows, self.count = rng, ids, rows, 0

    def officer(self) -> str:
        return self.rng.choice(OFFICER_USERS)

    def add(self, at, username, action, entity, entity_id, detail=None) -> None:
        self.rows.append({"id": self.ids.take(AuditEntry), "at": at, "user_id": None,
                          "username": username, "action": action, "entity": entity,
                          "entity_id": str(entity_id), "ip": "10.0.0.12", "detail": detail})
        self.count += 1


def _client(rng, rows, ids, received, local_day, returning, registration, used_niks, counts,
            audit_rows, officer):
    """A returning client (a fifth of the time, when one left before) or a new one."""
    if returning and rng.random() < 0.2:
        # Only those who left before this moment, each returning once from the list.
        eligible = [i for i, (left, _, _) in enumerate(returning) if left < received]
        if eligible:
            _, client_id, sex = returning.pop(rng.choice(eligible))
            return client_id, sex
    sex = "L" if rng.random() < MEN else "P"
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
    audit_rows.add(received, officer, "create", "client", client_id,
                   {"registration_number": rows[Client][-1]["registration_number"]})
    return client_id, sex


def _stay(rng, rows, ids, beds, institutions, client_id, sex, intake_id, received, now, counts,
          audit_rows, officer):
    zone = clock.local_zone()
    entry = clock.to_local(received).date()
    isolation = rng.random() < 0.08
    pool = "isolation" if isolation else sex
    nights = _nights(rng, beds.taken(pool, received))
    exited_at = datetime.combine(entry + timedelta(days=nights),
                                 time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=zone)
    exited_at = max(exited_at, received + timedelta(hours=2))
    if exited_at > now:
        exited_at = None
    exit_type = _pick(rng, EXITS) if exited_at else None
    stay_id = ids.take(Stay)
    rows[Stay].append({
        "id": stay_id, "client_id": client_id, "intake_id": intake_id, "entered_at": received,
        "entry_date": entry, "needs_isolation": isolation,
        "screening": {"psychotic": isolation, "sick_injured": False, "intoxicated": False,
                      "aggressive": False, "contagious": False},
        "exited_at": exited_at, "exit_date": clock.to_local(exited_at).date() if exited_at else None,
        "exit_type": exit_type, "max_stay_days": None})
    audit_rows.add(received, officer, "create", "stay", stay_id,
                   {"client_id": client_id, "intake_id": intake_id, "needs_isolation": isolation,
                    "belongings": 0})
    placed_at = received + timedelta(minutes=rng.randint(10, 90))
    if exited_at is None or placed_at < exited_at:
        bed = beds.take(pool, placed_at, exited_at)
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
            audit_rows.add(placed_at, officer, "place", "stay", stay_id,
                           {"bed_id": bed_id, "room_id": room_id, "from_bed_id": None})
    for _ in range(rng.randint(0, 3)):  # officers and social workers open the record
        read_at = received + timedelta(hours=rng.randint(1, 24 * max(nights, 1)))
        if read_at < (exited_at or now):
            audit_rows.add(read_at, audit_rows.officer(), "read", "client", client_id)
    if exited_at is not None:
        kind_ids = institutions.get(exit_type) or []
        contact = ({"name": "Keluarga klien", "relation": "saudara", "address": "Kabupaten Tegal"}
                   if exit_type in ("family", "home_region") else None)
        rows[StayExit].append({
            "id": ids.take(StayExit), "stay_id": stay_id,
            "institution_id": rng.choice(kind_ids) if kind_ids else None,
            "family_contact": contact, "escort_name": None, "notes": None,
            "recorded_by_id": None, "recorded_at": exited_at})
        audit_rows.add(exited_at, audit_rows.officer(), "exit", "stay", stay_id,
                       {"exit_type": exit_type, "institution_id": rows[StayExit][-1]["institution_id"],
                        "bed_id": None, "belongings_returned": []})
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
    for model in TABLES:
        table = model.__tablename__
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))

