"""Incidents: recording (bad input names the field), the list by period, the head's
acknowledgement (a high one stays on the dashboard until then), the client's and stay's
pages, the monthly report's count by kind, and who may do what."""
import io
from datetime import date, datetime, timezone

from pypdf import PdfReader
from sqlalchemy import func, select

from rps_app import clock
from rps_app.extensions import db
from rps_app.operations.models import Incident, IncidentStay

from .conftest import api_token, login
from .stays_support import client_row, intake_body

NOON = datetime(2026, 11, 9, 5, 0, tzinfo=timezone.utc)


def admit(client, headers) -> list[int]:
    body = intake_body(client_row("Budi"), client_row("Joko"),
                       received_at="2026-11-08T10:00:00+07:00",
                       operation_at="2026-11-08T09:00:00+07:00")
    return [c["stay_id"] for c in client.post("/api/v1/intakes", json=body,
                                              headers=headers).get_json()["clients"]]


def incident(**extra) -> dict:
    body = {"occurred_at": "2026-11-09T10:30:00+07:00", "kind": "conflict",
            "severity": "medium", "stay_ids": [], "description": "Berebut tempat tidur",
            "action_taken": "Dipisahkan"}
    body.update(extra)
    return body


def test_record_list_and_acknowledge(app, client):
    clock.freeze(NOON)
    petugas = api_token(client, app, "petugas")
    ids = admit(client, petugas)
    created = client.post("/api/v1/incidents", json=incident(stay_ids=ids, severity="high",
                                                             kind="violence"), headers=petugas)
    assert created.status_code == 201
    body = created.get_json()
    assert body["kind"] == "violence" and body["stay_ids"] == sorted(ids)
    assert body["occurred_at"] == "2026-11-09T10:30:00+07:00"
    client.post("/api/v1/incidents", json=incident(occurred_at="2026-10-01T10:00:00+07:00"),
                headers=petugas)
    listed = client.get("/api/v1/incidents?from=2026-11-01&to=2026-11-30",
                        headers=petugas).get_json()
    assert [i["id"] for i in listed] == [body["id"]]
    login(client, app, "kepala")
    assert f'data-incident="{body["id"]}"' in client.get("/").get_data(as_text=True)
    assert "Berebut tempat tidur" in client.get(f"/stays/{ids[0]}").get_data(as_text=True)
    client_id = client.get("/api/v1/stays?active=true", headers=petugas).get_json()[0]["client_id"]
    assert "Berebut tempat tidur" in client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert client.post(f"/api/v1/incidents/{body['id']}/acknowledge",
                       headers=petugas).status_code == 403
    kepala = api_token(client, app, "kepala")
    acked = client.post(f"/api/v1/incidents/{body['id']}/acknowledge", headers=kepala)
    assert acked.status_code == 200 and acked.get_json()["acknowledged_at"]
    assert f'data-incident="{body["id"]}"' not in client.get("/").get_data(as_text=True)
    assert client.post(f"/api/v1/incidents/{body['id']}/acknowledge",
                       headers=kepala).status_code == 409


def test_bad_incidents_name_the_field_and_write_nothing(app, client):
    clock.freeze(NOON)
    petugas = api_token(client, app, "petugas")
    for body, field in ((incident(kind="fire"), "kind"), (incident(severity="extreme"), "severity"),
                        (incident(stay_ids=[9999]), "stay_ids"),
                        (incident(occurred_at="kemarin"), "occurred_at"),
                        (incident(description=""), "description")):
        response = client.post("/api/v1/incidents", json=body, headers=petugas)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
        assert db.session.scalar(select(func.count()).select_from(IncidentStay)) == 0
    staf = api_token(client, app, "staf")
    assert client.post("/api/v1/incidents", json=incident(), headers=staf).status_code == 403
    assert client.get("/api/v1/incidents", headers=staf).status_code == 200
    admin = api_token(client, app, "admin")
    assert client.get("/api/v1/incidents", headers=admin).status_code == 403


def test_the_monthly_report_counts_incidents_by_kind(app, client):
    clock.freeze(NOON)
    petugas = api_token(client, app, "petugas")
    for kind in ("medical", "medical", "abscond"):
        client.post("/api/v1/incidents", json=incident(kind=kind), headers=petugas)
    with app.app_context():
        from rps_app.reporting import documents
        pdf = documents.build("monthly", date(2026, 11, 1), date(2026, 11, 30))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
                    .split())
    assert "Kejadian menurut Jenis" in text
    assert "Medis 2" in text and "Melarikan diri 1" in text and "Jumlah 3" in text


def test_the_incidents_page_records_by_form(app, client):
    from .conftest import csrf_token
    clock.freeze(NOON)
    petugas = api_token(client, app, "petugas")
    ids = admit(client, petugas)
    login(client, app, "petugas", username="jaga")
    page = client.get("/incidents").get_data(as_text=True)
    assert "Catat kejadian" in page
    token = csrf_token(client, "/incidents")
    response = client.post("/incidents", data={
        "csrf_token": token, "occurred_at": "2026-11-09T11:00", "kind": "medical",
        "severity": "low", "stay_ids": [str(ids[1])], "description": "Demam",
        "action_taken": "Diberi obat"})
    assert response.status_code == 303
    assert "Demam" in client.get("/incidents?from=2026-11-01&to=2026-11-30").get_data(as_text=True)


def test_retention_blanks_texts_and_the_export_holds_them(app, client):
    clock.freeze(NOON)
    petugas = api_token(client, app, "petugas")
    ids = admit(client, petugas)
    client.post("/api/v1/incidents", json=incident(stay_ids=[ids[0]]), headers=petugas)
    client.post("/api/v1/rollcalls", json={"date": "2026-11-09", "session": "pagi", "entries": [
        {"stay_id": ids[0], "status": "permitted", "note": "Ke rumah kakak di Adiwerna"},
        {"stay_id": ids[1], "status": "present"}]}, headers=petugas)
    kepala = api_token(client, app, "kepala")
    client_id = next(s["client_id"] for s in client.get(
        "/api/v1/stays?active=true", headers=petugas).get_json() if s["id"] == ids[0])
    exported = client.get(f"/api/v1/clients/{client_id}/export.json", headers=kepala).get_json()
    assert exported["rollcall_entries"][0]["note"] == "Ke rumah kakak di Adiwerna"
    assert exported["incidents"][0]["description"] == "Berebut tempat tidur"
    with app.app_context():
        from rps_app.audit.services import Actor
        from rps_app.operations import personal_data
        from rps_app.clients.models import Client
        personal_data.anonymise(db.session.get(Client, client_id), actor=Actor.system())
        db.session.commit()
        assert db.session.scalar(select(Incident.description)) == personal_data.REMOVED
        assert db.session.scalar(select(Incident.kind)) == "conflict"
    listed = client.get("/api/v1/rollcalls?date=2026-11-09", headers=petugas).get_json()
    assert listed[0]["counts"]["permitted"] == 1
    from rps_app.operations.personal_data import REMOVED
    assert {e["note"] for e in listed[0]["entries"]} == {REMOVED, None}
