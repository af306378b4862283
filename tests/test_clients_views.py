"""Client pages: list with search and pages, the record (audited), identity edit, photo."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.stays import services as stays_services

from .conftest import csrf_token, login
from .factories import make_intake
from .stays_support import ACTOR, NOW, make_nik

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def client_audit(app, action: str, entity_id=None) -> list[AuditEntry]:
    with app.app_context():
        stmt = select(AuditEntry).where(AuditEntry.action == action,
                                        AuditEntry.entity == "client")
        if entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
        return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def first_client(app, count: int = 1) -> int:
    with app.app_context():
        return make_intake(count).stays[0].client_id


def test_list_pages_by_key_newest_first(app, client):
    with app.app_context():
        make_intake(5)
    app.config["PER_PAGE"] = 2
    login(client, app, "staf")
    html = client.get("/clients").get_data(as_text=True)
    assert "Slamet 4" in html and "Painem 3" in html and "Karto 2" not in html
    assert "Lebih baru" not in html
    older = re.search(r'href="(/clients\?after=\d+)"', html).group(1)
    html = client.get(older).get_data(as_text=True)
    assert "Karto 2" in html and "Warsini 1" in html and "Slamet 4" not in html
    newer = re.search(r'href="(/clients\?before=\d+)"', html).group(1)
    back = client.get(newer).get_data(as_text=True)
    assert "Slamet 4" in back and "Painem 3" in back and "Lebih baru" not in back
    last = client.get(re.search(r'href="(/clients\?after=\d+)"', html).group(1))
    assert "Sutrisno 0" in last.get_data(as_text=True) and "Lebih lama" not in last.get_data(as_text=True)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def test_a_search_is_posted_then_shown_under_an_opaque_id(app, client):
    """Post, redirect, get: Back and reload work, and the query never stands in a URL."""
    with app.app_context():
        make_intake(5)
    login(client, app, "staf")
    token = csrf_token(client, "/clients")
    response = client.post("/clients", data={"q": "warsini", "csrf_token": token})
    assert response.status_code == 303
    target = response.headers["Location"]
    assert "warsini" not in target.lower() and "s=" in target
    html = client.get(target).get_data(as_text=True)
    assert "Warsini 1" in html and "Sutrisno 0" not in html and "Painem 3" not in html
    assert 'value="warsini"' in html  # the field shows what was searched
    # A reload: the same page (but for the CSRF tokens, which carry the second they were made).
    assert without_csrf(client.get(target).get_data(as_text=True)) == without_csrf(html)
    assert client_audit(app, "search")[-1].detail["client_ids"] != []
    stale = client.get("/clients?s=unknown").get_data(as_text=True)
    assert "sudah tidak tersimpan" in stale


def test_the_list_filters_by_residence_sex_and_room_and_shows_age_and_bed(app, client):
    with app.app_context():
        placed = make_intake(3, place=True)
        waiting = make_intake(2, bast_number="Q1")
        stays_services.exit_stay(ACTOR, waiting.stays[0].id, {"exit_type": "absconded"})
        db.session.commit()
        stay = placed.stays[0]
        bed = stay.current_assignment.bed
        room_id, where = bed.room_id, f"{bed.room.code} / {bed.label}"
        exited = waiting.stays[0].client.registration_number
        age = stay.client.age_on(clock.local_today())
    login(client, app, "staf")
    html = client.get("/clients").get_data(as_text=True)
    assert where in html and f"<td>{age}</td>" in html and "belum ditempatkan" in html
    inside = client.get("/clients?status=in").get_data(as_text=True)
    assert exited not in inside and inside.count("badge badge-ok") == 4
    out = client.get("/clients?status=out").get_data(as_text=True)
    assert exited in out and "badge badge-ok" not in out
    women = client.get("/clients?sex=P").get_data(as_text=True)
    assert "Sutrisno" not in women and "Warsini" in women
    room = client.get(f"/clients?room={room_id}").get_data(as_text=True)
    assert where in room and exited not in room and room.count("badge badge-ok") >= 1
    token = csrf_token(client, "/clients")
    response = client.post("/clients", data={"q": "", "status": "in", "sex": "L",
                                              "csrf_token": token})
    assert response.headers["Location"].endswith("/clients?status=in&sex=L")


def test_the_record_page_is_an_audited_read(app, client):
    client_id = first_client(app)
    login(client, app, "staf")
    html = client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert "Sutrisno 0" in html and "Riwayat tinggal" in html and "Alun-alun Slawi" not in html
    assert "BAST/11/2026/001" in html
    assert 'action="/clients/%d/identity"' % client_id not in html  # staf may not edit
    client.get(f"/clients/{client_id}")
    assert len(client_audit(app, "read", client_id)) == 2


def test_admin_reads_no_client_record(app, client):
    client_id = first_client(app)
    login(client, app, "admin")
    assert client.get(f"/clients/{client_id}").status_code == 403
    assert client.get("/clients").status_code == 403
    assert client.post("/clients/search.json", json={"q": "Sut"},
                       headers={"X-CSRFToken": csrf_token(client, "/account")}).status_code == 403
    assert client_audit(app, "read") == []


def test_identity_edit_logs_each_field(app, client):
    client_id = first_client(app)
    login(client, app, "petugas")
    token = csrf_token(client, f"/clients/{client_id}")
    nik = make_nik("L", date(1990, 6, 1), serial=21)
    response = client.post(f"/clients/{client_id}/identity", data={
        "csrf_token": token, "name": "Sutrisno Hadi", "identity_known": "y", "nik": nik,
        "sex": "L", "birth_date": "1990-06-01", "estimated_age": "", "pmks_category": "11",
        "origin_regency": "Slawi"})
    assert response.status_code == 303
    (entry,) = client_audit(app, "update", client_id)
    assert entry.detail == {"name": ["Sutrisno 0", "Sutrisno Hadi"],
                            "identity_known": [False, True], "nik": [None, nik],
                            "birth_date": [None, "1990-06-01"], "estimated_age": [20, None],
                            "origin_regency": [None, "Slawi"]}


def test_a_refused_identity_edit_shows_the_field_and_changes_nothing(app, client):
    client_id = first_client(app)
    login(client, app, "petugas")
    token = csrf_token(client, f"/clients/{client_id}")
    reads_before = len(client_audit(app, "read", client_id))
    response = client.post(f"/clients/{client_id}/identity", data={
        "csrf_token": token, "name": "Sutrisno 0", "nik": "33280112", "sex": "L",
        "estimated_age": "20", "pmks_category": "11"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NIK harus terdiri dari 16 angka." in html and 'value="33280112"' in html
    with app.app_context():
        assert db.session.get(Client, client_id).nik is None
    assert client_audit(app, "update", client_id) == []
    # The failed request rolled back, but its read of the record stays in the log.
    assert len(client_audit(app, "read", client_id)) == reads_before + 1


def test_photo_upload_and_authenticated_download(app, client):
    client_id = first_client(app)
    login(client, app, "petugas")
    token = csrf_token(client, f"/clients/{client_id}")
    response = client.post(f"/clients/{client_id}/photo", data={
        "csrf_token": token, "photo": (io.BytesIO(b"GIF89a" + b"\0" * 20), "x.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Foto harus berupa berkas JPEG atau PNG." in response.get_data(as_text=True)
    response = client.post(f"/clients/{client_id}/photo", data={
        "csrf_token": token, "photo": (io.BytesIO(PNG), "foto.png")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    with client.get(f"/clients/{client_id}/photo") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG
        assert "no-store" in photo.headers.get("Cache-Control", "")
    assert f'src="/clients/{client_id}/photo"' in client.get(f"/clients/{client_id}").get_data(
        as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(f"/clients/{client_id}/photo").status_code in (302, 303)


def test_search_as_you_type_gives_only_what_tells_people_apart(app, client):
    with app.app_context():
        make_intake(2)
        total = db.session.scalar(select(func.count()).select_from(Client))
    assert total == 2
    login(client, app, "petugas")
    headers = {"X-CSRFToken": csrf_token(client, "/clients")}
    assert client.post("/clients/search.json", json={"q": "warsi"}).status_code == 400  # no token
    rows = client.post("/clients/search.json", json={"q": "warsi"}, headers=headers).get_json()
    assert len(rows) == 1
    assert set(rows[0]) == {"id", "registration_number", "name", "sex", "birth_year",
                            "active_stay"}
    assert rows[0]["active_stay"] is True and rows[0]["birth_year"] == 2026 - 21
    assert client.post("/clients/search.json", json={"q": "w"},
                       headers=headers).get_json() == []  # too short to search
    assert client_audit(app, "search")[-2].detail == {"client_ids": [rows[0]["id"]]}
