"""The roster's rules under racing requests on a real server (`rps serve`, several worker
processes), on SQLite and on PostgreSQL: the staff row's lock (FOR UPDATE on PostgreSQL;
SQLite serialises writers) makes the checks and the insert one step, so exactly one of the
racing assignments wins and the others get 409 roster_conflict, never 500."""
from types import SimpleNamespace

import pytest

from .race_support import call, race

pytestmark = pytest.mark.server


@pytest.fixture
def server(race_server):
    """The run's racing server (tests/race_support.py), as the head (who plans the roster)."""
    return SimpleNamespace(url=race_server.url, headers=race_server.head_headers)


def new_staff(server, name: str) -> int:
    status, body = call(server.url, "POST", "/api/v1/staff",
                        {"name": name, "sex": "L", "position": "Petugas jaga"}, server.headers)
    assert status == 201, body
    return body["id"]


def assignment(day: str, shift: str, post: str, staff_id: int) -> tuple:
    return ("POST", "/api/v1/roster/assignments",
            {"date": day, "shift": shift, "post": post, "staff_id": staff_id})


def outcome(answers) -> tuple[int, set]:
    assert all(status in (201, 409) for status, _body in answers), answers
    return (sum(1 for status, _ in answers if status == 201),
            {body["error"]["fields"].get("rule") for status, body in answers if status == 409})


def test_one_person_six_assignments_on_one_date_at_once(server):
    slamet = new_staff(server, "Slamet")
    answers = race(server, [assignment("2026-12-01", shift, post, slamet)
                            for shift in ("pagi", "siang", "malam") for post in ("POS-1", "POS-2")])
    assert outcome(answers) == (1, {"double_booking"})


def test_a_night_and_the_next_morning_at_once_one_wins(server):
    """No unique index covers the rest rule: only the lock keeps both from passing."""
    for n in range(3):
        budi = new_staff(server, f"Budi {n}")
        day, next_day = f"2026-12-{10 + 2 * n:02d}", f"2026-12-{11 + 2 * n:02d}"
        answers = race(server, [assignment(day, "malam", "POS-1", budi),
                                assignment(next_day, "pagi", "POS-2", budi)] * 2)
        wins, rules = outcome(answers)
        assert wins == 1 and rules <= {"rest", "double_booking"}
