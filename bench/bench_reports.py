"""Benchmark (not a test): does a one-month report cost the same with 10x the history?

For each size (10k and 100k stays of `rps demo-data`) on SQLite (and PostgreSQL when
--postgres names a server URL), a fresh instance is initialised and filled. Then, in N
rounds that visit every instance in turn (so that a busy moment of the machine hits all
sizes alike), the occupancy of the last full month and of the same month two years
earlier, its length of stay and its monthly PDF are timed; each figure is the best of
its N runs. Results go to bench/RESULTS.md.

    .venv/bin/python bench/bench_reports.py [--sizes 10000 100000] [--repeat 7]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from results import write_section  # noqa: E402  (bench/ is the script's folder)


def rps(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", *args],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def months() -> tuple[tuple[date, date], tuple[date, date]]:
    """The last full month, and the same month two years earlier (inside the 10k
    history too, so that both sizes show whether an older month pays for what follows)."""
    last = date.today().replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    old_first = first.replace(year=first.year - 2)
    old_last = (old_first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return (first, last), (old_first, old_last)


def fill(url: str, instance: str, stays: int) -> dict:
    """A fresh instance with `stays` stays of demo data; the app to measure it with."""
    from rps_app import create_app
    env = {**os.environ, "RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
           "SQLALCHEMY_DATABASE_URI": url}
    rps(env, "init")
    started = time.perf_counter()
    rps(env, "demo-data", "--stays", str(stays), "--seed", "7")
    app = create_app({"RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url})
    return {"app": app, "fill": time.perf_counter() - started,
            "times": {"occupancy": [], "older": [], "los": [], "pdf": []}}


def measure_round(run: dict) -> None:
    from rps_app.extensions import db
    from rps_app.reporting import documents, metrics
    (first, last), (old_first, old_last) = months()
    with run["app"].app_context():
        if not run["times"]["occupancy"]:
            metrics.occupancy(first, last)  # warm caches
        times = run["times"]
        times["occupancy"].append(timed(lambda: metrics.occupancy(first, last)))
        times["older"].append(timed(lambda: metrics.occupancy(old_first, old_last)))
        times["los"].append(timed(lambda: metrics.length_of_stay(first, last)))
        times["pdf"].append(timed(lambda: documents.build("monthly", first, last)))
        run["stays"] = db.session.scalar(sa.text("SELECT COUNT(*) FROM stays"))
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres", help="server URL; a database per size is created there")
    args = parser.parse_args()
    with ExitStack() as stack:
        runs = instances(stack, args.sizes, args.postgres, "rps_bench", fill)
        for _ in range(args.repeat):
            for _, run in runs:
                measure_round(run)
        results = [(engine, summary(run)) for engine, run in runs]
        for _, run in runs:
            with run["app"].app_context():
                from rps_app.extensions import db
                db.engine.dispose()
    write(results, args)


def instances(stack: ExitStack, sizes, postgres: str | None, prefix: str, make) -> list:
    """[(engine, make(url, instance folder, size))] for each size on SQLite, and on
    PostgreSQL when `postgres` names a server (database `<prefix>_<size>`, dropped when
    `stack` closes)."""
    server = sa.create_engine(postgres, isolation_level="AUTOCOMMIT") if postgres else None
    runs = []
    for size in sizes:
        instance = stack.enter_context(tempfile.TemporaryDirectory())
        runs.append(("SQLite", make(f"sqlite:///{os.path.join(instance, 'rps.sqlite3')}",
                                    instance, size)))
        if server is not None:
            name = f"{prefix}_{size}"
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            stack.callback(drop, server, name)
            url = sa.make_url(postgres).set(database=name).render_as_string(hide_password=False)
            instance = stack.enter_context(tempfile.TemporaryDirectory())
            runs.append(("PostgreSQL", make(url, instance, size)))
    return runs


def drop(server, name: str) -> None:
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def summary(run: dict) -> dict:
    (first, _), (old_first, _) = months()
    best = {key: min(values) for key, values in run["times"].items()}
    return {**best, "stays": run["stays"], "fill": run["fill"],
            "month": first.strftime("%Y-%m"), "older_month": old_first.strftime("%Y-%m")}


def write(results, args) -> None:
    lines = ["# Report benchmark", "",
             "`bench/bench_reports.py`: one-month reports against a short and a long history "
             "(`rps demo-data`, ~11 admissions a day, so 10k stays are ~2.5 years and 100k "
             f"~25 years), on a {os.cpu_count()}-core machine. Best of {args.repeat} rounds, "
             "each round visiting every database in turn; the last column is the occupancy "
             "of the same month two years earlier.", "",
             "| database | stays | month | fill (s) | occupancy (ms) | length of stay (ms) "
             "| monthly PDF (ms) | occupancy, 2 years earlier (ms) |",
             "|---|---|---|---|---|---|---|---|"]
    for engine, r in results:
        lines.append(f"| {engine} | {r['stays']:,} | {r['month']} | {r['fill']:.1f} | "
                     f"{r['occupancy'] * 1000:.1f} | {r['los'] * 1000:.1f} | {r['pdf'] * 1000:.0f} "
                     f"| {r['older'] * 1000:.1f} ({r['older_month']}) |")
    lines += ["", "Ratio largest / smallest history (target <= 1.2):", ""]
    for engine in sorted({e for e, _ in results}):
        rows = [r for e, r in results if e == engine]
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            lines.append(f"- {engine}: occupancy {large['occupancy'] / small['occupancy']:.2f}, "
                         f"length of stay {large['los'] / small['los']:.2f}, "
                         f"monthly PDF {large['pdf'] / small['pdf']:.2f}, "
                         f"occupancy 2 years earlier {large['older'] / small['older']:.2f}")
    lines += ["", "How (rps_app/reporting/metrics.py): the stays and bed assignments of a range "
              "are found in three index-bounded parts (open ones; those ending within 31 days "
              "after the range; the few longer ones through a partial index), so neither the "
              "years before a month nor those after it are read; client and intake columns are "
              "looked up per row by primary key instead of joined, so no plan hashes the whole "
              "clients table; on PostgreSQL the application runs without parallel workers "
              "and JIT, whose start-up (two workers: ~5 ms a query) cost more than the queries "
              "themselves and is what made the 100k figures double before."]
    text = "\n".join(lines) + "\n"
    write_section("bench_reports", text)
    print(text)


if __name__ == "__main__":
    main()
