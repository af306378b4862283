"""Roll call: exactly the stays open at the session's time, 409 for a second one, a
correction keeping the earlier entries, the meals count, and the abscondment flag (API
absent_sessions, the board, the dashboard and the exit form's default)."""
import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from rps_app import clock
from rps_app.extensions import db
from rps_app.operations.models import RollCall, RollCallEntry

from .conftest import api_token, csrf_token, login
from .stays_support import client_row, intake_body

NOON = datetime(2026, 11, 9, 5, 0, tzinfo=timezone.utc)  # 12:00 WIB, 9 November


def admit_three(client, headers):
    body = intake_body(client_row("Budi"), client_row("Siti", "P"), client_row("Joko"),
                       received_at="2026-11-08T10:00:00+07:00",
                       operation_at="2026-11-08T09:00:00+07:00")
    response = client.post("/api/v1/intakes", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return [c["stay_id"] for c in response.get_json()["clients"]]


def entries(stay_ids, **statuses):
    return [{"stay_id": sid, "status": statuses.get(str(sid), "present")} for sid in stay_ids]


def test_a_roll_call_names_exactly_the_open_stays(app, client):
    clock.freeze(NOON)
    headers = api_token(client, app, "petugas")
    ids = admit_three(client, headers)
    missing = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-09", "session": "pagi", "entries": entries(ids[:2])}, headers=headers)
    assert missing.status_code == 422
    error = missing.get_json()["error"]
    assert error["code"] == "validation_error" and str(ids[2]) in error["fields"]["entries"]
    extra = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-09", "session": "pagi", "entries": entries(ids + [9999])},
        headers=headers)
    assert extra.status_code == 422 and "9999" in extra.get_json()["error"]["fields"]["entries"]
    # Stays that entered after the session's time are not expected at it.
    early = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-08", "session": "pagi", "entries": entries(ids)}, headers=headers)
    assert early.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollCall)) == 0
        assert db.session.scalar(select(func.count()).select_from(RollCallEntry)) == 0
    ok = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-09", "session": "pagi",
        "entries": entries(ids, **{str(ids[1]): "absent"})}, headers=headers)
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["counts"] == {"present": 2, "absent": 1, "permitted": 0, "hospital": 0}
    again = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-09", "session": "pagi", "entries": entries(ids)}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "rollcall_exists"
    listed = client.get("/api/v1/rollcalls?date=2026-11-09", headers=headers).get_json()
    assert [(r["id"], r["session"], r["counts"]["present"]) for r in listed] == \
        [(body["id"], "pagi", 2)]
    assert {e["stay_id"] for e in listed[0]["entries"]} == set(ids)


def test_bad_roll_call_input_names_the_field(app, client):
    clock.freeze(NOON)
    headers = api_token(client, app, "petugas")
    ids = admit_three(client, headers)
    for body, field in (({"date": "2026-11-09", "session": "siang", "entries": entries(ids)},
                         "session"),
                        ({"date": "2026-11-10", "session": "pagi", "entries": entries(ids)},
                         "date"),
                        ({"date": "2026-11-09", "session": "pagi",
                          "entries": [{"stay_id": ids[0], "status": "gone"}]},
                         "entries.0.status")):
        response = client.post("/api/v1/rollcalls", json=body, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    staf = api_token(client, app, "staf")
    assert client.post("/api/v1/rollcalls", json={"date": "2026-11-09", "session": "pagi",
                                                  "entries": entries(ids)},
                       headers=staf).status_code == 403
    assert client.get("/api/v1/rollcalls?date=2026-11-09", headers=staf).status_code == 200


def test_a_correction_keeps_the_earlier_entries(app, client):
    clock.freeze(NOON)
    headers = api_token(client, app, "petugas")
    ids = admit_three(client, headers)
    first = client.post("/api/v1/rollcalls", json={
        "date": "2026-11-09", "session": "pagi",
        "entries": entries(ids, **{str(ids[0]): "absent"})}, headers=headers).get_json()
    incomplete = client.put(f"/api/v1/rollcalls/{first['id']}",
                            json={"entries": entries(ids[1:])}, headers=headers)
    assert incomplete.status_code == 422 and str(ids[0]) in \
        incomplete.get_json()["error"]["fields"]["entries"]
    fixed = client.put(f"/api/v1/rollcalls/{first['id']}", json={
        "entries": entries(ids, **{str(ids[0]): "permitted"})}, headers=headers)
    assert fixed.status_code == 200
    assert fixed.get_json()["counts"] == {"present": 2, "absent": 0, "permitted": 1,
                                          "hospital": 0}
    assert fixed.get_json()["version"] == 2
    with app.app_context():
        history = db.session.execute(select(RollCallEntry.version, RollCallEntry.status).where(
            RollCallEntry.stay_id == ids[0]).order_by(RollCallEntry.version)).all()
        assert [tuple(h) for h in history] == [(1, "absent"), (2, "permitted")]
    audit = client.get(f"/api/v1/audit?entity=rollcall&entity_id={first['id']}",
                       headers=api_token(client, app, "kepala")).get_json()
    assert {a["action"] for a in audit} == {"create", "correct"}


def test_two_absences_in_a_row_flag_a_possible_abscondment(app, client):
    headers = api_token(client, app, "petugas")
    clock.freeze(NOON)
    ids = admit_three(client, headers)
    budi = str(ids[0])
    client.post("/api/v1/rollcalls", json={"date": "2026-11-09", "session": "pagi",
                                           "entries": entries(ids, **{budi: "absent"})},
                headers=headers)

    def absent_sessions():
        rows = client.get("/api/v1/stays?active=true", headers=headers).get_json()
        return {row["id"]: row["absent_sessions"] for row in rows}

    assert absent_sessions() == {ids[0]: 1, ids[1]: 0, ids[2]: 0}
    clock.freeze(datetime(2026, 11, 9, 15, 0, tzinfo=timezone.utc))  # 22:00 WIB
    client.post("/api/v1/rollcalls", json={"date": "2026-11-09", "session": "malam",
                                           "entries": entries(ids, **{budi: "absent"})},
                headers=headers)
    assert absent_sessions()[ids[0]] == 2
    login(client, app, "kepala")
    assert "kemungkinan kabur" in client.get("/rooms").get_data(as_text=True)
    assert f'data-abscond="{ids[0]}"' in client.get("/").get_data(as_text=True)
    form = client.get(f"/stays/{ids[0]}/exit").get_data(as_text=True)
    assert re.search(r'<option (selected value="absconded"|value="absconded" selected)', form)
    assert 'id="abscond-hint"' in form
    assert 'value="2026-11-09T07:00"' in form
    # The API exit as absconded defaults exited_at to the first missed session.
    exit_ = client.post(f"/api/v1/stays/{ids[0]}/exit", json={"exit_type": "absconded"},
                        headers=headers)
    assert exit_.status_code == 200, exit_.get_json()
    client_id = client.get("/api/v1/stays?active=false", headers=headers).get_json()[0]
    stay = client.get(f"/api/v1/clients/{client_id['client_id']}", headers=headers).get_json()
    assert any(s.get("exited_at", "").startswith("2026-11-09T07:00") for s in stay["stays"])
    # A present roll call in between resets the run.
    clock.freeze(datetime(2026, 11, 10, 1, 0, tzinfo=timezone.utc))  # 08:00 WIB, 10 Nov
    client.post("/api/v1/rollcalls", json={"date": "2026-11-10", "session": "pagi",
                                           "entries": entries(ids[1:])}, headers=headers)
    assert absent_sessions() == {ids[1]: 0, ids[2]: 0}


def test_the_page_takes_a_roll_call_with_exceptions_and_shows_the_meals(app, client):
    clock.freeze(NOON)
    headers = api_token(client, app, "petugas")
    ids = admit_three(client, headers)
    login(client, app, "petugas", username="jaga")
    page = client.get("/rollcall?date=2026-11-09&session=pagi").get_data(as_text=True)
    assert all(f'name="status_{sid}" value="present" checked' in page for sid in ids)
    token = csrf_token(client, "/rollcall?date=2026-11-09&session=pagi")
    form = {"csrf_token": token, "date": "2026-11-09", "session": "pagi",
            "stay_id": [str(s) for s in ids], f"status_{ids[1]}": "hospital",
            f"note_{ids[1]}": "RSUD Soesilo"}
    done = client.post("/rollcall", data=form, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and 'data-meals>2<' in html
    assert "RSUD Soesilo" in html
    assert "Porsi makan (klien hadir): 2" in client.get("/").get_data(as_text=True)
