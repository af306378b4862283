"""Benchmark (not a test): does a one-month report cost the same with 10x the history?

For each size (10k and 100k stays of `rps demo-data`) on SQLite (and PostgreSQL when
--postgres names a server URL), a fresh instance is initialised and filled, then the
occupancy metrics of the last full month and the monthly PDF are timed (best of N).
Results go to bench/RESULTS.md.

    .venv/bin/python bench/bench_reports.py [--sizes 10000 100000] [--repeat 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def rps(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", *args],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(url: str, instance: str, stays: int, repeat: int) -> dict:
    env = {**os.environ, "RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
           "SQLALCHEMY_DATABASE_URI": url}
    rps(env, "init")
    started = time.perf_counter()
    rps(env, "demo-data", "--stays", str(stays), "--seed", "7")
    fill = time.perf_counter() - started
    from rps_app import create_app
    from rps_app.extensions import db
    from rps_app.reporting import documents, metrics
    app = create_app({"RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        last = date.today().replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
        metrics.occupancy(first, last)  # warm caches
        occupancy = best(lambda: metrics.occupancy(first, last), repeat)
        los = best(lambda: metrics.length_of_stay(first, last), repeat)
        pdf = best(lambda: documents.build("monthly", first, last), max(1, repeat // 2))
        total = db.session.scalar(sa.text("SELECT COUNT(*) FROM stays"))
        db.session.remove()
        db.engine.dispose()
    return {"stays": total, "fill": fill, "occupancy": occupancy, "los": los, "pdf": pdf,
            "month": first.strftime("%Y-%m")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="server URL; a database per size is created there")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as instance:
            url = f"sqlite:///{os.path.join(instance, 'rps.sqlite3')}"
            results.append(("SQLite", measure(url, instance, size, args.repeat)))
        if args.postgres:
            server = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"rps_bench_{size}"
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = sa.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            with tempfile.TemporaryDirectory() as instance:
                results.append(("PostgreSQL", measure(url, instance, size, args.repeat)))
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()
    write(results, args)


def write(results, args) -> None:
    lines = ["# Report benchmark", "",
             "`bench/bench_reports.py`: one-month reports against a short and a long history "
             "(`rps demo-data`, ~8 admissions a day, so 10k stays are ~3.4 years and 100k "
             f"~34 years). Best of {args.repeat} runs (PDF: best of {max(1, args.repeat // 2)}).", "",
             "| database | stays | month | fill (s) | occupancy (ms) | length of stay (ms) | monthly PDF (ms) |",
             "|---|---|---|---|---|---|---|"]
    for engine, r in results:
        lines.append(f"| {engine} | {r['stays']:,} | {r['month']} | {r['fill']:.1f} | "
                     f"{r['occupancy'] * 1000:.1f} | {r['los'] * 1000:.1f} | {r['pdf'] * 1000:.0f} |")
    lines += ["", "Ratio largest / smallest history (target <= 1.2):", ""]
    for engine in sorted({e for e, _ in results}):
        rows = [r for e, r in results if e == engine]
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            lines.append(f"- {engine}: occupancy {large['occupancy'] / small['occupancy']:.2f}, "
                         f"length of stay {large['los'] / small['los']:.2f}, "
                         f"monthly PDF {large['pdf'] / small['pdf']:.2f}")
    lines += ["", "How: the stays (and bed assignments) of a range are found through the exit/end "
              "date index (open ones, plus those ending after `from`), nights are a VALUES "
              "calendar of the range, and results come back grouped. The cost therefore follows "
              "the data of the range and what came after it, not the years before it; "
              "`rps demo-data` runs ANALYZE so that PostgreSQL plans with real statistics."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w", encoding="utf-8") as handle:
        handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
