"""Benchmark (not a test): every read page and the main API reads against /healthz.

For SQLite and PostgreSQL, an instance with `rps demo-data --stays N` is built (or reused
when an earlier run left it complete), served by `rps serve` on 127.0.0.1, and driven by
a few concurrent clients (threads on keep-alive connections). In each of --rounds rounds
/healthz and then every target run for --seconds each, so that a busy moment of this
shared machine hits the floor and the pages alike; a page's throughput is compared with
/healthz's of the same rounds. Each target also has its SQL statements counted once, in
process (BEGIN not counted, as in tests/test_query_counts.py). Results go to a section of
bench/RESULTS.md; the last line printed is `worst read-page throughput ratio: X`. With
--no-page-cache the servers render every page anew (rps_app/page_cache.py off), and the
table goes to a section of its own.

    .venv/bin/python bench/web.py --stays 100000 [--clients 4] [--seconds 3] [--rounds 2]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-postgres]
        [--instances /tmp/rps-bench-web] [--rebuild] [--only REGEX] [--no-page-cache]

Every loop is bounded (by time and by a request cap) and the servers are stopped at the
end, also after an error.
"""
import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from results import write_section  # noqa: E402  (bench/ is the script's folder)
PASSWORD = "bench-password-123"
MAX_REQUESTS = 20000  # per target and client: a bound even on a very fast machine
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# ------------------------------------------------------------------ instances

def rps(env: dict, *args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", *args],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, input=stdin,
                   text=True)


def environment(instance: str, url: str) -> dict:
    return {**os.environ, "RPS_INSTANCE_PATH": instance, "SECRET_KEY": "bench-web",
            "SQLALCHEMY_DATABASE_URI": url}


def postgres_url(server: str, name: str, recreate: bool) -> str:
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and recreate:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)


def build(kind: str, stays: int, folder: str, server: str | None, rebuild: bool) -> dict:
    """An instance with `stays` stays of demo data and a kepala and admin user; reused when
    a previous run completed it (the marker file is written last)."""
    instance = os.path.join(folder, f"{kind}-{stays}")
    marker = os.path.join(instance, "bench-complete")
    if rebuild and os.path.exists(instance):
        subprocess.run(["rm", "-rf", instance], check=True)
    os.makedirs(instance, exist_ok=True)
    url = (f"sqlite:///{os.path.join(instance, 'rps.sqlite3')}" if kind == "sqlite"
           else postgres_url(server, f"rps_bench_web_{stays}", rebuild or not os.path.exists(marker)))
    env = environment(instance, url)
    seconds = None
    if not os.path.exists(marker):
        rps(env, "init")
        started = time.perf_counter()
        rps(env, "demo-data", "--stays", str(stays), "--seed", "7")
        seconds = time.perf_counter() - started
        for name, role in (("bench_kepala", "kepala"), ("bench_admin", "admin")):
            rps(env, "create-user", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        if kind == "postgresql":
            vacuum(url)
        with open(marker, "w") as handle:
            handle.write(f"{seconds:.0f}\n")
    else:
        rps(env, "init")  # a reused instance is brought to the current schema
        with open(marker) as handle:
            seconds = float(handle.read().strip() or 0)
    return {"kind": kind, "instance": instance, "url": url, "env": env, "fill": seconds}


def vacuum(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum does in a while on a server that
    runs: index-only scans (the name keys' lookup) need the pages marked all-visible."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(target: dict):
    """`rps serve` on 127.0.0.1 for the instance; stopped (its process group) on exit."""
    port = free_port()
    log = open(os.path.join(target["instance"], "serve.log"), "a")
    process = subprocess.Popen(
        [sys.executable, "-c", "from rps_app.cli import main; main()", "serve", "--host",
         "127.0.0.1", "--port", str(port)], env=target["env"], cwd=ROOT, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"rps serve did not start; see {log.name}")
            time.sleep(0.3)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


# ------------------------------------------------------------------ what is driven

def fixtures(target: dict) -> dict:
    """Ids to visit: an open placed stay (and its client), the latest intake, a letter, a
    NIK and a registration number prefix, two female shelter rooms and female stays to
    move between them (the placement benchmark)."""
    from rps_app import create_app
    from rps_app.extensions import db
    app = create_app({"RPS_INSTANCE_PATH": target["instance"], "SECRET_KEY": "bench-web",
                      "SQLALCHEMY_DATABASE_URI": target["url"]})
    with app.app_context():
        q = db.session.execute
        stay, client = q(sa.text(
            "SELECT s.id, s.client_id FROM stays s JOIN bed_assignments a ON a.stay_id = s.id "
            "AND a.end_at IS NULL WHERE s.exited_at IS NULL ORDER BY s.id DESC LIMIT 1")).one()
        intake = q(sa.text("SELECT MAX(id) FROM intakes")).scalar()
        letter = q(sa.text("SELECT MIN(id) FROM letters")).scalar()
        nik = q(sa.text("SELECT nik FROM clients WHERE nik IS NOT NULL ORDER BY id DESC LIMIT 1")).scalar()
        number = q(sa.text("SELECT registration_number FROM clients ORDER BY id DESC LIMIT 1")).scalar()
        rooms = [r for r, in q(sa.text(
            "SELECT id FROM rooms WHERE kind = 'shelter' AND sex = 'P' ORDER BY sort_order LIMIT 2"))]
        movers = [s for s, in q(sa.text(
            "SELECT s.id FROM stays s JOIN clients c ON c.id = s.client_id JOIN bed_assignments a "
            "ON a.stay_id = s.id AND a.end_at IS NULL JOIN rooms r ON r.id = a.room_id "
            "WHERE s.exited_at IS NULL AND r.kind = 'shelter' AND c.sex = 'P' ORDER BY s.id LIMIT 8"))]
        beds, taken = q(sa.text(
            "SELECT COUNT(b.id), COUNT(a.id) FROM beds b JOIN rooms r ON r.id = b.room_id "
            "LEFT JOIN bed_assignments a ON a.bed_id = b.id AND a.end_at IS NULL "
            "WHERE r.kind IN ('shelter', 'isolation')")).one()
        db.session.remove()
    return {"app": app, "beds": beds, "taken": taken, "stay": stay, "client": client,
            "intake": intake, "letter": letter, "nik": nik, "number": number, "rooms": rooms,
            "movers": movers}


def targets(ids: dict) -> list[dict]:
    last = date.today().replace(day=1) - timedelta(days=1)
    month = f"from={last.replace(day=1).isoformat()}&to={last.isoformat()}"
    pages = [
        ("dashboard /", "/"), ("bed board /rooms", "/rooms"), ("clients list", "/clients"),
        ("clients in residence", "/clients?status=in"), ("clients women", "/clients?sex=P"),
        ("client page", f"/clients/{ids['client']}"), ("stay page", f"/stays/{ids['stay']}"),
        ("exit form", f"/stays/{ids['stay']}/exit"), ("intake result", f"/intakes/{ids['intake']}"),
        ("intake form", "/intakes/new"), ("reports page", "/reports"), ("audit log", "/audit"),
        ("institutions", "/institutions"),
        # The day's operations and the rest of the building (wave 2).
        ("roll call", "/rollcall"), ("incidents", "/incidents"), ("roster", "/roster"),
        ("stock list", "/stock"), ("referrals", "/referrals"), ("bookings", "/bookings"),
        ("visitors", "/visits"), ("maintenance", "/maintenance"),
        ("data quality", "/data-quality"),
    ]
    result = [{"name": name, "path": path, "auth": "web"} for name, path in pages]
    for label, q in (("common name", "slamet"), ("rare name", "qwxz"), ("short", "su"),
                     ("NIK prefix", (ids["nik"] or "3328")[:8]),
                     ("registration no.", ids["number"][:11])):
        result.append({"name": f"client search: {label}", "search": q, "auth": "web"})
    api = [("API clients latest", "/api/v1/clients"),
           ("API clients ?q=slamet", "/api/v1/clients?q=slamet"),
           ("API clients ?q=NIK", f"/api/v1/clients?q={(ids['nik'] or '3328')[:8]}"),
           ("API client", f"/api/v1/clients/{ids['client']}"), ("API rooms", "/api/v1/rooms"),
           ("API active stays", "/api/v1/stays?active=true"),
           ("API occupancy month", f"/api/v1/reports/occupancy?{month}"),
           ("API length of stay month", f"/api/v1/reports/length-of-stay?{month}")]
    result += [{"name": name, "path": path, "auth": "api"} for name, path in api]
    if len(ids["rooms"]) == 2 and ids["movers"]:
        result.append({"name": "placement (API POST, a move)", "auth": "api", "placement": True})
    return result


# ------------------------------------------------------------------ HTTP clients

class Client:
    """One keep-alive connection with its cookies (or bearer token)."""

    def __init__(self, port: int):
        self.port, self.cookies, self.headers = port, {}, {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None,
                content_type: str | None = None) -> tuple[int, dict, bytes]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def login_web(self, username: str) -> None:
        _, _, html = self.request("GET", "/login")
        token = CSRF_RE.search(html.decode()).group(1)
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token})
        status, _, _ = self.request("POST", "/login", body, "application/x-www-form-urlencoded")
        assert status in (302, 303), f"login of {username} answered {status}"

    def login_api(self, username: str) -> None:
        import json
        status, _, data = self.request("POST", "/api/v1/auth/token",
                                       json.dumps({"username": username, "password": PASSWORD}),
                                       "application/json")
        assert status == 200, data[:200]
        self.headers["Authorization"] = "Bearer " + json.loads(data)["token"]

    def search(self, q: str) -> str:
        """POST the search as the page does; the page it redirects to (an opaque id)."""
        _, _, html = self.request("GET", "/clients")
        token = CSRF_RE.search(html.decode()).group(1)
        status, headers, _ = self.request("POST", "/clients", urllib.parse.urlencode(
            {"q": q, "csrf_token": token}), "application/x-www-form-urlencoded")
        assert status == 303, status
        location = headers.get("Location") or headers.get("location")
        return urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()


def prepare(port: int, target: dict, ids: dict, index: int) -> tuple[Client, callable]:
    client = Client(port)
    if target["auth"] == "web":
        client.login_web("bench_kepala")
    elif target["auth"] == "api":
        client.login_api("bench_kepala")
    if "search" in target:
        path = client.search(target["search"])
        return client, lambda: client.request("GET", path)
    if target.get("placement"):
        import json
        stay = ids["movers"][index % len(ids["movers"])]
        flip = [0]

        def move():
            flip[0] ^= 1
            return client.request("POST", f"/api/v1/stays/{stay}/placement",
                                  json.dumps({"room_id": ids["rooms"][flip[0]]}), "application/json")
        return client, move
    return client, lambda: client.request("GET", target["path"])


def drive(port: int, target: dict, ids: dict, clients: int, seconds: float) -> dict:
    """`clients` threads call the target for `seconds` (after a short warm-up)."""
    prepared = [prepare(port, target, ids, i) for i in range(clients)]
    for _client, call in prepared:
        call()  # warm-up (connections, caches)
    latencies: list[list[float]] = [[] for _ in prepared]
    failures = [0] * clients
    start = time.perf_counter()
    stop = start + seconds

    def run(i: int) -> None:
        call = prepared[i][1]
        for _ in range(MAX_REQUESTS):
            began = time.perf_counter()
            if began >= stop:
                break
            status = call()[0]
            latencies[i].append(time.perf_counter() - began)
            if status >= 400 and not (target.get("placement") and status == 409):
                failures[i] += 1
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    for client, _call in prepared:
        client.conn.close()
    flat = sorted(x for per in latencies for x in per)
    return {"count": len(flat), "elapsed": elapsed, "latencies": flat, "failures": sum(failures)}


def statements_of(ids: dict, target: dict) -> int | None:
    """SQL statements of one request of the target, counted in process (no BEGIN)."""
    from sqlalchemy import event
    from rps_app.extensions import db
    app = ids["app"]
    client = app.test_client()
    if target.get("placement"):
        return None
    if target["auth"] == "api":
        token = client.post("/api/v1/auth/token", json={"username": "bench_kepala",
                                                        "password": PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    else:
        html = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"username": "bench_kepala", "password": PASSWORD,
                                    "csrf_token": CSRF_RE.search(html).group(1)})
        headers = {}
    path = target.get("path")
    if "search" in target:
        html = client.get("/clients").get_data(as_text=True)
        response = client.post("/clients", data={"q": target["search"],
                                                  "csrf_token": CSRF_RE.search(html).group(1)})
        path = response.headers["Location"]
    with app.app_context():
        engine = db.engine
    if "rps_page_cache" in app.extensions:  # counted as rendered anew
        app.extensions["rps_page_cache"].clear()
    executed = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            executed.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(executed) if response.status_code == 200 else None


# ------------------------------------------------------------------ the run

def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(share * len(values)))]


def measure(target_db: dict, clients: int, seconds: float, rounds: int,
            only: str | None = None) -> list[dict]:
    ids = fixtures(target_db)
    target_db["occupancy"] = (ids["taken"], ids["beds"])  # for the table's heading
    plan = [t for t in targets(ids) if not only or re.search(only, t["name"])]
    floor = {"name": "/healthz", "path": "/healthz", "auth": None}
    runs: dict[str, list[dict]] = {t["name"]: [] for t in [floor] + plan}
    with serving(target_db) as port:
        for number in range(rounds):
            for target in [floor] + plan:
                runs[target["name"]].append(drive(port, target, ids, clients, seconds))
                print(f"  [{target_db['kind']} round {number + 1}] {target['name']}: "
                      f"{runs[target['name']][-1]['count']} requests", flush=True)
    rows = []
    for target in [floor] + plan:
        parts = runs[target["name"]]
        latencies = sorted(x for part in parts for x in part["latencies"])
        rows.append({"name": target["name"], "target": target,
                     "rps": sum(p["count"] for p in parts) / sum(p["elapsed"] for p in parts),
                     "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                     "failures": sum(p["failures"] for p in parts),
                     "statements": None if target is floor else statements_of(ids, target)})
    base = rows[0]
    for row in rows:
        row["ratio"] = row["rps"] / base["rps"]
        row["p50_ratio"] = row["p50"] / base["p50"]
        row["tail"] = row["p99"] / row["p50"]
    return rows


def table(kind: str, stays: int, fill: float | None, rows: list[dict], clients: int,
          occupancy: tuple[int, int] | None = None) -> str:
    lines = [f"### {kind}, {stays:,} stays ({clients} concurrent clients"
             + (f"; demo data filled in {fill:.0f} s" if fill else "")
             + ("; {} of {} client beds taken".format(*occupancy) if occupancy else "") + ")", "",
             "| target | req/s | p50 (ms) | p99 (ms) | ratio to /healthz | p50 / healthz p50 "
             "| p99 / p50 | SQL statements | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['name']} | {row['rps']:.1f} | {row['p50'] * 1000:.1f} | "
                     f"{row['p99'] * 1000:.1f} | {row['ratio']:.3f} | {row['p50_ratio']:.1f} | "
                     f"{row['tail']:.1f} | {'' if row['statements'] is None else row['statements']} | "
                     f"{row['failures']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stays", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--instances", default=os.path.join("/tmp", "rps-bench-web"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="serve with RPS_PAGE_CACHE_MB=0: every page rendered anew "
                             "(a section of its own in bench/RESULTS.md)")
    parser.add_argument("--only", metavar="REGEX",
                        help="drive only the targets whose name matches (and /healthz); "
                             "bench/RESULTS.md is then left as it is")
    args = parser.parse_args()
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    sections, worst = [], []
    command = " ".join(["bench/web.py"] + sys.argv[1:])
    for kind in kinds:
        print(f"{kind}: building or reusing {args.stays} stays", flush=True)
        target_db = build(kind, args.stays, args.instances, args.postgres, args.rebuild)
        if args.no_page_cache:
            target_db["env"] = {**target_db["env"], "RPS_PAGE_CACHE_MB": "0"}
        rows = measure(target_db, args.clients, args.seconds, args.rounds, args.only)
        sections.append(table(kind, args.stays, target_db["fill"], rows, args.clients,
                              target_db.get("occupancy")))
        reads = [row for row in rows[1:] if not row["target"].get("placement")]
        page = min(reads, key=lambda row: row["ratio"])
        worst.append((page["ratio"], f"{kind} {page['name']}"))
        print(sections[-1], flush=True)
    ratio, where = min(worst)
    rendering = ("every page rendered anew (page cache off), " if args.no_page_cache else
                 "pages kept by the page cache between changes (a page driven again and "
                 "again is served from memory; its audit entries are still written), ")
    summary = [f"## Web pages against /healthz (`{command}`, {date.today().isoformat()})",
               "Each page's requests per second divided by /healthz's in the same run "
               "(`rps serve`, gunicorn with its default workers and threads, on this shared "
               f"2-core machine), {rendering}SQL statements of one request rendered anew "
               "counted in process.",
               *sections, f"Worst read-page throughput ratio: {ratio:.3f} ({where})."]
    if not args.only:
        write_section("bench/web.py" + (" without page cache" if args.no_page_cache else ""),
                      "\n\n".join(summary))
    print(f"worst read-page throughput ratio: {ratio:.3f}")


if __name__ == "__main__":
    main()
