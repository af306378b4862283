"""GET /api/v1/clients and /api/v1/clients/<id>: shapes of contract.md, roles, audit."""
import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.stays import services as stays

from .conftest import api_token
from .factories import make_intake
from .stays_support import ACTOR, NOW


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.entity == "client").order_by(AuditEntry.id)))


def test_search_answers_the_contract_shape(app, client):
    with app.app_context():
        batch = make_intake(2, place=True)
        first, second = batch.stays
        stays.exit_stay(ACTOR, second.id, {"exit_type": "absconded"})
        db.session.commit()
        expected = {first.client.registration_number: first.id,
                    second.client.registration_number: None}
    headers = api_token(client, app, "staf")
    rows = client.get("/api/v1/clients?q=", headers=headers).get_json()
    assert all(set(row) == {"id", "registration_number", "name", "sex", "nik", "active_stay_id"}
               for row in rows)
    assert {row["registration_number"]: row["active_stay_id"] for row in rows} == expected
    found = client.get("/api/v1/clients?q=sutrisno", headers=headers).get_json()
    assert [row["name"] for row in found] == ["Sutrisno 0"]
    (entry,) = [e for e in audit(app, "search") if e.detail["client_ids"] == [found[0]["id"]]]
    assert entry.username == "api-staf"


def test_one_client_with_stays_and_bed_history_is_an_audited_read(app, client):
    with app.app_context():
        batch = make_intake(1, place=True)
        stay = batch.stays[0]
        client_id, stay_id = stay.client_id, stay.id
        stays.place(ACTOR, stay_id, room_id=stay.assignments[0].room_id + 1)  # a move
        db.session.commit()
    headers = api_token(client, app, "petugas")
    body = client.get(f"/api/v1/clients/{client_id}", headers=headers).get_json()
    assert body["id"] == client_id and body["active_stay_id"] == stay_id
    (record,) = body["stays"]
    assert record["id"] == stay_id and record["exited_at"] is None and record["exit_type"] is None
    assert record["entered_at"].endswith("+07:00")
    assert len(record["beds"]) == 2 and record["beds"][0]["end_at"] is not None
    assert record["beds"][1]["end_at"] is None and record["needs_isolation"] is False
    assert record["belongings"] == []
    reads = audit(app, "read")
    assert [(e.entity_id, e.username) for e in reads] == [(str(client_id), "api-petugas")]


def test_roles_and_unknown_clients(app, client):
    admin = api_token(client, app, "admin")
    assert client.get("/api/v1/clients", headers=admin).status_code == 403
    assert client.get("/api/v1/clients/1", headers=admin).status_code == 403
    assert client.get("/api/v1/clients").status_code == 401
    staff = api_token(client, app, "staf")
    response = client.get("/api/v1/clients/999", headers=staff)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_patch_changes_identity_and_audits_each_field(app, client):
    with app.app_context():
        stay = make_intake(1, place=True).stays[0]
        client_id = stay.client_id
        db.session.commit()
    headers = api_token(client, app, "staf")
    response = client.patch(f"/api/v1/clients/{client_id}", headers=headers,
                            json={"name": "Sutrisno Baru", "origin_regency": "Brebes"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == client_id and body["name"] == "Sutrisno Baru"
    assert body["origin_regency"] == "Brebes"
    (entry,) = audit(app, "update")
    assert entry.entity_id == str(client_id) and entry.username == "api-staf"
    assert entry.detail["name"] == ["Sutrisno 0", "Sutrisno Baru"]
    assert entry.detail["origin_regency"][1] == "Brebes"


def test_patch_refuses_bad_values_naming_the_field_and_writes_nothing(app, client):
    with app.app_context():
        stay = make_intake(1, place=True).stays[0]
        client_id = stay.client_id
        db.session.commit()
    headers = api_token(client, app, "petugas")
    bad = client.patch(f"/api/v1/clients/{client_id}", headers=headers,
                       json={"name": "", "estimated_age": "tua"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"name", "estimated_age"}
    nik = client.patch(f"/api/v1/clients/{client_id}", headers=headers, json={"nik": "123"})
    assert nik.status_code == 422 and nik.get_json()["error"]["code"] == "invalid_nik"
    moved = client.patch(f"/api/v1/clients/{client_id}", headers=headers, json={"sex": "P"})
    assert moved.status_code == 422 and moved.get_json()["error"]["code"] == "sex_mismatch"
    assert client.patch(f"/api/v1/clients/{client_id}", headers=headers,
                        data="[1]", content_type="application/json").status_code == 400
    assert audit(app, "update") == []
    admin = api_token(client, app, "admin")
    assert client.patch(f"/api/v1/clients/{client_id}", headers=admin,
                        json={"name": "X"}).status_code == 403
