"""Room bookings through the JSON API (contract.md, "Facility use"): overlaps refused with
409 room_booked on half-open intervals, back-to-back allowed, cancelled bookings free
their time, therapy sessions name open stays and a counsellor, the session note becomes a
case note. Both databases."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.errors import DomainError
from rps_app.extensions import db
from rps_app.facility_use import bookings
from rps_app.facility_use.models import Booking
from rps_app.stays.models import CaseNote

from .conftest import api_token
from .stays_support import ACTOR, NOW, client_row, count, intake_body, room


@pytest.fixture
def auth(app, client):
    clock.freeze(NOW)  # 10:00 in Slawi, 6 November 2026
    yield api_token(client, app, "petugas")
    clock.freeze(None)


def add_staff(name: str = "Dra. Siti Konselor", **extra) -> int:
    """A member of the staff register (operations); needs an app context."""
    from rps_app.operations import staff
    member = staff.create_staff(ACTOR, {"name": name, "sex": "P", "position": "Konselor",
                                        **extra})
    db.session.commit()
    return member.id


@pytest.fixture
def counsellor(app):
    with app.app_context():
        return add_staff()


def room_id(app, code: str) -> int:
    with app.app_context():
        return room(code).id


def admitted(client, auth, *rows) -> list[int]:
    response = client.post("/api/v1/intakes", json=intake_body(*rows), headers=auth)
    assert response.status_code == 201, response.get_json()
    return [row["stay_id"] for row in response.get_json()["clients"]]


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]["fields"]


def booking(room, start="2026-11-07T09:00:00+07:00", end="2026-11-07T10:00:00+07:00",
            purpose="Rapat keluarga", **extra) -> dict:
    return {"room_id": room, "starts_at": start, "ends_at": end, "purpose": purpose, **extra}


def book(client, auth, **kwargs):
    return client.post("/api/v1/bookings", json=booking(**kwargs), headers=auth)


def test_a_booking_answers_201_and_is_listed(app, client, auth):
    kom = room_id(app, "KOM-1")
    response = book(client, auth, room=kom)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"id": body["id"], "room_id": kom, "room_code": "KOM-1", "kind": "communal",
                    "starts_at": "2026-11-07T09:00:00+07:00",
                    "ends_at": "2026-11-07T10:00:00+07:00", "purpose": "Rapat keluarga",
                    "stay_ids": [], "staff_id": None, "status": "booked",
                    "cancelled_at": None, "note_ids": []}
    listed = client.get("/api/v1/bookings?from=2026-11-07&to=2026-11-07", headers=auth)
    assert [b["id"] for b in listed.get_json()] == [body["id"]]
    # Another day's list does not hold it; the default list is a week from today.
    assert client.get("/api/v1/bookings?from=2026-11-08&to=2026-11-09",
                      headers=auth).get_json() == []
    assert [b["id"] for b in client.get("/api/v1/bookings", headers=auth).get_json()] == [body["id"]]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "booking"))
        assert (entry.action, entry.entity_id) == ("create", str(body["id"]))


@pytest.mark.parametrize("start, end", [
    ("2026-11-07T09:00:00+07:00", "2026-11-07T10:00:00+07:00"),   # the same hour
    ("2026-11-07T09:30:00+07:00", "2026-11-07T09:45:00+07:00"),   # inside it
    ("2026-11-07T08:00:00+07:00", "2026-11-07T09:01:00+07:00"),   # over its start
    ("2026-11-07T09:59:00+07:00", "2026-11-07T11:00:00+07:00"),   # over its end
    ("2026-11-07T08:00:00+07:00", "2026-11-07T12:00:00+07:00"),   # around it
    ("2026-11-07T02:30:00Z", "2026-11-07T02:31:00Z"),             # inside, another offset
])
def test_an_overlapping_booking_of_the_room_is_409_room_booked(app, client, auth, start, end):
    kom = room_id(app, "KOM-1")
    assert book(client, auth, room=kom).status_code == 201
    fields = error_of(book(client, auth, room=kom, start=start, end=end), 409, "room_booked")
    assert "starts_at" in fields
    assert count(Booking, app) == 1  # nothing written


def test_back_to_back_and_other_rooms_are_allowed(app, client, auth):
    kom, kom2 = room_id(app, "KOM-1"), room_id(app, "KOM-2")
    assert book(client, auth, room=kom).status_code == 201
    before = book(client, auth, room=kom, start="2026-11-07T08:00:00+07:00",
                  end="2026-11-07T09:00:00+07:00")
    after = book(client, auth, room=kom, start="2026-11-07T10:00:00+07:00",
                 end="2026-11-07T11:00:00+07:00")
    other_room = book(client, auth, room=kom2)
    assert (before.status_code, after.status_code, other_room.status_code) == (201, 201, 201)
    assert count(Booking, app) == 4


def test_a_cancelled_booking_frees_its_time(app, client, auth):
    gh = room_id(app, "GH")
    first = book(client, auth, room=gh, start="2026-11-07T12:00:00+07:00",
                 end="2026-11-09T12:00:00+07:00").get_json()
    error_of(book(client, auth, room=gh, start="2026-11-08T12:00:00+07:00",
                  end="2026-11-08T18:00:00+07:00"), 409, "room_booked")
    cancelled = client.post(f"/api/v1/bookings/{first['id']}/cancel",
                            json={"reason": "Keluarga batal datang"}, headers=auth)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancelled_at"].startswith("2026-11-06T10:00:00")
    again = book(client, auth, room=gh, start="2026-11-08T12:00:00+07:00",
                 end="2026-11-08T18:00:00+07:00")
    assert again.status_code == 201
    # Cancelling twice is refused; the cancelled one is listed only when asked for.
    error_of(client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=auth),
             409, "already_cancelled")
    listed = client.get("/api/v1/bookings?from=2026-11-07&to=2026-11-09", headers=auth).get_json()
    assert [b["id"] for b in listed] == [again.get_json()["id"]]
    everything = client.get("/api/v1/bookings?from=2026-11-07&to=2026-11-09&cancelled=true",
                            headers=auth).get_json()
    assert {b["id"]: b["status"] for b in everything} == {
        first["id"]: "cancelled", again.get_json()["id"]: "booked"}
    # A cancelled booking cannot be cancelled again to free someone else's time.
    error_of(client.post("/api/v1/bookings/999999/cancel", headers=auth), 404, "not_found")


@pytest.mark.parametrize("code", ["PA-1", "ISO-01", "LOBBY", "DAPUR", "POS-1", "KANTOR"])
def test_only_therapy_communal_and_guest_house_rooms_are_booked(app, client, auth, code):
    fields = error_of(book(client, auth, room=room_id(app, code)), 422, "validation_error")
    assert "terapi" in fields["room_id"]


@pytest.mark.parametrize("change, field", [
    ({"room_id": None}, "room_id"),
    ({"room_id": 999999}, "room_id"),
    ({"room_id": "dua"}, "room_id"),
    ({"room_id": 10 ** 20}, "room_id"),                               # beyond any integer column
    ({"starts_at": None}, "starts_at"),
    ({"starts_at": "besok pagi"}, "starts_at"),
    ({"ends_at": "2026-11-07T09:00:00+07:00"}, "ends_at"),            # not after the start
    ({"ends_at": "2026-11-07T08:00:00+07:00"}, "ends_at"),
    ({"ends_at": "2026-12-31T08:00:00+07:00"}, "ends_at"),            # longer than 31 days
    ({"starts_at": "2028-01-01T09:00:00+07:00",
      "ends_at": "2028-01-01T10:00:00+07:00"}, "starts_at"),           # more than a year ahead
    ({"purpose": ""}, "purpose"),
    ({"purpose": "x" * 201}, "purpose"),
    ({"stay_ids": "1"}, "stay_ids"),
    ({"stay_ids": [999999]}, "stay_ids"),
    ({"stay_ids": [10 ** 20]}, "stay_ids"),
    ({"staff_id": 10 ** 20}, "staff_id"),
    ({"staff_id": 999999}, "staff_id"),
])
def test_bad_input_is_422_naming_the_field(app, client, auth, change, field):
    body = booking(room_id(app, "KOM-1"))
    body.update(change)
    fields = error_of(client.post("/api/v1/bookings", json=body, headers=auth),
                      422, "validation_error")
    assert field in {key.split(".")[0] for key in fields}, fields  # `stay_ids.0` names it too
    assert count(Booking, app) == 0


def test_malformed_bodies_are_400(client, auth):
    error_of(client.post("/api/v1/bookings", data="[", headers={**auth, "Content-Type": "application/json"}),
             400, "bad_request")
    error_of(client.post("/api/v1/bookings", json=[1, 2], headers=auth), 400, "bad_request")
    error_of(client.get("/api/v1/bookings?from=2026-13-01", headers=auth), 422, "validation_error")
    error_of(client.get("/api/v1/bookings?from=2026-11-07&to=2026-11-01", headers=auth),
             422, "validation_error")
    error_of(client.get("/api/v1/bookings?from=2026-01-01&to=2026-12-31", headers=auth),
             422, "validation_error")


def test_a_therapy_session_names_open_stays_and_a_counsellor(app, client, auth, counsellor):
    trp = room_id(app, "TRP-1")
    fields = error_of(book(client, auth, room=trp, purpose="Konseling"), 422, "validation_error")
    assert set(fields) == {"stay_ids", "staff_id"}
    budi, siti = admitted(client, auth, client_row("Budi"), client_row("Siti", sex="P"))
    response = book(client, auth, room=trp, purpose="Konseling kelompok",
                    stay_ids=[budi, siti, budi], staff_id=counsellor)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["stay_ids"] == [budi, siti]
    assert response.get_json()["staff_id"] == counsellor
    # Someone no longer active in the staff register cannot hold a session, nor someone
    # on leave on that day.
    with app.app_context():
        from rps_app.operations import staff
        gone = add_staff("Pak Darmo")
        staff.update_staff(ACTOR, gone, {"active": False})
        away = add_staff("Bu Ratna")
        staff.add_leave(ACTOR, away, {"from": "2026-11-07", "to": "2026-11-08", "kind": "cuti"})
        db.session.commit()
    fields = error_of(book(client, auth, room=room_id(app, "TRP-2"), stay_ids=[budi],
                           staff_id=gone), 422, "validation_error")
    assert "tidak aktif" in fields["staff_id"]
    fields = error_of(book(client, auth, room=room_id(app, "TRP-2"), stay_ids=[budi],
                           staff_id=away), 422, "validation_error")
    assert "Bu Ratna tidak bertugas" in fields["staff_id"] and "07/11/2026" in fields["staff_id"]
    assert book(client, auth, room=room_id(app, "TRP-2"), stay_ids=[budi], staff_id=away,
                start="2026-11-09T09:00:00+07:00",
                end="2026-11-09T10:00:00+07:00").status_code == 201


def test_a_session_for_a_client_who_left_is_409_already_exited(app, client, auth, counsellor):
    (stay,) = admitted(client, auth, client_row())
    exited = client.post(f"/api/v1/stays/{stay}/exit",
                         json={"exit_type": "absconded"}, headers=auth)
    assert exited.status_code == 200
    fields = error_of(book(client, auth, room=room_id(app, "TRP-1"), stay_ids=[stay],
                           staff_id=counsellor), 409, "already_exited")
    assert str(stay) in fields["stay_ids"]
    assert count(Booking, app) == 0


def test_the_session_note_becomes_a_case_note_on_each_stay(app, client, auth, counsellor):
    budi, siti = admitted(client, auth, client_row("Budi"), client_row("Siti", sex="P"))
    session = book(client, auth, room=room_id(app, "TRP-1"), start="2026-11-06T13:00:00+07:00",
                   end="2026-11-06T14:00:00+07:00", purpose="Konseling",
                   stay_ids=[budi, siti], staff_id=counsellor).get_json()
    note = {"body": "Klien kooperatif; rencana penelusuran keluarga."}
    path = f"/api/v1/bookings/{session['id']}/note"
    error_of(client.post(path, json=note, headers=auth), 409, "session_not_held")
    clock.freeze(NOW + timedelta(hours=4))  # 14:00: the session has been held
    error_of(client.post(path, json={"body": ""}, headers=auth), 422, "validation_error")
    error_of(client.post(path, json={"body": 5}, headers=auth), 422, "validation_error")
    error_of(client.post(path, json={**note, "kind": ["health"]}, headers=auth),
             422, "validation_error")
    written = client.post(path, json=note, headers=auth)
    assert written.status_code == 201, written.get_json()
    with app.app_context():
        notes = db.session.scalars(select(CaseNote).order_by(CaseNote.stay_id)).all()
        assert [(n.stay_id, n.kind, n.body) for n in notes] == [
            (budi, "guidance", note["body"]), (siti, "guidance", note["body"])]
    shown = client.get(f"/api/v1/bookings/{session['id']}", headers=auth).get_json()
    assert sorted(shown["note_ids"]) == sorted(n["id"] for n in written.get_json()["notes"])
    error_of(client.post(path, json=note, headers=auth), 409, "note_exists")


def test_bookings_need_the_facility_use_permission(app, client, auth):
    admin = api_token(client, app, "admin")
    error_of(client.get("/api/v1/bookings", headers=admin), 403, "forbidden")
    error_of(client.post("/api/v1/bookings", json=booking(room_id(app, "KOM-1")), headers=admin),
             403, "forbidden")
    staf = api_token(client, app, "staf")
    assert client.post("/api/v1/bookings", json=booking(room_id(app, "KOM-1")),
                       headers=staf).status_code == 201
    error_of(client.get("/api/v1/bookings"), 401, "not_authenticated")


def test_two_racing_bookings_of_one_hour_make_one(app):
    """Two transactions at once, each checking then inserting: the room lock (PostgreSQL)
    or the write lock (SQLite) lets exactly one through."""
    with app.app_context():
        kom = room("KOM-1").id
    start = threading.Barrier(2)
    outcomes = []

    def attempt(purpose):
        with app.app_context():
            start.wait()
            try:
                bookings.book(ACTOR, booking(kom, purpose=purpose))
                db.session.commit()
                outcomes.append("booked")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(f"Rapat {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["booked", "room_booked"]
    assert count(Booking, app) == 1


def test_a_client_who_leaves_has_no_sessions_to_come(app, client, auth, counsellor):
    from rps_app import signals
    from rps_app.stays.models import Stay
    budi, siti = admitted(client, auth, client_row("Budi"), client_row("Siti", sex="P"))
    trp1, trp2 = room_id(app, "TRP-1"), room_id(app, "TRP-2")
    alone = book(client, auth, room=trp1, purpose="Konseling Budi", stay_ids=[budi],
                 staff_id=counsellor).get_json()
    group = book(client, auth, room=trp2, purpose="Kelompok", stay_ids=[budi, siti],
                 staff_id=counsellor).get_json()
    held = book(client, auth, room=trp1, start="2026-11-06T09:00:00+07:00",
                end="2026-11-06T10:00:00+07:00", purpose="Asesmen", stay_ids=[budi],
                staff_id=counsellor).get_json()
    assert client.post(f"/api/v1/stays/{budi}/exit", json={"exit_type": "absconded"},
                       headers=auth).status_code == 200
    with app.app_context():  # what stays sends after an exit (stay_exited)
        signals.stay_exited.send(db.session.get(Stay, budi), actor=ACTOR, exit=None)
        db.session.commit()
    status = {b["id"]: b["status"] for b in client.get(
        "/api/v1/bookings?from=2026-11-06&to=2026-11-07&cancelled=true", headers=auth).get_json()}
    assert status == {alone["id"]: "cancelled", group["id"]: "booked", held["id"]: "booked"}
