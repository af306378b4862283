"""The visitor log and maintenance requests through the JSON API (contract.md, "Facility
use"): visits only to clients in residence, visitors' data read by the client roles and
audited; a bed taken out of service by a maintenance request leaves placement and the
available bed nights for exactly its nights, and is refused while someone sleeps in it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.facility.models import BedOutage
from rps_app.facility_use.models import MaintenanceRequest, Visit

from .conftest import api_token
from .stays_support import NOW, client_row, count, room
from .test_facility_use_bookings import admitted, error_of, room_id


@pytest.fixture
def auth(app, client):
    clock.freeze(NOW)  # 10:00 in Slawi, 6 November 2026
    yield api_token(client, app, "petugas")
    clock.freeze(None)


def visit(stay_id, **extra) -> dict:
    return {"visitor_name": "Sumiyati", "relation": "istri", "id_number": "3328014505800001",
            "phone": "0812-2900-1234", "stay_id": stay_id, **extra}


# --- visits ---------------------------------------------------------------------------

def test_a_visit_is_logged_listed_by_date_and_its_departure_recorded(app, client, auth):
    (stay,) = admitted(client, auth, client_row())
    response = client.post("/api/v1/visits", json=visit(stay), headers=auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"id": body["id"], "stay_id": stay, "visitor_name": "Sumiyati",
                    "relation": "istri", "id_number": "3328014505800001",
                    "phone": "0812-2900-1234", "arrived_at": "2026-11-06T10:00:00+07:00",
                    "departed_at": None}
    clock.freeze(NOW + timedelta(minutes=30))  # recorded at 10:30, arrived at 10:10
    later = client.post("/api/v1/visits", json=visit(stay, visitor_name="Darmo",
                                                     relation="kakak", id_number=None,
                                                     phone=None,
                                                     arrived_at="2026-11-06T10:10:00+07:00"),
                        headers=auth)
    assert later.status_code == 201, later.get_json()

    today = client.get("/api/v1/visits?date=2026-11-06", headers=auth).get_json()
    assert [v["visitor_name"] for v in today] == ["Sumiyati", "Darmo"]
    assert client.get("/api/v1/visits", headers=auth).get_json() == today  # default: today
    assert client.get("/api/v1/visits?date=2026-11-05", headers=auth).get_json() == []

    clock.freeze(NOW + timedelta(minutes=45))
    left = client.post(f"/api/v1/visits/{body['id']}/departure", headers=auth)
    assert left.status_code == 200
    assert left.get_json()["departed_at"] == "2026-11-06T10:45:00+07:00"
    error_of(client.post(f"/api/v1/visits/{body['id']}/departure", headers=auth),
             409, "already_departed")
    error_of(client.post("/api/v1/visits/999999/departure", headers=auth), 404, "not_found")


def test_reads_of_visitors_are_audited_without_their_names(app, client, auth):
    (stay,) = admitted(client, auth, client_row())
    made = client.post("/api/v1/visits", json=visit(stay), headers=auth).get_json()
    client.get("/api/v1/visits?date=2026-11-06", headers=auth)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "visit")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.action, e.username) for e in entries] == [("create", "api-petugas"),
                                                             ("read", "api-petugas")]
        assert entries[1].detail["visit_ids"] == [made["id"]]
        assert "Sumiyati" not in str([e.detail for e in entries])


def test_a_visit_to_a_closed_stay_is_409_already_exited(app, client, auth):
    (stay,) = admitted(client, auth, client_row())
    assert client.post(f"/api/v1/stays/{stay}/exit", json={
        "exit_type": "family", "family_contact": {"name": "Sumiyati", "address": "Slawi"}},
        headers=auth).status_code == 200
    fields = error_of(client.post("/api/v1/visits", json=visit(stay), headers=auth),
                      409, "already_exited")
    assert "stay_id" in fields
    assert count(Visit, app) == 0


@pytest.mark.parametrize("change, field", [
    ({"visitor_name": ""}, "visitor_name"),
    ({"visitor_name": None}, "visitor_name"),
    ({"visitor_name": "x" * 121}, "visitor_name"),
    ({"relation": ""}, "relation"),
    ({"stay_id": None}, "stay_id"),
    ({"stay_id": 999999}, "stay_id"),
    ({"stay_id": "satu"}, "stay_id"),
    ({"stay_id": 10 ** 20}, "stay_id"),
    ({"id_number": "KTP<script>"}, "id_number"),
    ({"phone": "telepon saya"}, "phone"),
    ({"arrived_at": "kemarin"}, "arrived_at"),
    ({"arrived_at": "2026-11-06T12:00:00+07:00"}, "arrived_at"),   # in the future
    ({"arrived_at": "2026-11-01T12:00:00+07:00"}, "arrived_at"),   # before the intake
])
def test_bad_visits_are_422_naming_the_field(app, client, auth, change, field):
    (stay,) = admitted(client, auth, client_row())
    body = visit(stay)
    body.update(change)
    fields = error_of(client.post("/api/v1/visits", json=body, headers=auth),
                      422, "validation_error")
    assert field in {key.split(".")[0] for key in fields}, fields  # `stay_ids.0` names it too
    assert count(Visit, app) == 0


def test_visitors_are_read_by_the_roles_that_read_clients(app, client, auth):
    (stay,) = admitted(client, auth, client_row())
    admin = api_token(client, app, "admin")
    error_of(client.get("/api/v1/visits", headers=admin), 403, "forbidden")
    error_of(client.post("/api/v1/visits", json=visit(stay), headers=admin), 403, "forbidden")
    for role in ("kepala", "staf"):
        headers = api_token(client, app, role)
        assert client.get("/api/v1/visits", headers=headers).status_code == 200
    assert client.post("/api/v1/visits", json=visit(stay),
                       headers=api_token(client, app, "staf", "staf2")).status_code == 201


# --- maintenance ----------------------------------------------------------------------

def maintenance(client, headers, room, **extra):
    return client.post("/api/v1/maintenance", json={"room_id": room, "description":
                                                    "Kaki ranjang patah", **extra},
                       headers=headers)


def test_maintenance_of_a_room_without_taking_a_bed(app, client, auth):
    response = maintenance(client, auth, room_id(app, "DAPUR"), description="Keran bocor")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["room_id"], body["bed_id"], body["bed_out_of_service"], body["status"]) == (
        room_id(app, "DAPUR"), None, False, "open")
    listed = client.get("/api/v1/maintenance", headers=auth).get_json()
    assert [r["id"] for r in listed] == [body["id"]]
    done = client.post(f"/api/v1/maintenance/{body['id']}/done", json={"note": "Diganti"},
                       headers=auth)
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert client.get("/api/v1/maintenance", headers=auth).get_json() == []
    assert [r["id"] for r in client.get("/api/v1/maintenance?status=done",
                                        headers=auth).get_json()] == [body["id"]]
    error_of(client.post(f"/api/v1/maintenance/{body['id']}/done", headers=auth),
             409, "already_done")
    error_of(client.get("/api/v1/maintenance?status=lain", headers=auth), 422, "validation_error")


def test_a_bed_out_of_service_leaves_placement_and_capacity_for_exactly_its_nights(
        app, client, auth):
    with app.app_context():
        pa1 = room("PA-1")
        bed = pa1.beds[2].id
        pa1_id = pa1.id
    # Nights of 5-10 November before: 90 client beds every night.
    report = client.get("/api/v1/reports/occupancy?from=2026-11-05&to=2026-11-10", headers=auth)
    assert [d["capacity"] for d in report.get_json()["daily"]] == [90] * 6

    made = maintenance(client, auth, pa1_id, bed_id=bed, bed_out_of_service=True)
    assert made.status_code == 201, made.get_json()
    with app.app_context():
        assert db.session.scalar(select(BedOutage).where(BedOutage.bed_id == bed,
                                                         BedOutage.end_at.is_(None))) is not None
    rooms = {r["code"]: r for r in client.get("/api/v1/rooms", headers=auth).get_json()}
    assert rooms["PA-1"]["capacity"] == 9  # the bed board's count

    (stay,) = admitted(client, auth, client_row())
    fields = error_of(client.post(f"/api/v1/stays/{stay}/placement", json={"bed_id": bed},
                                  headers=auth), 422, "validation_error")
    assert "bed_id" in fields
    placed = client.post(f"/api/v1/stays/{stay}/placement", json={"room_id": pa1_id},
                         headers=auth).get_json()
    assert placed["bed_id"] != bed

    clock.freeze(NOW + timedelta(days=2, hours=23))  # 9 November, 09:00: repaired
    auth = api_token(client, app, "petugas", "petugas-pagi")  # yesterday's token expired
    done = client.post(f"/api/v1/maintenance/{made.get_json()['id']}/done", headers=auth)
    assert done.status_code == 200, done.get_json()
    rooms = {r["code"]: r for r in client.get("/api/v1/rooms", headers=auth).get_json()}
    assert rooms["PA-1"]["capacity"] == 10

    report = client.get("/api/v1/reports/occupancy?from=2026-11-05&to=2026-11-10", headers=auth)
    body = report.get_json()
    # Out the nights of 6, 7 and 8 November; in service again the night of the 9th.
    assert [d["capacity"] for d in body["daily"]] == [90, 89, 89, 89, 90, 90]
    assert body["available_bed_nights"] == 6 * 90 - 3
    assert body["by_room_kind"]["shelter"]["available_bed_nights"] == 6 * 80 - 3

    other = client.post(f"/api/v1/stays/{admitted(client, auth, client_row('Karto'))[0]}/placement",
                        json={"bed_id": bed}, headers=auth)
    assert other.status_code == 200 and other.get_json()["bed_id"] == bed


def test_maintenance_cannot_take_an_occupied_bed_out_of_service(app, client, auth):
    (stay,) = admitted(client, auth, client_row())
    placed = client.post(f"/api/v1/stays/{stay}/placement", json={}, headers=auth).get_json()
    with app.app_context():
        from rps_app.facility.models import Bed
        room_of_bed = db.session.get(Bed, placed["bed_id"]).room_id
    fields = error_of(maintenance(client, auth, room_of_bed, bed_id=placed["bed_id"],
                                  bed_out_of_service=True), 409, "bed_occupied")
    assert "bed_id" in fields
    assert count(MaintenanceRequest, app) == 0 and count(BedOutage, app) == 0
    # Reporting a fault of that bed without taking it is fine.
    assert maintenance(client, auth, room_of_bed, bed_id=placed["bed_id"]).status_code == 201


def test_done_leaves_alone_an_outage_an_administrator_ended_already(app, client, auth):
    with app.app_context():
        pa2 = room("PA-2")
        bed, pa2_id = pa2.beds[0].id, pa2.id
    made = maintenance(client, auth, pa2_id, bed_id=bed, bed_out_of_service=True).get_json()
    error_of(maintenance(client, auth, pa2_id, bed_id=bed, bed_out_of_service=True),
             409, "bed_out_of_service")
    with app.app_context():
        from rps_app.facility import services as facility
        from .stays_support import ACTOR
        facility.return_to_service(ACTOR, bed)
        facility.take_out_of_service(ACTOR, bed, "Dibersihkan")  # another outage, not ours
        db.session.commit()
    assert client.post(f"/api/v1/maintenance/{made['id']}/done", headers=auth).status_code == 200
    with app.app_context():
        open_outage = db.session.scalar(select(BedOutage).where(BedOutage.bed_id == bed,
                                                                BedOutage.end_at.is_(None)))
        assert open_outage is not None and open_outage.reason == "Dibersihkan"


@pytest.mark.parametrize("change, field", [
    ({"room_id": None}, "room_id"),
    ({"room_id": 999999}, "room_id"),
    ({"room_id": 10 ** 20}, "room_id"),
    ({"bed_id": 10 ** 20}, "bed_id"),
    ({"description": ""}, "description"),
    ({"description": "x" * 2001}, "description"),
    ({"bed_out_of_service": True}, "bed_id"),         # which bed?
    ({"bed_out_of_service": "ya"}, "bed_out_of_service"),
    ({"bed_id": "other-room"}, "bed_id"),
])
def test_bad_maintenance_requests_are_422_naming_the_field(app, client, auth, change, field):
    body = {"room_id": room_id(app, "PA-1"), "description": "Lampu mati"}
    body.update(change)
    if body.get("bed_id") == "other-room":
        with app.app_context():
            body["bed_id"] = room("PA-2").beds[0].id
    fields = error_of(client.post("/api/v1/maintenance", json=body, headers=auth),
                      422, "validation_error")
    assert field in {key.split(".")[0] for key in fields}, fields  # `stay_ids.0` names it too
    assert count(MaintenanceRequest, app) == 0


def test_every_role_reports_maintenance_admin_included(app, client, auth):
    kantor = room_id(app, "KANTOR")
    for role in ("admin", "kepala", "staf"):
        headers = api_token(client, app, role)
        assert maintenance(client, headers, kantor).status_code == 201
    error_of(client.get("/api/v1/maintenance"), 401, "not_authenticated")


# --- personal data over time ----------------------------------------------------------

def test_visitors_leave_with_the_client_at_retention_and_are_in_the_export(app, client, auth):
    from rps_app.privacy import services as privacy
    from rps_app.stays.models import Stay
    (stay,) = admitted(client, auth, client_row())
    made = client.post("/api/v1/visits", json=visit(stay), headers=auth).get_json()
    client.post(f"/api/v1/stays/{stay}/exit", json={"exit_type": "absconded"}, headers=auth)
    with app.app_context():
        from .stays_support import ACTOR
        client_id = db.session.get(Stay, stay).client_id
        exported = privacy.export(ACTOR, client_id)
        assert [(v["id"], v["visitor_name"], v["id_number"]) for v in exported["visits"]] == [
            (made["id"], "Sumiyati", "3328014505800001")]
        assert exported["sessions"] == []
        privacy.anonymise(ACTOR, client_id)
        db.session.commit()
        kept = db.session.get(Visit, made["id"])
        assert "Sumiyati" not in kept.visitor_name
        assert (kept.id_number, kept.phone, kept.relation) == (None, None, "istri")
        assert kept.arrived_at is not None  # the dates stay
