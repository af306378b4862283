"""API of referrals: institutions, letter downloads, the intake BAST, corrections."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.referrals import services
from rps_app.referrals.models import Institution, Letter

from .conftest import api_token
from .factories import TEST_ACTOR, make_client
from .letters_support import RECEIVED, intake_of, referred_stay

BODY = {"name": "Balai Besar Rehabilitasi Sosial Margo Laras", "kind": "balai",
        "address": "Jl. Raya Pati-Kudus", "city": "Kabupaten Pati", "phone": "(0295) 381234"}


def issued_letter(app) -> tuple[int, int]:
    """A referral letter on file: (letter id, intake id)."""
    with app.app_context():
        clock.freeze(RECEIVED + timedelta(days=4, hours=2))
        stay = referred_stay()
        letter = services.issue_exit_letter(TEST_ACTOR, stay)
        db.session.commit()
        return letter.id, stay.intake_id


def test_add_and_list_institutions(client, app):
    headers = api_token(client, app, "staf")
    created = client.post("/api/v1/institutions", json=BODY, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "name", "kind", "address", "city", "phone"}
    assert {key: body[key] for key in BODY} == BODY

    listed = client.get("/api/v1/institutions", headers=headers).get_json()
    assert [row["id"] for row in listed] == [body["id"]]
    found = client.get("/api/v1/institutions?q=margo", headers=headers).get_json()
    assert [row["name"] for row in found] == [BODY["name"]]
    assert client.get("/api/v1/institutions?q=pemalang", headers=headers).get_json() == []


def test_phone_is_optional(client, app):
    headers = api_token(client, app, "kepala")
    body = {key: value for key, value in BODY.items() if key != "phone"}
    created = client.post("/api/v1/institutions", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["phone"] is None


def test_bad_kind_is_422_naming_kind(client, app):
    headers = api_token(client, app, "admin")
    response = client.post("/api/v1/institutions", json={**BODY, "kind": "orphanage"},
                           headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["kind"] and "Jenis lembaga" in error["fields"]["kind"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Institution)) == 0


def test_missing_fields_are_named(client, app):
    headers = api_token(client, app, "admin")
    response = client.post("/api/v1/institutions", json={"kind": "panti"}, headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"name", "address", "city"}
    assert client.post("/api/v1/institutions", data="x", headers=headers).status_code == 400


@pytest.mark.parametrize("role, read, add", [("admin", 200, 201), ("kepala", 200, 201),
                                             ("petugas", 200, 403), ("staf", 200, 201)])
def test_institution_permissions(client, app, role, read, add):
    headers = api_token(client, app, role)
    assert client.get("/api/v1/institutions", headers=headers).status_code == read
    assert client.post("/api/v1/institutions", json=BODY, headers=headers).status_code == add


def test_letter_pdf_is_the_same_bytes_every_time(client, app):
    letter_id, _ = issued_letter(app)
    headers = api_token(client, app, "petugas")
    first = client.get(f"/api/v1/letters/{letter_id}.pdf", headers=headers)
    second = client.get(f"/api/v1/letters/{letter_id}.pdf", headers=headers)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data and first.data.startswith(b"%PDF")
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        assert first.data == letter.pdf
        reads = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "letter", AuditEntry.action == "read")).all()
    assert len(reads) == 2 and reads[0].entity_id == str(letter_id)
    assert reads[0].username == "api-petugas"


def test_letter_json_and_downloads_need_client_read(client, app):
    letter_id, intake_id = issued_letter(app)
    admin = api_token(client, app, "admin")
    assert client.get(f"/api/v1/letters/{letter_id}.pdf", headers=admin).status_code == 403
    assert client.get(f"/api/v1/intakes/{intake_id}/bast.pdf", headers=admin).status_code == 403
    assert client.get(f"/api/v1/letters/{letter_id}.pdf").status_code == 401
    staf = api_token(client, app, "staf")
    body = client.get(f"/api/v1/letters/{letter_id}", headers=staf).get_json()
    assert body["number"] == "460/001/RPS/XI/2026" and body["status"] == "valid"
    assert body["pdf_url"] == f"http://127.0.0.1:5000/api/v1/letters/{letter_id}.pdf"
    assert body["verify_url"].startswith("http://127.0.0.1:5000/verify/")
    assert client.get("/api/v1/letters/999.pdf", headers=staf).status_code == 404


def test_intake_bast_is_issued_once(client, app):
    with app.app_context():
        clock.freeze(RECEIVED + timedelta(hours=1))
        intake_id = intake_of([make_client(name="Karyono"), make_client(name="Tasripin")]).id
        db.session.commit()
    headers = api_token(client, app, "petugas")
    first = client.get(f"/api/v1/intakes/{intake_id}/bast.pdf", headers=headers)
    second = client.get(f"/api/v1/intakes/{intake_id}/bast.pdf", headers=headers)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data
    with app.app_context():
        letters = db.session.scalars(select(Letter)).all()
    assert [(letter.kind, letter.intake_id) for letter in letters] == [("intake_bast", intake_id)]
    assert client.get("/api/v1/intakes/999/bast.pdf", headers=headers).status_code == 404


def test_reissue_through_the_api(client, app):
    letter_id, _ = issued_letter(app)
    petugas = api_token(client, app, "petugas")
    missing = client.post(f"/api/v1/letters/{letter_id}/reissue", json={}, headers=petugas)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    made = client.post(f"/api/v1/letters/{letter_id}/reissue",
                       json={"reason": "Salah tulis alamat"}, headers=petugas)
    assert made.status_code == 201
    new = made.get_json()
    assert new["number"] == "460/002/RPS/XI/2026"
    again = client.post(f"/api/v1/letters/{letter_id}/reissue", json={"reason": "lagi"},
                        headers=petugas)
    assert again.status_code == 409
    old = client.get(f"/api/v1/letters/{letter_id}", headers=petugas).get_json()
    assert old["status"] == "replaced" and old["replaced_by_id"] == new["id"]
