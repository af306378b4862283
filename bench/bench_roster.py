"""Benchmark (not a test): the duty roster's proposal (OR-Tools CP-SAT) for a month.

A fresh SQLite instance (`rps init`: posts POS-1 and POS-2, min 1 per shift) gets 15 staff
(10 men, 5 women), some leave (two weeks of cuti, a few days of sakit and dinas luar), a
few assignments the head already placed (including nights just before the month, which
the proposal must respect across the edge), and women in residence for part of the month.
Then POST /api/v1/roster/proposal for the 30 or 31 days is timed, end to end through the
test client (validation, model, solve, answer), `--repeat` times.

    .venv/bin/python bench/bench_roster.py [--repeat 5] [--month 2026-12]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default="2026-12")
    args = parser.parse_args()
    first = date.fromisoformat(args.month + "-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with tempfile.TemporaryDirectory() as instance:
        url = f"sqlite:///{instance}/rps.sqlite3"
        env = {**os.environ, "RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
               "SQLALCHEMY_DATABASE_URI": url}
        subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", "init"],
                       env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        from rps_app import clock, create_app
        from rps_app.audit.services import Actor
        from rps_app.auth import services as auth
        from rps_app.extensions import db
        from rps_app.operations import roster, staff
        from rps_app.stays import services as stays

        app = create_app({"RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": url})
        actor = Actor.system("bench")
        clock.freeze(datetime.combine(first - timedelta(days=2), datetime.min.time(),
                                      timezone.utc) + timedelta(hours=3))
        with app.app_context():
            auth.create_user(actor, "kepala", "kata-sandi-bench-1", role="kepala")
            people = [staff.create_staff(actor, {"name": f"Petugas {i + 1}",
                                                 "sex": "P" if i % 3 == 2 else "L",
                                                 "position": "Petugas jaga"})
                      for i in range(15)]
            staff.add_leave(actor, people[0].id, {"from": (first + timedelta(days=3)).isoformat(),
                                                  "to": (first + timedelta(days=16)).isoformat(),
                                                  "kind": "cuti"})
            staff.add_leave(actor, people[4].id, {"from": (first + timedelta(days=20)).isoformat(),
                                                  "to": (first + timedelta(days=23)).isoformat(),
                                                  "kind": "sakit"})
            staff.add_leave(actor, people[7].id, {"from": first.isoformat(),
                                                  "to": (first + timedelta(days=2)).isoformat(),
                                                  "kind": "dinas_luar"})
            for n in (3, 2, 1):  # three nights up to the eve of the month
                roster.assign(actor, {"date": (first - timedelta(days=n)).isoformat(),
                                      "shift": "malam", "post": "POS-1",
                                      "staff_id": people[1].id})
            roster.assign(actor, {"date": (first + timedelta(days=9)).isoformat(),
                                  "shift": "pagi", "post": "POS-2", "staff_id": people[2].id})
            stays.intake(actor, {
                "agency": "satpol_pp", "officer_name": "Bench", "officer_id_number": "1",
                "bast_number": "BENCH/1", "operation_place": "Slawi",
                "operation_at": (clock.now() - timedelta(hours=1)).isoformat(),
                "clients": [{"name": "Warsini", "identity_known": False, "sex": "P",
                             "estimated_age": 50, "pmks_category": 11,
                             "needs_isolation": False}]})
            db.session.commit()
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={
            "username": "kepala", "password": "kata-sandi-bench-1"}).get_json()["token"]
        times, answer = [], None
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.post("/api/v1/roster/proposal",
                                   json={"from": first.isoformat(), "to": last.isoformat()},
                                   headers={"Authorization": f"Bearer {token}"})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
            if answer is not None:
                assert response.get_json()["assignments"] == answer["assignments"]
            answer = response.get_json()
        with app.app_context():  # nights of the month per person, existing ones included
            existing = roster.roster_json(first, last)
        counts = {person_id: 0 for person_id in range(1, 16)}
        for item in existing + answer["assignments"]:
            if item["shift"] == "malam":
                counts[item["staff_id"]] += 1
        print(f"period {first}..{last} ({(last - first).days + 1} days), 15 staff, 2 posts")
        print(f"{len(answer['assignments'])} new assignments; {len(answer['gaps'])} gaps left; "
              f"nights per person {min(counts.values())}..{max(counts.values())}")
        print("seconds: " + ", ".join(f"{t:.2f}" for t in times)
              + f"; best {min(times):.2f}, worst {max(times):.2f}")


if __name__ == "__main__":
    main()
