"""Benchmark (not a test): does a duplicate check cost the same with 10x the clients?

For each size (stays of `rps demo-data`, whose names come from a short list, so that many
clients share a name: a hard case), a fresh SQLite instance is filled; then, in rounds that
visit every instance in turn, `casework.duplicates.suggestions` is timed for a few typed
rows (an old spelling, an o/a ending, a common and a rare name). Best of N per row.

    .venv/bin/python bench/bench_duplicates.py [--sizes 10000 100000] [--repeat 5]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

ROWS = [("Djoko Santosa", "L", 45, "Tegal"), ("Paija", "L", 40, None),
        ("Slamet", "L", 50, "Kabupaten Tegal"), ("Sukarni", "P", 30, "Brebes")]


def fill(folder: str, stays: int):
    from rps_app import create_app
    url = f"sqlite:///{folder}/rps.sqlite3"
    env = {**os.environ, "RPS_INSTANCE_PATH": folder, "SECRET_KEY": "bench",
           "SQLALCHEMY_DATABASE_URI": url}
    for args in (("init",), ("demo-data", "--stays", str(stays), "--seed", "7")):
        subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", *args],
                       env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return create_app({"RPS_INSTANCE_PATH": folder, "SECRET_KEY": "bench",
                       "SQLALCHEMY_DATABASE_URI": url})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from sqlalchemy import func, select

    from rps_app.casework import duplicates
    from rps_app.clients.models import Client
    from rps_app.extensions import db
    apps, best, found, clients = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = os.path.join(tmp, str(size))
            os.makedirs(folder)
            apps[size] = fill(folder, size)
            with apps[size].app_context():
                clients[size] = db.session.scalar(select(func.count()).select_from(Client))
        for _ in range(args.repeat):
            for size, app in apps.items():
                with app.app_context():
                    for row in ROWS:
                        start = time.perf_counter()
                        result = duplicates.suggestions(duplicates.Person(*row))
                        elapsed = time.perf_counter() - start
                        key = (size, row[0])
                        best[key] = min(best.get(key, elapsed), elapsed)
                        found[key] = len(result)
                    db.session.rollback()
    print("| stays | clients | " + " | ".join(f"{r[0]} (ms)" for r in ROWS) + " |")
    print("|---|---|" + "---|" * len(ROWS))
    for size in args.sizes:
        print(f"| {size:,} | {clients[size]:,} | " + " | ".join(
            f"{best[(size, r[0])] * 1000:.1f} ({found[(size, r[0])]})" for r in ROWS) + " |")


if __name__ == "__main__":
    main()
