"""The client-flow JSON API: shapes, statuses and codes of contract.md."""
import re

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.extensions import db
from rps_app.referrals import services as referrals
from rps_app.stays.models import BedAssignment, Intake, Stay

from .conftest import api_token
from .stays_support import ACTOR, NOW, client_row, count, intake_body, make_nik, room

OFFSET_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")


@pytest.fixture
def auth(app, client):
    clock.freeze(NOW)
    yield api_token(client, app, "petugas")
    clock.freeze(None)


def post_intake(client, auth, *rows, **extra):
    return client.post("/api/v1/intakes", json=intake_body(*rows, **extra), headers=auth)


def admitted(client, auth, *rows) -> list[dict]:
    response = post_intake(client, auth, *rows)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["clients"]


def room_id(app, code: str) -> int:
    with app.app_context():
        return room(code).id


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]["fields"]


# --- rooms ---------------------------------------------------------------------------

def test_rooms_lists_every_room_with_beds_and_occupants(app, client, auth):
    stay_id = admitted(client, auth, client_row())[0]["stay_id"]
    pa1 = room_id(app, "PA-1")
    client.post(f"/api/v1/stays/{stay_id}/placement", json={"room_id": pa1}, headers=auth)
    with app.app_context():
        from rps_app.facility import services as facility
        beds = room("PA-2").beds
        facility.retire_bed(ACTOR, beds[0].id)
        facility.take_out_of_service(ACTOR, beds[1].id, "Rusak")
        db.session.commit()
    response = client.get("/api/v1/rooms", headers=api_token(client, app, "admin"))
    assert response.status_code == 200
    rooms = {r["code"]: r for r in response.get_json()}
    assert len(rooms) == 30 and rooms["DAPUR"] == {
        "id": rooms["DAPUR"]["id"], "code": "DAPUR", "name": "Dapur", "kind": "kitchen",
        "sex": None, "capacity": 0, "occupied": 0, "beds": []}
    assert (rooms["PA-1"]["sex"], rooms["PA-1"]["capacity"], rooms["PA-1"]["occupied"]) == ("L", 10, 1)
    assert rooms["PA-1"]["beds"][0]["stay_id"] == stay_id
    assert set(rooms["PA-1"]["beds"][0]) == {"id", "label", "stay_id"}
    assert rooms["PA-1"]["beds"][1]["stay_id"] is None
    assert (len(rooms["PA-2"]["beds"]), rooms["PA-2"]["capacity"]) == (9, 8)
    assert (rooms["ISO-01"]["kind"], rooms["ISO-01"]["capacity"]) == ("isolation", 1)


def test_rooms_needs_a_token(client):
    error_of(client.get("/api/v1/rooms"), 401, "not_authenticated")


# --- intakes -------------------------------------------------------------------------

def test_intake_answers_ids_numbers_and_stays(app, client, auth):
    response = post_intake(client, auth, client_row("Budi", nik=make_nik()),
                           client_row("Sri", "P", 30))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "clients"}
    assert [c["registration_number"] for c in body["clients"]] == ["RPS-2026-00001",
                                                                   "RPS-2026-00002"]
    with app.app_context():
        stays = db.session.scalars(select(Stay).order_by(Stay.id)).all()
        assert [(s.id, s.client_id, s.intake_id) for s in stays] == [
            (c["stay_id"], c["id"], body["id"]) for c in body["clients"]]


def test_intake_refusals_write_nothing(app, client, auth):
    assert client.post("/api/v1/intakes", data="{bukan json", headers=auth,
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/intakes", json=[1, 2], headers=auth).status_code == 400
    fields = error_of(post_intake(client, auth, client_row(), client_row(pmks_category="11"),
                                  client_row(sex=1)), 422, "validation_error")
    assert set(fields) == {"clients.2.sex"}  # "11" from a form field is read as 11
    fields = error_of(post_intake(client, auth, client_row(), client_row(nik="3328011705800000")),
                      422, "invalid_nik")
    assert list(fields) == ["clients.1.nik"]
    fields = error_of(client.post("/api/v1/intakes", json=intake_body(operation_at=20261106),
                                  headers=auth), 422, "validation_error")
    assert "operation_at" in fields
    assert (count(Intake, app), count(Stay, app)) == (0, 0)


def test_intake_of_a_client_still_inside(app, client, auth):
    first = admitted(client, auth, client_row())[0]
    fields = error_of(post_intake(client, auth, {"client_id": first["id"]}), 409,
                      "already_in_shelter")
    assert list(fields) == ["clients.0.client_id"]
    assert client.post(f"/api/v1/stays/{first['stay_id']}/exit", json={"exit_type": "absconded"},
                       headers=auth).status_code == 200
    again = admitted(client, auth, {"client_id": first["id"]})[0]
    assert again["id"] == first["id"] and again["stay_id"] != first["stay_id"]
    assert again["registration_number"] == first["registration_number"]


@pytest.mark.parametrize("role", ["staf", "admin"])
def test_intake_needs_the_intake_permission(app, client, auth, role):
    error_of(post_intake(client, api_token(client, app, role), client_row()), 403, "forbidden")


# --- stays ---------------------------------------------------------------------------

def test_active_stays(app, client, auth):
    rows = admitted(client, auth, client_row("A"), client_row("B"))
    client.post(f"/api/v1/stays/{rows[0]['stay_id']}/placement",
                json={"room_id": room_id(app, "PA-3")}, headers=auth)
    client.post(f"/api/v1/stays/{rows[1]['stay_id']}/exit", json={"exit_type": "other"},
                headers=auth)
    response = client.get("/api/v1/stays?active=true", headers=auth)
    assert response.status_code == 200
    stays = response.get_json()
    assert len(stays) == 1
    stay = stays[0]
    # absent_sessions: roll calls in a row that missed the stay (operations, stay_facts).
    assert set(stay) == {"id", "client_id", "entered_at", "bed_id", "room_code", "days",
                         "absent_sessions"}
    assert (stay["id"], stay["client_id"], stay["room_code"], stay["days"]) == (
        rows[0]["stay_id"], rows[0]["id"], "PA-3", 0)
    assert OFFSET_RE.match(stay["entered_at"]), stay["entered_at"]
    with app.app_context():
        assert stay["bed_id"] == room("PA-3").beds[0].id
    exited = client.get("/api/v1/stays?active=false", headers=auth).get_json()
    assert [s["id"] for s in exited] == [rows[1]["stay_id"]] and exited[0]["bed_id"] is None
    assert client.get("/api/v1/stays?active=kadang", headers=auth).status_code == 422
    error_of(client.get("/api/v1/stays?active=true", headers=api_token(client, app, "admin")),
             403, "forbidden")


# --- placement -----------------------------------------------------------------------

def test_placement_answers_bed_and_room(app, client, auth):
    stay_id = admitted(client, auth, client_row(needs_isolation=True))[0]["stay_id"]
    response = client.post(f"/api/v1/stays/{stay_id}/placement", json={}, headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"bed_id", "room_code"} and body["room_code"] == "ISO-01"
    response = client.post(f"/api/v1/stays/{stay_id}/placement",
                           json={"room_id": room_id(app, "ISO-02")}, headers=auth)
    assert response.get_json()["room_code"] == "ISO-02"
    with app.app_context():
        assert count(BedAssignment) == 2


def test_placement_refusals(app, client, auth):
    man, woman = [row["stay_id"] for row in admitted(client, auth, client_row(),
                                                     client_row("Sri", "P"))]
    url = f"/api/v1/stays/{man}/placement"
    assert client.post(url, data="x", headers=auth, content_type="application/json").status_code == 400
    assert list(error_of(client.post(url, json={"bed_id": "satu"}, headers=auth), 422,
                         "validation_error")) == ["bed_id"]
    assert list(error_of(client.post(url, json={"room_id": True}, headers=auth), 422,
                         "validation_error")) == ["room_id"]
    error_of(client.post(url, json={"room_id": room_id(app, "PI-1")}, headers=auth), 422,
             "sex_mismatch")
    error_of(client.post(url, json={"room_id": 999}, headers=auth), 404, "not_found")
    error_of(client.post("/api/v1/stays/999/placement", json={}, headers=auth), 404, "not_found")
    with app.app_context():
        bed_id = room("PI-1").beds[0].id
    assert client.post(f"/api/v1/stays/{woman}/placement", json={"bed_id": bed_id},
                       headers=auth).status_code == 200
    other = admitted(client, auth, client_row("Ani", "P"))[0]["stay_id"]
    error_of(client.post(f"/api/v1/stays/{other}/placement", json={"bed_id": bed_id},
                         headers=auth), 409, "bed_occupied")
    error_of(client.post(url, json={}, headers=api_token(client, app, "staf")), 403, "forbidden")
    with app.app_context():
        assert count(BedAssignment) == 1


# --- exit ----------------------------------------------------------------------------

def test_exit_with_a_letter(app, client, auth):
    stay_id = admitted(client, auth, client_row())[0]["stay_id"]
    client.post(f"/api/v1/stays/{stay_id}/placement", json={}, headers=auth)
    with app.app_context():
        institution_id = referrals.add_institution(ACTOR, "Panti Uji", "panti", "Jl. Uji",
                                                   "Semarang").id
        db.session.commit()
    staf = api_token(client, app, "staf")
    response = client.post(f"/api/v1/stays/{stay_id}/exit", headers=staf,
                           json={"exit_type": "panti", "institution_id": institution_id})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["stay_id"], body["exit_type"]) == (stay_id, "panti")
    letter = body["letter"]
    assert set(letter) == {"id", "number", "pdf_url", "verify_url"}
    assert letter["number"].startswith("460/") and str(letter["id"]) in letter["pdf_url"]
    with app.app_context():
        assignment = db.session.scalar(select(BedAssignment))
        assert assignment.end_at == NOW
    error_of(client.post(f"/api/v1/stays/{stay_id}/exit", json={"exit_type": "other"},
                         headers=staf), 409, "already_exited")


def test_exit_without_a_letter_and_refusals(app, client, auth):
    stay_id = admitted(client, auth, client_row())[0]["stay_id"]
    url = f"/api/v1/stays/{stay_id}/exit"
    assert list(error_of(client.post(url, json={"exit_type": "other",
                                                "exited_at": "2030-01-01T00:00:00+07:00"},
                                     headers=auth), 422, "validation_error")) == ["exited_at"]
    assert "family_contact" in error_of(client.post(url, json={"exit_type": "family"},
                                                    headers=auth), 422, "validation_error")
    with app.app_context():
        assert db.session.get(Stay, stay_id).exited_at is None
    response = client.post(url, json={"exit_type": "absconded"}, headers=auth)
    assert response.get_json() == {"stay_id": stay_id, "exit_type": "absconded", "letter": None}
    error_of(client.post(url, json={"exit_type": "other"},
                         headers=api_token(client, app, "admin")), 403, "forbidden")
