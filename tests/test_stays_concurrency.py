"""Rule 6 on a real server: `rps serve` with several worker processes, many requests at
once through the JSON API, on SQLite and on PostgreSQL. Racing requests must end as
clean answers: the winners 200/201, the others 409 with the contract's code, never 500."""
import pytest

from .race_support import call, race
from .stays_support import client_row, intake_body

pytestmark = pytest.mark.server


@pytest.fixture
def server(race_server):
    """The run's racing server (tests/race_support.py), as the duty officer."""
    return race_server


def admit(server, *rows) -> list[dict]:
    status, body = call(server.url, "POST", "/api/v1/intakes",
                        intake_body(*rows, received_at=None), server.headers)
    assert status == 201, body
    return body["clients"]


def rooms(server) -> dict[str, dict]:
    status, body = call(server.url, "GET", "/api/v1/rooms", headers=server.headers)
    assert status == 200, body
    return {room["code"]: room for room in body}


def test_thirty_placements_race_for_ten_beds(server):
    stays = [row["stay_id"] for row in admit(server, *[client_row(f"Klien {n}")
                                                       for n in range(30)])]
    room = rooms(server)["PA-1"]
    assert (room["capacity"], room["occupied"]) == (10, 0)
    beds = [bed["id"] for bed in room["beds"]]
    # Half ask for the room (any free bed), half for a bed of it by id.
    bodies = [{"room_id": room["id"]} if n % 2 else {"bed_id": beds[n % 10]} for n in range(30)]
    answers = race(server, [("POST", f"/api/v1/stays/{stay}/placement", body)
                            for stay, body in zip(stays, bodies)])
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 10 + [409] * 20, answers
    won = [body["bed_id"] for status, body in answers if status == 200]
    assert sorted(won) == sorted(beds) and {body["room_code"] for status, body in answers
                                            if status == 200} == {"PA-1"}
    codes = {body["error"]["code"] for status, body in answers if status == 409}
    assert codes <= {"room_full", "bed_occupied"}, codes
    room = rooms(server)["PA-1"]
    assert room["occupied"] == 10
    assert sorted(bed["stay_id"] for bed in room["beds"]) == sorted(
        stay for stay, (status, _) in zip(stays, answers) if status == 200)


def test_twenty_intakes_of_one_returning_client(server):
    first, = admit(server, client_row("Klien Kembali", "P"))
    status, body = call(server.url, "POST", f"/api/v1/stays/{first['stay_id']}/exit",
                        {"exit_type": "absconded"}, server.headers)
    assert status == 200, body
    body = intake_body({"client_id": first["id"]}, received_at=None)
    answers = race(server, [("POST", "/api/v1/intakes", body)] * 20)
    assert sorted(status for status, _ in answers) == [201] + [409] * 19, answers
    assert {b["error"]["code"] for status, b in answers if status == 409} == {"already_in_shelter"}
    won, = [b for status, b in answers if status == 201]
    assert won["clients"][0]["id"] == first["id"]
    status, active = call(server.url, "GET", "/api/v1/stays?active=true", headers=server.headers)
    assert [s["id"] for s in active if s["client_id"] == first["id"]] == [
        won["clients"][0]["stay_id"]]


def test_registration_numbers_never_repeat_under_concurrency(server):
    answers = race(server, [("POST", "/api/v1/intakes",
                             intake_body(client_row(f"Baru {n}"), client_row(f"Baru {n}b"),
                                         received_at=None))
                            for n in range(12)])
    assert [status for status, _ in answers] == [201] * 12, answers
    numbers = [row["registration_number"] for _, body in answers for row in body["clients"]]
    assert len(set(numbers)) == 24
