"""Client-flow pages through the test client: intake, its result, board, stay, exit."""
import re

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.facility import services as facility
from rps_app.referrals.models import Institution
from rps_app.stays import services as stays
from rps_app.stays.models import BedAssignment, CaseNote, Intake, ServiceRecord, Stay

from .conftest import csrf_token, login
from .factories import make_intake
from .flow_helpers import intake_form
from .stays_support import ACTOR, NOW, count, room

ROWS = [
    {"name": "Sutrisno", "sex": "L", "estimated_age": "52", "pmks_category": "11",
     "origin_regency": "Slawi", "belongings": "Tas kain x 1\nUang Rp 5.000"},
    {"name": "Mbok Darmi", "identity_unknown": True, "sex": "P", "birth_date": "1960-02-01",
     "pmks_category": "12", "sick_injured": True},
    {"name": "Pak Min", "sex": "L", "estimated_age": "35", "pmks_category": "11",
     "psychotic": True, "needs_isolation": True},
]


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def redirect_id(response, prefix: str) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(prefix + r"(\d+)$", response.headers["Location"]).group(1))


# --- intake ---------------------------------------------------------------------------

def test_the_intake_form_starts_with_one_row_and_the_time_received(app, client):
    login(client, app, "petugas")
    html = client.get("/intakes/new").get_data(as_text=True)
    assert 'name="clients-0-name"' in html and 'name="clients-1-name"' not in html
    assert 'value="2026-11-06T10:00"' in html  # now, in Slawi
    assert 'name="clients-__i__-name"' in html  # the row template for "add a row"
    assert "Datang sendiri" in html and "Kedungbanteng" in html
    assert "Anak yang Berhadapan dengan Hukum" in html


def test_an_intake_of_three_clients_through_the_form(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    response = client.post("/intakes/new", data=intake_form(token, ROWS))
    intake_id = redirect_id(response, "/intakes/")
    with app.app_context():
        batch = db.session.get(Intake, intake_id)
        assert (batch.officer_name, batch.bast_number) == ("Bripka Darto", "BAST/07/2026")
        first, second, third = batch.stays
        assert [(s.client.name, s.client.identity_known) for s in batch.stays] == \
            [("Sutrisno", True), ("Mbok Darmi", False), ("Pak Min", True)]
        assert [(b.description, b.quantity) for b in first.belongings] == \
            [("Tas kain", 1), ("Uang Rp 5.000", 1)]
        assert second.screening["sick_injured"] and not second.needs_isolation
        assert third.needs_isolation and third.screening["psychotic"]
        numbers = [s.client.registration_number for s in batch.stays]
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert all(number in html for number in numbers)
    assert html.count(">belum ditempatkan<") == 3 and "Tempatkan semua otomatis" in html
    assert f'href="/intakes/{intake_id}/bast.pdf"' in html


def test_a_bad_row_comes_back_with_its_error_and_nothing_is_written(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    rows = [ROWS[0], {**ROWS[1], "nik": "3328014"}, {**ROWS[2], "sex": ""}]
    response = client.post("/intakes/new", data=intake_form(token, rows, officer_name=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert count(Client, app) == 0 and count(Intake, app) == 0 and count(Stay, app) == 0
    # Every value entered is still there, every message next to its row and field.
    assert 'value="Sutrisno"' in html and 'value="Mbok Darmi"' in html
    assert "Tas kain x 1" in html and 'value="3328014"' in html
    nik_field = re.search(r'<div class="field has-error">\s*<label for="clients-1-nik"', html)
    sex_field = re.search(r'<div class="field has-error">\s*<label for="clients-2-sex"', html)
    assert nik_field and sex_field
    assert "NIK harus terdiri dari 16 angka." in html
    assert "Nama petugas pengirim wajib diisi." in html


def test_a_returning_client_gets_a_new_stay(app, client):
    with app.app_context():
        batch = make_intake(1)
        old = batch.stays[0]
        stays.exit_stay(ACTOR, old.id, {"exit_type": "absconded"})
        db.session.commit()
        client_id, old_id = old.client_id, old.id
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    rows = [{"client_id": str(client_id), "returning_label": "lama", "belongings": "Sandal x 2"},
            ROWS[0]]
    intake_id = redirect_id(client.post("/intakes/new", data=intake_form(token, rows)),
                            "/intakes/")
    with app.app_context():
        returning, new = db.session.get(Intake, intake_id).stays
        assert returning.client_id == client_id and returning.id != old_id
        assert [(b.description, b.quantity) for b in returning.belongings] == [("Sandal", 2)]
    assert count(Client, app) == 2
    # Still inside: a second intake of the same client is refused and writes nothing.
    response = client.post("/intakes/new", data=intake_form(token, rows[:1]))
    assert response.status_code == 409
    assert "masih berada di RPS" in response.get_data(as_text=True)
    assert count(Intake, app) == 2


def test_bast_number_check_warns_of_a_repeat(app, client):
    with app.app_context():
        make_intake(1)
    login(client, app, "petugas")
    assert client.get("/intakes/bast-check.json?number=BAST/11/2026/001").get_json() == \
        {"used": True}
    assert client.get("/intakes/bast-check.json?number=BARU").get_json() == {"used": False}


def test_place_all_then_move_one_on_the_intake_page(app, client):
    with app.app_context():
        batch = make_intake(3)
        intake_id = batch.id
        first_stay = batch.stays[0].id
        target = room("PA-3").beds[4]
        target_id, target_label = target.id, target.label
    login(client, app, "petugas")
    token = csrf_token(client, f"/intakes/{intake_id}")
    response = client.post(f"/intakes/{intake_id}/place-all", data={"csrf_token": token})
    assert response.status_code == 303
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert "3 klien ditempatkan otomatis." in html and "belum ditempatkan" not in html
    assert f'<option value="{target_id}">PA-3 / {target_label}</option>' in html
    response = client.post(f"/stays/{first_stay}/placement", data={
        "csrf_token": token, "bed_id": str(target_id), "next": f"/intakes/{intake_id}"})
    assert response.headers["Location"].endswith(f"/intakes/{intake_id}")
    assert f"PA-3 / {target_label}" in client.get(f"/intakes/{intake_id}").get_data(as_text=True)


def test_a_refused_placement_is_told_and_an_outside_next_is_ignored(app, client):
    with app.app_context():
        batch = make_intake(2)
        man = batch.stays[0].id
        women_bed = room("PI-1").beds[0].id
    login(client, app, "petugas")
    token = csrf_token(client, "/rooms")
    response = client.post(f"/stays/{man}/placement", data={
        "csrf_token": token, "bed_id": str(women_bed), "next": "https://example.org/"})
    assert response.status_code == 303 and response.headers["Location"] == f"/stays/{man}"
    assert "khusus perempuan" in client.get(f"/stays/{man}").get_data(as_text=True)
    assert count(BedAssignment, app) == 0


# --- bed board ------------------------------------------------------------------------

def test_the_board_shows_beds_occupants_and_the_queue(app, client):
    with app.app_context():
        make_intake(2, place=True)
        waiting = make_intake(1, bast_number="BAST/2").stays[0].client.name
        facility.take_out_of_service(ACTOR, room("PI-4").beds[0].id, "Kasur rusak")
        db.session.commit()
    login(client, app, "petugas")
    html = client.get("/rooms").get_data(as_text=True)
    for heading in ("Putra", "Putri", "Isolasi", "Ruang lain (bukan hunian)", "Dapur"):
        assert heading in html
    assert html.count('<li class="bed bed-occupied') == 2 and "bed bed-out" in html
    assert "Sutrisno 0" in html and "Warsini 1" in html and "hari 0/7" in html
    queue = html[html.index('id="queue"'):html.index('class="board-group"')]
    assert waiting in queue and "Tempatkan semua otomatis" in queue
    assert "Pilih tempat tidur" in queue
    assert "Warsini 1" not in queue  # placed: on a bed, not in the queue


def test_the_board_marks_late_and_overdue_stays(app, client):
    app.config["RPS_IDLE_MINUTES"] = 7 * 24 * 60  # the clock jumps days between requests
    with app.app_context():
        make_intake(1, place=True)  # received 2026-11-06
    clock.freeze(NOW.replace(day=11))
    login(client, app, "petugas")
    assert "bed-late" in client.get("/rooms").get_data(as_text=True)  # night 5 of 7
    clock.freeze(NOW.replace(day=14))
    html = client.get("/rooms").get_data(as_text=True)
    assert "bed-over" in html and "hari 8/7" in html


def test_roles_without_client_records_see_beds_but_no_names(app, client):
    with app.app_context():
        make_intake(2, place=True)
        make_intake(1, bast_number="BAST/2")
    login(client, app, "admin")
    html = client.get("/rooms").get_data(as_text=True)
    assert html.count('<li class="bed bed-occupied') == 2 and "Terisi" in html
    assert "Sutrisno" not in html and "Warsini" not in html and "Karto" not in html
    # The board's filters serve every role (board.js), placing and the name filter do not.
    assert "Tempatkan semua otomatis" not in html and 'id="choose-form"' not in html
    assert "data-name=" not in html and 'data-filter="name"' not in html
    assert 'data-filter="minor"' in html


def test_staff_see_the_board_read_only(app, client):
    with app.app_context():
        make_intake(1)
    login(client, app, "staf")
    html = client.get("/rooms").get_data(as_text=True)
    assert "Sutrisno 0" in html and "Tempatkan otomatis" not in html
    token = csrf_token(client, "/clients")
    assert client.post("/rooms/place-all", data={"csrf_token": token}).status_code == 403


def test_place_the_whole_queue_from_the_board(app, client):
    with app.app_context():
        make_intake(2)
    login(client, app, "kepala")
    token = csrf_token(client, "/rooms")
    assert client.post("/rooms/place-all", data={"csrf_token": token}).status_code == 303
    assert count(BedAssignment, app) == 2


def test_an_unknown_identity_is_marked_once_by_an_alias_badge_on_every_page(app, client):
    with app.app_context():
        batch = make_intake(2, place=True)  # both arrive with an unknown identity
        batch.stays[1].client.identity_known = True
        db.session.commit()
        stay_id, client_id, intake_id = batch.stays[0].id, batch.stays[0].client_id, batch.id
    login(client, app, "petugas")
    badge = re.compile(r'<span class="badge" title="Identitas belum diketahui[^"]*">alias</span>')
    for url in ("/clients", f"/clients/{client_id}", f"/stays/{stay_id}", "/rooms",
                f"/intakes/{intake_id}"):
        html = client.get(url).get_data(as_text=True)
        expected = 2 if url == f"/clients/{client_id}" else 1  # heading and identity list
        assert len(badge.findall(html)) == expected, url
        assert "nama panggilan)" not in html and "(alias)" not in html, url


# --- the stay page ----------------------------------------------------------------------

def test_the_isolation_decision_offers_the_change_and_names_the_current_state(app, client):
    with app.app_context():
        stay_id = make_intake(1).stays[0].id
    login(client, app, "petugas")

    def options():
        html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
        select = re.search(r'<select[^>]*name="needs_isolation".*?</select>', html, re.S).group(0)
        return re.findall(r'<option (selected )?value="(\d)">([^<]+)</option>', select)

    assert options() == [("selected ", "1", "Perlu isolasi"),
                         ("", "0", "Tidak perlu isolasi (saat ini)")]
    token = csrf_token(client, f"/stays/{stay_id}")
    assert client.post(f"/stays/{stay_id}/isolation", data={
        "csrf_token": token, "needs_isolation": "1", "reason": "Gelisah."}).status_code == 303
    assert options() == [("", "1", "Perlu isolasi (saat ini)"),
                         ("selected ", "0", "Tidak perlu isolasi")]


def test_notes_services_isolation_and_extension_on_the_stay_page(app, client):
    with app.app_context():
        stay_id = make_intake(1, place=True).stays[0].id
    login(client, app, "petugas")
    token = csrf_token(client, f"/stays/{stay_id}")
    post = lambda path, **data: client.post(f"/stays/{stay_id}/{path}",  # noqa: E731
                                            data={"csrf_token": token, **data})
    assert post("notes", kind="initial_assessment", body="Tidak ingat alamat.").status_code == 303
    response = post("notes", kind="health", body="")
    assert response.status_code == 422 and "Isi catatan wajib diisi." in response.get_data(
        as_text=True)
    assert post("services", component="1", given_on="2026-11-06", staff_id="").status_code == 303
    response = post("isolation", needs_isolation="1", reason="")
    assert response.status_code == 422 and "Alasan wajib diisi." in response.get_data(as_text=True)
    response = post("isolation", needs_isolation="1", reason="Mengamuk malam hari.")
    assert response.status_code == 303
    assert post("extension", max_stay_days="14", reason="Menunggu keluarga.").status_code == 303
    html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert "Tidak ingat alamat." in html and "Asesmen awal" in html and "Permakanan" in html
    assert "pindahkan ke ruang isolasi" in html and "dari batas 14 hari" in html
    assert count(CaseNote, app) == 1 and count(ServiceRecord, app) == 1


# --- exit -----------------------------------------------------------------------------

def test_the_exit_form_and_its_refusal(app, client):
    with app.app_context():
        stay = make_intake(1, place=True).stays[0]
        stay_id = stay.id
        institution = db.session.scalar(select(Institution).where(Institution.active.is_(True)))
        institution_name = institution.name if institution else None
    login(client, app, "staf")
    html = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    assert 'data-confirm="Keluarkan klien ini?"' in html
    assert "Reunifikasi dengan keluarga" in html and "Melarikan diri" in html
    if institution_name:
        assert institution_name in html
    token = csrf_token(client, f"/stays/{stay_id}/exit")
    response = client.post(f"/stays/{stay_id}/exit", data={
        "csrf_token": token, "exit_type": "family", "exited_at": "2026-11-06T09:45"})
    assert response.status_code == 422
    assert "Kontak keluarga (nama dan alamat) wajib diisi." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Stay, stay_id).exited_at is None


def test_the_exit_form_offers_institutions_grouped_by_the_kind_of_the_exit(app, client):
    from rps_app.referrals import services as referrals
    with app.app_context():
        stay_id = make_intake(1).stays[0].id
        ids = {name: referrals.add_institution(ACTOR, name, kind, "Jl. Raya 1", "Semarang").id
               for name, kind in [("Panti Mardi Utomo", "panti"), ("Sentra Margo Laras", "balai"),
                                  ("RSUD dr. Soeselo", "hospital"), ("Dinsos Brebes", "dinsos"),
                                  ("Panti Lama", "panti")]}
        referrals.set_institution_active(ACTOR, ids["Panti Lama"], False)
        db.session.commit()
    login(client, app, "staf")
    html = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    groups = dict(re.findall(r'<optgroup label="[^"]+" data-kind="(\w+)">(.*?)</optgroup>', html,
                             re.S))
    assert list(groups) == ["panti", "balai", "hospital"]  # the exit types' order, no dinsos
    assert f'value="{ids["Panti Mardi Utomo"]}"' in groups["panti"]
    assert f'value="{ids["Sentra Margo Laras"]}"' in groups["balai"]
    assert f'value="{ids["RSUD dr. Soeselo"]}"' in groups["hospital"]
    assert "Dinsos Brebes" not in html and "Panti Lama" not in html
    assert 'label="Balai / Sentra (Kemensos)"' in html  # the kind is readable without JS


def test_a_family_exit_returns_belongings_and_issues_a_letter(app, client):
    with app.app_context():
        batch = stays.intake(ACTOR, {
            "agency": "polsek", "officer_name": "Aiptu Warno", "officer_id_number": "7701",
            "bast_number": "B/1", "operation_place": "Pasar Slawi",
            "operation_at": "2026-11-06T08:00:00+07:00",
            "received_at": "2026-11-06T09:00:00+07:00",
            "clients": [{"name": "Kasdi", "identity_known": True, "sex": "L",
                         "estimated_age": 50, "pmks_category": 12, "needs_isolation": False,
                         "belongings": [{"description": "Radio", "quantity": 1}]}]})
        stay = batch.stays[0]
        stays.place(ACTOR, stay.id)
        db.session.commit()
        stay_id, belonging_id = stay.id, stay.belongings[0].id
    login(client, app, "petugas")
    html = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]* value="{belonging_id}"', html)  # ticked by default
    token = csrf_token(client, f"/stays/{stay_id}/exit")
    response = client.post(f"/stays/{stay_id}/exit", data={
        "csrf_token": token, "exit_type": "family", "exited_at": "2026-11-06T09:45",
        "family_name": "Rasinah", "family_relation": "istri", "family_address": "Desa Dukuhwringin",
        "family_phone": "0812", "escort_name": "Petugas Joko", "returned": str(belonging_id)})
    assert response.status_code == 303 and response.headers["Location"] == f"/stays/{stay_id}"
    html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert "Klien telah dikeluarkan (Reunifikasi dengan keluarga)." in html
    assert re.search(r"Surat nomor \S+ diterbitkan\. <a href=\"/letters/\d+\.pdf\" "
                     r"target=\"_blank\" rel=\"noopener\">", html)  # a new tab
    # The stay page tells where the client went and names its letter, and in English the
    # entry and exit times are not the login/logout words.
    assert "Rasinah (istri), Desa Dukuhwringin, 0812" in html and "Petugas Joko" in html
    assert re.search(r'<a href="/letters/\d+">[^<]+</a> · Berita acara penyerahan', html)
    english = client.get(f"/stays/{stay_id}?lang=en").get_data(as_text=True)
    assert "<dt>Entry time</dt>" in english and "<dt>Exit time</dt>" in english
    assert "<dt>Log in</dt>" not in english
    client.get("/?lang=id")  # the choice of language sticks to the session
    with app.app_context():
        stay = db.session.get(Stay, stay_id)
        assert stay.exit_type == "family" and stay.exit.family_contact["name"] == "Rasinah"
        assert stay.exit.escort_name == "Petugas Joko" and stay.belongings[0].returned_at
        assert stay.current_assignment is None
    assert client.get(f"/stays/{stay_id}/exit").get_data(as_text=True).count("sudah keluar") == 1
