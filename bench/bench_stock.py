"""Benchmark (not a test): do the stock list and a kartu stok cost the same with 100x the
history?

Two fresh instances per database (SQLite, and PostgreSQL when --postgres names a server):
in each, 20 ordinary items with 50 movements each, and one item "BRS" whose ledger holds
500 movements (about 36 days at 14 movements a day) in one instance and 50,000 (about 10
years at the same pace) in the other; receipts of a new lot each month, issues taken first
expiring first, as the service would. Then, in N rounds that visit every instance in turn,
GET /api/v1/stock/items and GET /api/v1/stock/items/<BRS>/card.pdf for the last 30 days
are timed through the app (bearer token, JSON and PDF included); each figure is the best
of its N runs. The section "Stock benchmark" of bench/RESULTS.md is replaced (the rest of
the file is kept).

    .venv/bin/python bench/bench_stock.py [--sizes 500 50000] [--repeat 15]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""
import argparse
import os
import re
import sys
import time
from contextlib import ExitStack
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from results import write_section  # noqa: E402  (bench/ is the script's folder)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from bench_reports import instances  # noqa: E402  (one way to set up the databases)

PER_DAY = 14
OTHER_ITEMS = 20
OTHER_MOVEMENTS = 50
PASSWORD = "kata-sandi-bench-123"


def history(n: int, now: datetime):
    """`n` movements ending now: every 6th a receipt of 60 into the month's lot (expiring
    after 180 days), the others issues of 10 taken first expiring first. Yields (kind, at,
    quantity, [(lot, signed quantity)]) and keeps every running balance >= 0."""
    step = timedelta(seconds=86400 / PER_DAY)
    first = now - step * n
    lots: dict[str, int] = {}
    for i in range(n):
        at = first + step * i
        if i % 6 == 0 or sum(lots.values()) < 10:
            lot = f"{at:%Y-%m}"
            lots[lot] = lots.get(lot, 0) + 60
            yield "receipt", at, 60, [(lot, 60)]
            continue
        left, lines = 10, []
        for lot in sorted(lots):
            take = min(left, lots[lot])
            if take:
                lots[lot] -= take
                lines.append((lot, -take))
                left -= take
            if not left:
                break
        yield "issue", at, 10, lines


def fill(app, size: int) -> dict:
    """The items and their ledgers, written in bulk (the ledger accepts INSERTs only)."""
    from rps_app.extensions import db
    from rps_app.stock.models import (StockBalance, StockItem, StockLot, StockMovement,
                                      StockMovementLine)
    now = datetime.now(timezone.utc) - timedelta(minutes=1)
    with app.app_context():
        ids = {}
        for n in range(OTHER_ITEMS + 1):
            code = "BRS" if n == 0 else f"BRG-{n:02d}"
            item = StockItem(code=code, name=f"Barang {code}", unit="kg",
                             category="pangan" if n % 2 == 0 else "kebersihan",
                             min_level=20, per_head_per_day=0.3 if n == 0 else None,
                             created_at=now - timedelta(days=4000))
            db.session.add(item)
            db.session.flush()
            ids[code] = item.id
        movement_id = line_id = 0
        for code, item_id in ids.items():
            count = size if code == "BRS" else OTHER_MOVEMENTS
            movements, lines, lot_ids, balances = [], [], {}, {}
            for kind, at, quantity, parts in history(count, now):
                movement_id += 1
                movements.append({"id": movement_id, "item_id": item_id, "kind": kind,
                                  "quantity": quantity, "at": at, "recorded_at": at,
                                  "source": "apbd" if kind == "receipt" else None})
                for lot, delta in parts:
                    if lot not in lot_ids:
                        row = StockLot(item_id=item_id, lot=lot, expiry_date=(
                            date.fromisoformat(lot + "-01") + timedelta(days=180)))
                        db.session.add(row)
                        db.session.flush()
                        lot_ids[lot] = row.id
                    line_id += 1
                    lines.append({"id": line_id, "movement_id": movement_id, "item_id": item_id,
                                  "lot_id": lot_ids[lot], "at": at, "quantity": delta})
                    balances[lot] = balances.get(lot, 0) + delta
            for chunk in range(0, len(movements), 5000):
                db.session.execute(sa.insert(StockMovement), movements[chunk:chunk + 5000])
            for chunk in range(0, len(lines), 5000):
                db.session.execute(sa.insert(StockMovementLine), lines[chunk:chunk + 5000])
            db.session.add_all(StockBalance(lot_id=lot_ids[lot], item_id=item_id, quantity=q)
                               for lot, q in balances.items())
        if db.engine.dialect.name == "postgresql":
            for table in ("stock_movements", "stock_movement_lines"):
                db.session.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        brs_movements = db.session.scalar(sa.select(sa.func.count(StockMovement.id))
                                          .where(StockMovement.item_id == ids["BRS"]))
        db.session.remove()
    return {"item_id": ids["BRS"], "movements": brs_movements}


def instance(url: str, folder: str, size: int) -> dict:
    from rps_app import create_app
    from rps_app.install import initialise
    config = {"RPS_INSTANCE_PATH": folder, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
              "RPS_PASSWORD_HASH": "scrypt:1024:8:1"}
    app = create_app(config)
    from rps_app.audit.services import Actor
    from rps_app.auth import services as auth
    from rps_app.extensions import db
    with app.app_context():
        initialise(Actor.system("bench"))
        auth.create_user(Actor.system("bench"), "bench", PASSWORD, role="petugas")
        db.session.commit()
    started = time.perf_counter()
    run = fill(app, size)
    client = app.test_client()
    token = client.post("/api/v1/auth/token",
                        json={"username": "bench", "password": PASSWORD}).get_json()["token"]
    return {**run, "app": app, "client": client, "size": size,
            "headers": {"Authorization": f"Bearer {token}"}, "fill": time.perf_counter() - started,
            "times": {"list": [], "card": []}}


def measure_round(run: dict) -> None:
    today = date.today()
    card = (f"/api/v1/stock/items/{run['item_id']}/card.pdf"
            f"?from={today - timedelta(days=30)}&to={today}")
    for key, path in (("list", "/api/v1/stock/items"), ("card", card)):
        if not run["times"][key]:
            assert run["client"].get(path, headers=run["headers"]).status_code == 200
        start = time.perf_counter()
        response = run["client"].get(path, headers=run["headers"])
        run["times"][key].append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 50_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", help="server URL; a database per size is created there")
    args = parser.parse_args()
    with ExitStack() as stack:
        runs = instances(stack, args.sizes, args.postgres, "rps_bench_stock", instance)
        for _ in range(args.repeat):
            for _, run in runs:
                measure_round(run)
        results = [(engine, {**{k: min(v) for k, v in run["times"].items()},
                             "movements": run["movements"], "fill": run["fill"]})
                   for engine, run in runs]
        for _, run in runs:
            with run["app"].app_context():
                from rps_app.extensions import db
                db.engine.dispose()
    write(results, args)


def write(results, args) -> None:
    command = "    .venv/bin/python bench/bench_stock.py --repeat {} {}".format(
        args.repeat, "--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        if args.postgres else "")
    lines = ["# Stock benchmark", "",
             "`bench/bench_stock.py`: the stock item list (`GET /api/v1/stock/items`, 21 items) "
             "and the kartu stok PDF of the last 30 days of one item whose ledger holds 500 "
             "or 50,000 movements (14 a day: ~36 days or ~10 years of history; 20 other items "
             f"with 50 each), through the app with a bearer token, on a {os.cpu_count()}-core "
             f"machine (load average at the start: {os.getloadavg()[0]:.1f}). Best of "
             f"{args.repeat} rounds, each round visiting every database in turn.", "",
             "| database | movements of the item | fill (s) | item list (ms) | kartu stok, 30 days (ms) |",
             "|---|---|---|---|---|"]
    for engine, r in results:
        lines.append(f"| {engine} | {r['movements']:,} | {r['fill']:.1f} | "
                     f"{r['list'] * 1000:.1f} | {r['card'] * 1000:.1f} |")
    lines += ["", "Ratio largest / smallest history (target <= 1.2):", ""]
    for engine in sorted({e for e, _ in results}):
        rows = [r for e, r in results if e == engine]
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            lines.append(f"- {engine}: item list {large['list'] / small['list']:.2f}, "
                         f"kartu stok {large['card'] / small['card']:.2f}")
    lines += ["", "How (rps_app/stock): balances are read from `stock_balances`, kept in step "
              "with the ledger in the same transaction (never summed over the history); the "
              "card's opening balance is the balance now less the lines since the period's start "
              "(index on (item_id, at)), and its running balances are one window function over "
              "the period's movements; the mean issue of the last 14 days reads the movements of "
              "those days only (index on (item_id, at); the reversed movement's kind by key).",
              "", "Run it:", "", command.rstrip()]
    section = "\n".join(lines)
    write_section("bench_stock", section)
    print(section)


if __name__ == "__main__":
    main()
