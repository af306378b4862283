"""The night-shift intake (issue 13): batch defaults, a NIK that fills sex and birth date,
"place everyone" on save with the result page saying where each went or why not, errors
that name their rows, photos that survive a refused submit, and the API's place_all."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.clients.models import Client
from rps_app.clients.nik import decode
from rps_app.clients.regions import region_name
from rps_app.extensions import db
from rps_app.stays.models import BedAssignment, Intake

from .conftest import csrf_token, login
from .flow_helpers import intake_form
from .stays_support import NOW, client_row, count, intake_body, make_nik, room

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def test_a_nik_decodes_to_sex_birth_date_and_region():
    today = date(2026, 11, 6)
    assert decode(make_nik("P", date(1980, 5, 17)), today) == {
        "sex": "P", "birth_date": date(1980, 5, 17), "region": "Kab. Tegal, Jawa Tengah"}
    # A two-digit year in this century only while it is not in the future.
    assert decode(make_nik("L", date(2014, 3, 2), region="337601"), today)["birth_date"] \
        == date(2014, 3, 2)
    assert decode("3376010203300001", today)["birth_date"] == date(1930, 3, 2)
    assert decode("3328013102800001", today)["birth_date"] is None  # 31 February
    assert decode("33280117058O0001", today) is None
    assert region_name("3209010000000000") == "Kab. Cirebon, Jawa Barat"
    assert region_name("3399010000000000") == "Jawa Tengah (33.99)"
    assert region_name("9101010000000000") == "91.01"


def test_the_form_offers_defaults_place_all_on_and_a_sticky_save_bar(app, client):
    login(client, app, "petugas")
    html = client.get("/intakes/new").get_data(as_text=True)
    assert 'name="default_pmks_category"' in html and 'name="default_sex"' in html
    assert re.search(r'<input checked[^>]*name="place_all"', html) or \
        re.search(r'name="place_all"[^>]*checked', html)
    assert 'id="intake-bar"' in html and 'id="add-count"' in html
    assert "Kab. Tegal" in html  # the NIK region table for the script


def test_save_with_place_all_places_everyone_and_tells_who_could_not_go(app, client):
    """Eleven clients who need isolation for ten isolation rooms, plus a man and a NIK-only
    woman: twelve placed, the last one refused with the reason on the result page."""
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    rows = [{"name": f"Isolasi {i}", "sex": "L", "estimated_age": "30", "needs_isolation": True}
            for i in range(11)]
    rows.append({"name": "Karto", "estimated_age": "45"})  # sex from the batch default
    rows.append({"name": "Warsini", "nik": make_nik("P", date(1975, 4, 9))})  # all from NIK
    response = client.post("/intakes/new", data=intake_form(
        token, rows, default_sex="L", default_pmks_category="11", place_all="y"))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    intake_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        batch = db.session.get(Intake, intake_id)
        clients = {stay.client.name: stay.client for stay in batch.stays}
        assert clients["Karto"].sex == "L" and clients["Karto"].pmks_category == 11
        assert (clients["Warsini"].sex, clients["Warsini"].birth_date) == \
            ("P", date(1975, 4, 9))
        assert count(BedAssignment) == 12
        unplaced = [stay.client.name for stay in batch.stays
                    if db.session.scalar(select(BedAssignment).where(
                        BedAssignment.stay_id == stay.id)) is None]
        assert unplaced == ["Isolasi 10"]
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert "13 klien terdaftar, 12 ditempatkan" in html
    assert "12 ditempatkan" in html and "1 belum ditempatkan" in html
    assert "Semua ruang isolasi penuh." in html
    assert re.search(r"PI-\d / \d+", html) and re.search(r"ISO-\d+ / ", html)
    assert 'target="_blank" rel="noopener"' in html  # the BAST opens in a new tab
    # The reason is told once, on the page that follows the save.
    again = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert "Semua ruang isolasi penuh." not in again and ">belum ditempatkan<" in again


def test_without_place_all_nothing_is_placed(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    response = client.post("/intakes/new", data=intake_form(
        token, [{"name": "Sutrisno", "sex": "L", "estimated_age": "52", "pmks_category": "11"}]))
    assert response.status_code == 303
    assert count(BedAssignment, app) == 0


def test_refused_submit_names_the_rows_and_keeps_the_photo(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    rows = [{"name": "Sutrisno", "sex": "L", "estimated_age": "52", "pmks_category": "11"},
            {"name": "Warsini", "sex": "P", "pmks_category": "11"},  # no age: refused
            {"name": "", "sex": "L", "estimated_age": "30", "pmks_category": "11"}]
    data = intake_form(token, rows, place_all="y")
    data["clients-0-photo"] = (io.BytesIO(PNG), "sutrisno.png")
    response = client.post("/intakes/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Penerimaan belum disimpan." in html
    assert '<a href="#row-2">Klien 2</a>, <a href="#row-3">Klien 3</a>' in html
    assert 'href="#row-1"' not in html
    kept = re.search(r'name="clients-0-photo_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="clients-0-photo_token"', html)
    assert kept, "the photo of row 1 is not kept"
    assert count(Client, app) == 0  # nothing written
    # The officer fixes the rows and saves without choosing the photo again.
    rows[1]["estimated_age"] = "47"
    rows[2]["name"] = "Karto"
    data = intake_form(token, rows, place_all="y")
    data["clients-0-photo_token"] = kept.group(1)
    response = client.post("/intakes/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with app.app_context():
        sutrisno = db.session.scalar(select(Client).where(Client.name == "Sutrisno"))
        assert sutrisno.photo_path
        with open(f"{app.instance_path}/{sutrisno.photo_path}", "rb") as stored:
            assert stored.read() == PNG
    # A token is used once; a made-up one is ignored.
    data = intake_form(token, [{"name": "Slamet", "sex": "L", "estimated_age": "40",
                                "pmks_category": "11", "photo_token": kept.group(1)},
                               {"name": "Darmi", "sex": "P", "estimated_age": "40",
                                "pmks_category": "11", "photo_token": "../../etc/passwd"}],
                       bast_number="BAST/08/2026")
    assert client.post("/intakes/new", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Client.photo_path).where(Client.name == "Slamet")) is None


def test_manual_choice_of_an_isolation_bed_warns(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    response = client.post("/intakes/new", data=intake_form(
        token, [{"name": "Sutrisno", "sex": "L", "estimated_age": "52", "pmks_category": "11"}]))
    intake_id = int(response.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert re.search(r"ISO-\d+ / \d+ \(ruang isolasi\)</option>", html)
    with app.app_context():
        stay_id = db.session.get(Intake, intake_id).stays[0].id
        bed_id = room("ISO-01").beds[0].id
    response = client.post(f"/stays/{stay_id}/placement", data={
        "csrf_token": token, "bed_id": str(bed_id), "next": f"/intakes/{intake_id}"})
    assert response.status_code == 303
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert "tidak ditandai perlu isolasi" in html


def test_best_fit_keeps_isolation_beds_for_those_who_need_them(app):
    """Shelter beds free: best fit takes one; shelter full: the client waits rather than
    taking an isolation bed (best fit never does; a manual choice may)."""
    from rps_app.stays import services
    from .stays_support import ACTOR, admit
    with app.app_context():
        for shelter in ("PA-2", "PA-3", "PA-4"):
            room(shelter).active = False
        db.session.flush()
        stays = admit(*[client_row(f"Laki {i}", "L") for i in range(11)])
        results = services.place_all(ACTOR, [stay.id for stay in stays])
        rooms = [outcome.bed.room.code for _stay, outcome in results[:10]]
        assert rooms == ["PA-1"] * 10
        assert results[10][1].code == "room_full"
        assert "shelter laki-laki" in results[10][1].message


def test_api_place_all_flag(app, client):
    from .conftest import api_token
    headers = api_token(client, app, "petugas")
    body = intake_body(client_row("Sutrisno", "L"), client_row("Warsini", "P"), place_all=True)
    response = client.post("/api/v1/intakes", json=body, headers=headers)
    assert response.status_code == 201, response.json
    placements = [row["placement"] for row in response.json["clients"]]
    assert placements[0]["room_code"].startswith("PA-")
    assert placements[1]["room_code"].startswith("PI-") and placements[1]["bed_id"]
    # Default: the contract's answer, nothing placed.
    body = intake_body(client_row("Karto", "L"), bast_number="B/2")
    response = client.post("/api/v1/intakes", json=body, headers=headers)
    assert response.status_code == 201 and "placement" not in response.json["clients"][0]
    response = client.post("/api/v1/intakes", json={**body, "place_all": "ya"}, headers=headers)
    assert response.status_code == 422 and "place_all" in response.json["error"]["fields"]


def test_exit_form_warns_while_the_heads_name_or_nip_is_missing(app, client):
    from rps_app.referrals.letter_settings import SIGNATORY_KEY
    from rps_app.settings import services as settings

    from .factories import make_intake
    with app.app_context():
        stay_id = make_intake(1).stays[0].id
    login(client, app, "petugas")
    html = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    assert "data-signatory-missing" in html and "Nama dan NIP kepala RPS belum diisi" in html
    with app.app_context():
        settings.put(SIGNATORY_KEY, {"name": "Drs. Bambang Sutrisno, M.Si.", "nip": ""})
        db.session.commit()
    html = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    assert "NIP kepala RPS belum diisi" in html and "Nama dan NIP" not in html
    with app.app_context():
        settings.put(SIGNATORY_KEY, {"name": "Drs. Bambang Sutrisno, M.Si.",
                                     "nip": "197203151998031004"})
        db.session.commit()
    assert "data-signatory-missing" not in client.get(f"/stays/{stay_id}/exit").get_data(
        as_text=True)


def test_referral_ask_form_warns_while_the_heads_name_or_nip_is_missing(app, client):
    from .factories import make_intake
    with app.app_context():
        stay_id = make_intake(1).stays[0].id
    login(client, app, "petugas")
    html = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    ask = html[html.index('id="referrals"'):]
    assert "Nama dan NIP kepala RPS belum diisi" in ask
    assert "Tetap kirim permohonan rujukan dan terbitkan suratnya?" in ask


def test_a_large_batch_that_cannot_all_be_placed_keeps_the_session_cookie_small(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/intakes/new")
    rows = [{"name": f"Isolasi {i}", "sex": "L", "estimated_age": "30", "pmks_category": "11",
             "needs_isolation": True} for i in range(60)]
    response = client.post("/intakes/new", data=intake_form(token, rows, place_all="y"))
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert len(cookie) < 2000, len(cookie)  # browsers drop cookies over 4 KB
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count("Semua ruang isolasi penuh.") == 50 and "50 belum ditempatkan" in html
    # Placing the rest from the page: one message per reason, not one per client.
    intake_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/intakes/{intake_id}/place-all", data={"csrf_token": token})
    html = client.get(f"/intakes/{intake_id}").get_data(as_text=True)
    assert "50 klien belum ditempatkan: Semua ruang isolasi penuh." in html
