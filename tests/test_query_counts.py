"""The busy pages issue a fixed number of SQL statements whatever the number of rows:
the same count with 5 stays as with 40 (nothing lazy-loaded in a loop).

Counted: every statement sent to the database, the audit entry of a read included;
transaction control (SQLite's BEGIN, which psycopg sends without a cursor) is not."""
from datetime import timedelta
import re

import pytest
from sqlalchemy import event

from rps_app import clock
from rps_app.extensions import db
from rps_app.stays import notes
from rps_app.stays import services as stays

from .conftest import api_token, login
from .factories import make_intake
from .stays_support import ACTOR, NOW, intake_body


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def executed_while(app, action) -> list[str]:
    """The SQL statements sent while `action()` runs (BEGIN not counted)."""
    with app.app_context():
        engine = db.engine
    executed = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):
            executed.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return executed


def statements(app, client, path: str, headers: dict | None = None) -> int:
    """SQL statements run while GET `path` is answered (200 required), the page rendered
    anew: the page cache (rps_app/page_cache.py) is emptied first."""
    app.extensions["rps_page_cache"].clear()
    answers = []
    executed = executed_while(app, lambda: answers.append(client.get(path, headers=headers or {})))
    assert answers[0].status_code == 200, answers[0].get_data(as_text=True)[:1000]
    return len(executed)


def test_the_bed_board(app, client):
    login(client, app, "petugas")
    with app.app_context():
        make_intake(5, place=True)
        make_intake(2, bast_number="Q1")  # waiting for a bed
    few = statements(app, client, "/rooms")
    with app.app_context():
        make_intake(35, place=True, bast_number="B2")
        make_intake(10, bast_number="Q2")
    html = client.get("/rooms").get_data(as_text=True)
    assert html.count('<li class="bed bed-occupied') == 40
    assert statements(app, client, "/rooms") == few


def test_the_intake_result_page(app, client):
    login(client, app, "petugas")
    with app.app_context():
        small = make_intake(5, place=True).id
        large = make_intake(40, place=True, bast_number="B40").id
    assert statements(app, client, f"/intakes/{small}") == \
        statements(app, client, f"/intakes/{large}")


def test_the_intake_form_with_many_rows(app, client):
    """The form page itself reads nothing per row (the re-rendered form neither)."""
    login(client, app, "petugas")
    assert 1 <= statements(app, client, "/intakes/new") <= 3  # the session user only


def returning_stays(client_id: int, count: int) -> None:
    """`count` more stays of one client (each received, noted, served and exited)."""
    for n in range(count):
        batch = stays.intake(ACTOR, intake_body({"client_id": client_id, "belongings": [
            {"description": "Tas", "quantity": 1}]}, bast_number=f"R{n}"))
        stay = batch.stays[0]
        stays.place(ACTOR, stay.id)
        notes.add_note(ACTOR, stay.id, "incident", f"Catatan {n}")
        notes.add_service(ACTOR, stay.id, 1, stay.entry_date)
        stays.exit_stay(ACTOR, stay.id, {"exit_type": "absconded"})
    db.session.commit()


def full_history(client_id: int, count: int, first: int = 0) -> None:
    """`count` more stays of one client, each with every panel of the client page filled:
    notes, SPM records, a letter (a family exit), an incident, a therapy session with a
    counsellor, a visit; and a NIK note for the client."""
    from datetime import timedelta

    from rps_app.casework import services as casework
    from rps_app.facility_use import bookings, visits
    from rps_app.operations import incidents, staff

    from .stays_support import room
    counsellor = staff.create_staff(ACTOR, {"name": f"Konselor {first}", "sex": "P",
                                            "position": "Konselor"}).id
    for n in range(first, first + count):
        batch = stays.intake(ACTOR, intake_body({"client_id": client_id, "belongings": [
            {"description": "Tas", "quantity": 1}]}, bast_number=f"F{n}"))
        stay = batch.stays[0]
        stays.place(ACTOR, stay.id)
        notes.add_note(ACTOR, stay.id, "incident", f"Catatan {n}")
        notes.add_service(ACTOR, stay.id, 1, stay.entry_date)
        incidents.record(ACTOR, {"occurred_at": clock.now().isoformat(), "kind": "conflict",
                                 "severity": "low", "stay_ids": [stay.id],
                                 "description": f"Kejadian {n}"})
        start = clock.now() + timedelta(days=n + 1)
        bookings.book(ACTOR, {"room_id": room("TRP-1").id, "starts_at": start.isoformat(),
                              "ends_at": (start + timedelta(hours=1)).isoformat(),
                              "purpose": f"Konseling {n}", "staff_id": counsellor,
                              "stay_ids": [stay.id]})
        visits.record_visit(ACTOR, {"visitor_name": f"Tamu {n}", "relation": "ibu",
                                    "stay_id": stay.id})
        stays.exit_stay(ACTOR, stay.id, {"exit_type": "family", "family_contact": {
            "name": "Ibu Darsih", "address": "Slawi"}})
    if casework.nik_note_of(client_id) is None:
        casework.save_nik_note(ACTOR, client_id, {"note": "KTP hilang"})
    db.session.commit()


def test_the_client_page_with_every_panel(app, client):
    """Every panel of the client page filled (the head sees them all): at most BUDGET
    statements, the same with 3 stays as with 12, the audit rows of the reads kept."""
    from rps_app.audit.models import AuditEntry
    login(client, app, "kepala")
    with app.app_context():
        first = make_intake(1).stays[0]
        client_id = first.client_id
        stays.exit_stay(ACTOR, first.id, {"exit_type": "absconded"})
        make_intake(1)  # another client of the same name: a likely duplicate
        full_history(client_id, 2)
    few = statements(app, client, f"/clients/{client_id}")
    with app.app_context():
        full_history(client_id, 9, first=2)
    html = client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert html.count('class="panel stay"') == 12
    for text in ("Catatan 10", "Kejadian 10", "Konseling 10", "Tamu 10", "Konselor 2",
                 "KTP hilang", "Kemungkinan data ganda"):
        assert text in html, text
    assert statements(app, client, f"/clients/{client_id}") == few <= BUDGET
    with app.app_context():
        reads = {(e.action, e.entity) for e in db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.username == "kepala1"))}
    assert {("read", "client"), ("read", "visit"), ("search", "client")} <= reads


def test_the_client_page(app, client):
    login(client, app, "petugas")
    with app.app_context():
        first = make_intake(1).stays[0]
        client_id = first.client_id
        stays.exit_stay(ACTOR, first.id, {"exit_type": "absconded"})
        returning_stays(client_id, 4)
    few = statements(app, client, f"/clients/{client_id}")
    with app.app_context():
        returning_stays(client_id, 35)
    html = client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert html.count('class="panel stay"') == 40
    assert statements(app, client, f"/clients/{client_id}") == few



def stay_rows(stay_id: int, n: int, counsellor_user_id: int | None = None) -> None:
    """The n-th set of what the stay page shows of a stay, from every domain with a panel
    there: a case note, an SPM service, an assessment and a case conference, a referral
    (and its letter), an incident, a therapy session with its counsellor, a visit."""
    from rps_app.casework import services as casework
    from rps_app.facility_use import bookings, visits
    from rps_app.operations import incidents, staff
    from rps_app.referrals import services as referrals
    from rps_app.referrals import workflow

    from .stays_support import room
    member = staff.create_staff(ACTOR, {"name": f"Konselor {n}", "sex": "L",
                                        "position": "Konselor", "user_id": counsellor_user_id})
    panti = referrals.add_institution(ACTOR, f"Panti {n}", "panti", "Jl. Raya 1", "Tegal")
    clock.freeze(NOW + timedelta(minutes=10 * n + 1))
    notes.add_note(ACTOR, stay_id, "incident", f"Catatan {n}")
    notes.add_service(ACTOR, stay_id, 1, clock.local_today())
    casework.save_assessment(ACTOR, stay_id, {part: f"Isi {n}" for part in (
        "situation", "health", "family_origin", "needs", "plan")})
    casework.add_conference(ACTOR, stay_id, {"held_on": clock.local_today().isoformat(),
                                             "participants": "Pekerja sosial",
                                             "decision": f"Keputusan {n}"})
    workflow.ask(ACTOR, stay_id, {"institution_id": panti.id, "reason": f"Alasan {n}"})
    incidents.record(ACTOR, {"occurred_at": clock.now().isoformat(), "kind": "conflict",
                             "severity": "low", "stay_ids": [stay_id],
                             "description": f"Kejadian {n}"})
    start = NOW + timedelta(days=1, hours=n)
    bookings.book(ACTOR, {"room_id": room("TRP-1").id, "starts_at": start.isoformat(),
                          "ends_at": (start + timedelta(minutes=30)).isoformat(),
                          "purpose": "Sesi konseling", "stay_ids": [stay_id],
                          "staff_id": member.id})
    visits.record_visit(ACTOR, {"visitor_name": f"Tamu {n}", "relation": "ibu",
                                "stay_id": stay_id})
    clock.freeze(NOW)
    db.session.commit()


def test_the_stay_page(app, client):
    """However many notes, services, referrals, sessions... the stay and the other
    domains' panels hold, the page reads them in the same statements."""
    user_id = login(client, app, "kepala")
    with app.app_context():
        stay_id = make_intake(1, place=True).stays[0].id
        stay_rows(stay_id, 0, counsellor_user_id=user_id)
    few = statements(app, client, f"/stays/{stay_id}")
    with app.app_context():
        for n in range(1, 5):
            stay_rows(stay_id, n)
    html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert html.count("Sesi konseling") >= 5 and html.count("Tamu ") >= 5
    assert statements(app, client, f"/stays/{stay_id}") == few


CSRF = r'name="csrf_token" (type="hidden" )?value="[^"]*"'


def dashboard_panels_of(batch: int, received_at) -> None:
    """Something for every panel of the dashboard, `batch` marking each round: residents
    (past 24 hours without an assessment, near their limit), a roll call that marks two of
    them absent, a high incident, a visit, a maintenance request, a waiting referral, a
    guard on duty, a lot about to expire, an account given client access."""
    from datetime import date

    from rps_app.auth import services as auth
    from rps_app.facility_use import maintenance, visits
    from rps_app.operations import incidents, rollcall
    from rps_app.referrals import services as referrals, workflow
    from rps_app.stock import services as stock

    from .operations_support import KEPALA, make_staff, put
    intake = make_intake(4, place=True, received_at=received_at, bast_number=f"D{batch}")
    stay_ids = [stay.id for stay in intake.stays]
    open_ids = sorted(rollcall.open_stay_ids(*batch_session(batch)))
    rollcall.take(ACTOR, {"date": batch_session(batch)[0].isoformat(),
                          "session": batch_session(batch)[1],
                          "entries": [{"stay_id": sid, "status": "absent" if sid in open_ids[:2]
                                       else "present"} for sid in open_ids]})
    incidents.record(ACTOR, {"occurred_at": clock.now().isoformat(), "kind": "violence",
                             "severity": "high", "stay_ids": stay_ids[:1],
                             "description": f"Perkelahian {batch}"})
    visits.record_visit(ACTOR, {"visitor_name": f"Rukmini {batch}", "relation": "ibu",
                                "stay_id": stay_ids[0]})
    from .stays_support import room
    maintenance.report(ACTOR, {"room_id": room("LOBBY").id, "description": f"Pintu {batch}"})
    panti = referrals.add_institution(ACTOR, f"Panti {batch}", "panti", "Jl. A", "Tegal")
    workflow.ask(ACTOR, stay_ids[1], {"institution_id": panti.id, "reason": "Lansia"})
    guard = make_staff(f"Penjaga {batch}", "P")
    put(guard, clock.local_today(), "pagi", "POS-1" if batch == 1 else "POS-2")
    item = stock.add_item(ACTOR, {"code": f"SUS{batch}", "name": "Susu", "unit": "kotak",
                                  "category": "pangan", "min_level": 5})
    stock.record_movement(ACTOR, {"item_id": item.id, "kind": "receipt", "quantity": 2,
                                  "source": "apbd", "lot": f"L{batch}",
                                  "expiry_date": date(2026, 11, 20).isoformat()})
    auth.create_user(KEPALA, f"staf{batch}", "kata-sandi-uji-123", "staf")
    db.session.commit()


def batch_session(batch: int):
    from datetime import date
    return (date(2026, 11, 5), "malam") if batch == 1 else (date(2026, 11, 6), "pagi")


def test_the_dashboard_with_every_panel_full(app, client):
    """One statement reads every panel (and one writes the audit of the names shown),
    with one row in each list as with many."""
    from datetime import timedelta
    login(client, app, "kepala")
    with app.app_context():
        dashboard_panels_of(1, NOW - timedelta(days=3))
    few = statements(app, client, "/")
    html = client.get("/").get_data(as_text=True)
    for shown in ("Perkelahian 1", "Rukmini 1", "Pintu 1", "Panti 1", "Penjaga 1",
                  "Asesmen terlambat", "Apel terakhir", "staf1", "SUS1"):
        assert shown in html, shown
    with app.app_context():
        dashboard_panels_of(2, NOW - timedelta(days=2))
    html = client.get("/").get_data(as_text=True)
    for shown in ("Perkelahian 2", "Rukmini 2", "Pintu 2", "Panti 2", "Penjaga 2", "staf2",
                  "SUS2", "data-abscond="):  # data-abscond: absent at both roll calls
        assert shown in html, shown
    assert statements(app, client, "/") == few <= 3  # the user, the reads, the audit
    # From its fifth run on a connection psycopg prepares the page's statement: the same
    # page (its query objects are built once, and take each request's values).
    first = re.sub(CSRF, "", html)
    for _ in range(6):
        assert re.sub(CSRF, "", client.get("/").get_data(as_text=True)) == first


BUDGET = 8
# Pages and API reads held to BUDGET statements (every page: tests/test_query_budget.py).
# The client page reads its sections' lists in one statement (navigation.page_sections
# and rps_app/batch.py).
BUDGET_PAGES = ("/", "/clients", "/clients?status=in&sex=L", "/clients?room={room}", "/reports",
                "/audit", "/institutions", "/account", "/letters/{letter}", "/intakes/new",
                "/rooms", "/intakes/{intake}", "/stays/{stay}/exit", "/clients/{client}",
                "/bookings", "/visits", "/maintenance")
BUDGET_API = ("/api/v1/clients", "/api/v1/clients?q=warsi", "/api/v1/clients/{client}",
              "/api/v1/stays?active=true", "/api/v1/institutions", "/api/v1/rooms",
              "/api/v1/reports/occupancy?from=2026-10-01&to=2026-10-31",
              "/api/v1/reports/length-of-stay?from=2026-10-01&to=2026-10-31",
              "/api/v1/reports/runs", "/api/v1/audit")


def test_lists_and_api_reads_within_the_budget(app, client):
    with app.app_context():
        batch = make_intake(12, place=True)
        make_intake(3, bast_number="Q1")
        stay = batch.stays[1]
        notes.add_note(ACTOR, stay.id, "incident", "Catatan")
        gone = batch.stays[0]
        stays.exit_stay(ACTOR, gone.id, {"exit_type": "family", "family_contact": {
            "name": "Ibu Darsih", "address": "Slawi"}})
        db.session.commit()
        from rps_app.referrals.models import Letter
        ids = {"client": stay.client_id, "room": stay.current_assignment.room_id,
               "letter": db.session.scalar(db.select(Letter.id)), "intake": batch.id,
               "stay": stay.id}
    login(client, app, "kepala")
    counts = {page: statements(app, client, page.format(**ids)) for page in BUDGET_PAGES}
    headers = api_token(client, app, "kepala", username="api_kepala")
    counts |= {path: statements(app, client, path.format(**ids), headers) for path in BUDGET_API}
    assert {path: n for path, n in counts.items() if n > BUDGET} == {}


# The day's operations (issue 14): roll call, incidents, roster, stock and data quality read
# the same statements with many residents, incidents, staff and items as with a few.
OPERATIONS_PAGES = ("/rollcall", "/rollcall?date={yesterday}&session=malam", "/incidents",
                    "/roster", "/stock", "/data-quality")


def busy_day(rows: int, tag: str) -> None:
    """`rows` more of everything: residents (since yesterday; half of them placed), the
    roll calls of this morning and last night (taken, or else corrected), incidents, staff on the roster with
    leave, stock items with a receipt each."""
    from datetime import timedelta

    from rps_app.operations import incidents, rollcall, roster, staff
    from rps_app.stock import services as stock
    yesterday = NOW - timedelta(days=1)
    make_intake(rows // 2, place=True, received_at=yesterday, bast_number=f"{tag}P")
    make_intake(rows - rows // 2, received_at=yesterday, bast_number=f"{tag}Q")
    day = clock.local_today()
    for when, session in ((day, "pagi"), (day - timedelta(days=1), "malam")):
        taken = rollcall.find(when, session)
        if taken is None:
            rollcall.take(ACTOR, {"date": when.isoformat(), "session": session, "entries": [
                {"stay_id": sid, "status": "absent" if sid % 3 == 0 else "present"}
                for sid in sorted(rollcall.open_stay_ids(when, session))]})
        else:  # the same stays, other statuses: a new version, the old one kept
            rollcall.correct(ACTOR, taken.id, {"entries": [
                {"stay_id": e.stay_id, "status": "present" if e.status != "present"
                 else "permitted", "note": "koreksi"} for e in taken.current_entries]})
    stay_ids = sorted(rollcall.open_stay_ids(day, "pagi"))
    for n in range(rows):
        incidents.record(ACTOR, {"occurred_at": (NOW - timedelta(hours=n + 1)).isoformat(),
                                 "kind": "other", "severity": "high" if n % 2 else "low",
                                 "stay_ids": stay_ids[n:n + 2], "description": f"Kejadian {n}"})
    week = day - timedelta(days=day.weekday())
    for n in range(rows):
        person = staff.create_staff(ACTOR, {"name": f"Petugas {tag}{n}", "sex": "LP"[n % 2],
                                            "position": "Petugas jaga"})
        roster.assign(ACTOR, {"date": (week + timedelta(days=n % 7)).isoformat(),
                              "shift": ("pagi", "siang", "malam")[n % 3],
                              "post": ("POS-1", "POS-2")[n % 2], "staff_id": person.id})
        if n % 4 == 0:
            staff.add_leave(ACTOR, person.id, {"from": (week + timedelta(days=(n + 1) % 7))
                                               .isoformat(), "to": (week + timedelta(days=6))
                                               .isoformat(), "kind": "cuti"})
        item = stock.add_item(ACTOR, {"code": f"B{tag}{n}", "name": "Beras", "unit": "kg",
                                      "category": "pangan", "min_level": 5,
                                      "per_head_per_day": "0.4"})
        stock.record_movement(ACTOR, {"item_id": item.id, "kind": "receipt", "quantity": 20,
                                      "lot": "L1", "expiry_date": "2026-11-20"})
    db.session.commit()


def test_the_operations_pages_within_the_budget(app, client):
    from datetime import timedelta
    login(client, app, "kepala")
    paths = [p.format(yesterday=(NOW - timedelta(days=1)).date().isoformat())
             for p in OPERATIONS_PAGES]
    with app.app_context():
        busy_day(4, "A")
    few = {path: statements(app, client, path) for path in paths}
    with app.app_context():
        busy_day(14, "B")
    html = client.get("/rollcall").get_data(as_text=True)
    assert html.count('name="stay_id"') == 18
    assert {path: n for path, n in few.items() if n > BUDGET} == {}
    assert {path: statements(app, client, path) for path in paths} == few


def facility_use_rows(stays: list, serial: int, staff_id: int) -> None:
    """For each stay: a session booked for it, a visit and two maintenance requests (one
    done), in this app's one day (the clock is frozen)."""
    from rps_app.facility_use import bookings, maintenance, visits
    from .stays_support import room
    rooms = [room(code) for code in ("TRP-1", "TRP-2", "KOM-1", "KOM-2", "GH")]
    beds = [bed for code in ("PA-1", "PA-2") for bed in room(code).beds]
    for n, stay in enumerate(stays):
        hour, where = 7 + (serial + n) // 5, rooms[(serial + n) % 5]
        bookings.book(ACTOR, {"room_id": where.id, "purpose": f"Sesi {serial + n}",
                              "starts_at": f"2026-11-06T{hour:02d}:00:00+07:00",
                              "ends_at": f"2026-11-06T{hour:02d}:30:00+07:00",
                              "staff_id": staff_id, "stay_ids": [stay.id]})
        visits.record_visit(ACTOR, {"visitor_name": f"Tamu {n}", "relation": "anak",
                                    "stay_id": stay.id})
        bed = beds[(serial + n) % len(beds)]
        maintenance.report(ACTOR, {"room_id": bed.room_id, "bed_id": bed.id,
                                   "description": f"Kasur {n}"})
        done = maintenance.report(ACTOR, {"room_id": bed.room_id, "description": f"Pintu {n}"})
        maintenance.mark_done(ACTOR, done.id)
    db.session.commit()


def test_the_facility_use_pages_with_many_rows(app, client):
    """The calendar, the visitor log and maintenance: the same statements for 2 bookings,
    visits and requests as for 30 (more than a page of done requests), within the budget."""
    from .test_facility_use_bookings import add_staff
    pages = ("/bookings", "/visits", "/maintenance", "/maintenance?page=2")
    login(client, app, "kepala")
    with app.app_context():
        staff_id = add_staff()
        facility_use_rows(make_intake(2, place=True).stays, 0, staff_id)
    few = {page: statements(app, client, page) for page in pages}
    with app.app_context():
        facility_use_rows(make_intake(28, place=True, bast_number="B28").stays, 2, staff_id)
    html = client.get("/visits").get_data(as_text=True)
    assert html.count("Tamu ") == 30
    assert {page: statements(app, client, page) for page in pages} == few
    assert max(few.values()) <= BUDGET, few
