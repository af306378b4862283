"""Black-box conformance with /work/shared/contract.md: names, paths, codes, statuses, shapes.

Only public interfaces, as an outside tester would use them: the console scripts, the CLI
runner, the HTTP API (tokens from POST /api/v1/auth/token) and the pages. Data is created
through the API; users through `rps create-user` or the user factory.
"""
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rps_app import create_app

from .conftest import PASSWORD, api_token, csrf_token, login

VENV_BIN = Path(sys.executable).parent
ERROR_KEYS = {"code", "message", "fields"}
ROOM_KINDS = {"shelter", "isolation", "therapy", "guard_post", "communal", "lobby", "kitchen",
              "logistics", "office", "head_office", "guest_house"}
EXIT_TYPES = ("family", "home_region", "panti", "balai", "hospital", "absconded", "deceased",
              "other")
LETTER_TYPES = {"family", "home_region", "panti", "balai", "hospital"}
BUCKETS = {"0-1", "2-3", "4-7", "8-14", "15-30", "31+"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ------------------------------------------------------------------------------ helpers

def assert_error(response, status: int, code: str | None = None) -> dict:
    """The contract's error body, exactly {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:400])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    error = body["error"]
    assert re.fullmatch(r"[a-z][a-z0-9_]*", error["code"]) and isinstance(error["message"], str)
    assert error["message"] and isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code, body
    return error


def assert_moment(text: str) -> datetime:
    """ISO 8601 with an offset."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment


def today() -> date:
    """Today in RPS_TIMEZONE (the default, Asia/Jakarta), whatever the machine's zone."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def ago(**delta) -> str:
    return (datetime.now().astimezone() - timedelta(**delta)).isoformat(timespec="seconds")


def nik(sex="L", birth=date(1980, 5, 17), serial="0001") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"332801{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial}"


def person(name="Budi", sex="L", age=40, **extra) -> dict:
    row = {"name": name, "identity_known": False, "sex": sex, "estimated_age": age,
           "pmks_category": 11, "needs_isolation": False}
    row.update(extra)
    return row


def intake_body(*rows, **extra) -> dict:
    body = {"agency": "satpol_pp", "officer_name": "Agus Santoso",
            "officer_id_number": "19800101 200501 1 001", "bast_number": "BAST/001",
            "operation_place": "Alun-alun Slawi", "operation_at": ago(hours=3),
            "clients": list(rows) or [person()]}
    body.update(extra)
    return body


def post_intake(client, headers, *rows, **extra):
    return client.post("/api/v1/intakes", json=intake_body(*rows, **extra), headers=headers)


def admit(client, headers, *rows, **extra) -> list[dict]:
    response = post_intake(client, headers, *rows, **extra)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["clients"]


def rooms(client, headers) -> list[dict]:
    return client.get("/api/v1/rooms", headers=headers).get_json()


def room_by_code(client, headers, code) -> dict:
    return next(r for r in rooms(client, headers) if r["code"] == code)


def first_room(client, headers, kind, sex=None) -> dict:
    return next(r for r in rooms(client, headers) if r["kind"] == kind and r["sex"] == sex)


def institution(client, headers, kind="panti") -> int:
    response = client.post("/api/v1/institutions", headers=headers, json={
        "name": f"Lembaga {kind}", "kind": kind, "address": "Jl. Pahlawan 1", "city": "Semarang"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def exit_body(exit_type: str, institution_id=None, **extra) -> dict:
    body = {"exit_type": exit_type}
    if exit_type in ("family", "home_region"):
        body["family_contact"] = {"name": "Sarmi", "relation": "ibu", "address": "Desa Kudaile",
                                  "phone": "0812"}
    if exit_type in ("panti", "balai", "hospital"):
        body["institution_id"] = institution_id
    body.update(extra)
    return body


@pytest.fixture
def petugas(client, app):
    return api_token(client, app, "petugas")


@pytest.fixture
def kepala(client, app):
    return api_token(client, app, "kepala")


# ------------------------------------------------------------- Python and command line

def _run(args, instance, stdin=None, env_extra=None, timeout=120):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RPS_INSTANCE_PATH")}
    env.update({"RPS_INSTANCE_PATH": str(instance)}, **(env_extra or {}))
    return subprocess.run(args, input=stdin, capture_output=True, text=True, env=env,
                          cwd=instance.parent, timeout=timeout)


def test_rps_script_and_flask_cli_init_create_user_and_seed(tmp_path):
    instance = tmp_path / "inst"
    first = _run([str(VENV_BIN / "rps"), "init"], instance)
    assert first.returncode == 0, first.stderr
    assert "SECRET_KEY" in (instance / "config.py").read_text()
    again = _run([str(VENV_BIN / "flask"), "--app", "rps_app", "rps", "init"], instance)
    assert again.returncode == 0, again.stderr  # idempotent, and reachable through flask
    made = _run([str(VENV_BIN / "rps"), "create-user", "kepala9", "--role", "kepala",
                 "--password-stdin"], instance, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr

    app = create_app({"RPS_INSTANCE_PATH": str(instance)})  # instance config.py: SECRET_KEY
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "kepala9", "password": PASSWORD})
    assert token.status_code == 200
    body = token.get_json()
    assert set(body) == {"token", "expires_at"}
    assert_moment(body["expires_at"])
    all_rooms = rooms(client, {"Authorization": f"Bearer {body['token']}"})
    shelters = [r for r in all_rooms if r["kind"] == "shelter"]
    assert sorted(r["sex"] for r in shelters) == ["L"] * 4 + ["P"] * 4
    isolation = [r for r in all_rooms if r["kind"] == "isolation"]
    assert len(isolation) == 10 and all(len(r["beds"]) == 1 and r["capacity"] == 1
                                        and r["sex"] is None for r in isolation)
    others = [r for r in all_rooms if r["kind"] not in ("shelter", "isolation")]
    assert len(others) == 12 and all(r["beds"] == [] and r["sex"] is None for r in others)
    assert {r["kind"] for r in all_rooms} == ROOM_KINDS
    assert len([r for r in others if r["kind"] == "communal"]) == 2  # two Ruang Komunal
    with app.app_context():
        from rps_app.extensions import db
        db.engine.dispose()


def test_rps_serve_refuses_to_start_without_secret_key_naming_it(tmp_path):
    instance = tmp_path / "inst"
    instance.mkdir()
    result = _run([str(VENV_BIN / "rps"), "serve", "--host", "127.0.0.1", "--port", "18999"], instance, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_create_app_config_precedence(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("SECRET_KEY = 'from-file'\nRPS_MAX_STAY_DAYS = 5\n")
    monkeypatch.setenv("RPS_INSTANCE_PATH", str(instance))
    for key in ("SECRET_KEY", "RPS_MAX_STAY_DAYS", "RPS_TIMEZONE", "RPS_REPORTS_DIR",
                "SQLALCHEMY_DATABASE_URI"):
        monkeypatch.delenv(key, raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file" and app.config["RPS_MAX_STAY_DAYS"] == 5
    assert app.config["RPS_TIMEZONE"] == "Asia/Jakarta"
    assert Path(app.config["RPS_REPORTS_DIR"]) == instance / "reports"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'rps.sqlite3'}"
    monkeypatch.setenv("RPS_MAX_STAY_DAYS", "6")
    assert create_app().config["RPS_MAX_STAY_DAYS"] == 6  # environment over config.py
    assert create_app({"RPS_MAX_STAY_DAYS": 9}).config["RPS_MAX_STAY_DAYS"] == 9  # config wins
    monkeypatch.delenv("RPS_INSTANCE_PATH")
    monkeypatch.chdir(tmp_path)
    assert Path(create_app({"SECRET_KEY": "x"}).instance_path) == tmp_path / "instance"


def test_cli_commands_report_backup_demo_data_scheduler(app, runner, client, tmp_path):
    headers = api_token(client, app, "kepala")
    demo = runner.invoke(args=["rps", "demo-data", "--stays", "30", "--seed", "7"])
    assert demo.exit_code == 0, demo.output
    out = tmp_path / "monthly.pdf"
    report = runner.invoke(args=["rps", "report", "monthly", "--from", "2026-10-01",
                                 "--to", "2026-10-31", "--out", str(out)])
    assert report.exit_code == 0, report.output
    assert out.read_bytes().startswith(b"%PDF")
    default = runner.invoke(args=["rps", "report", "occupancy", "--from", "2026-10-01",
                                  "--to", "2026-10-31"])
    assert default.exit_code == 0, default.output
    assert (Path(app.config["RPS_REPORTS_DIR"]) / "occupancy_2026-10-01_2026-10-31.pdf").is_file()
    once = runner.invoke(args=["rps", "scheduler", "--once", "--now", "2026-01-02T08:00:00+07:00"])
    assert once.exit_code == 0, once.output
    runs = client.get("/api/v1/reports/runs?kind=daily", headers=headers).get_json()
    assert runs and {r["period_from"] for r in runs} >= {"2026-01-02"}
    for run in runs:
        assert set(run) == {"id", "kind", "period_from", "period_to", "status", "sha256",
                            "created_at"}
        assert run["kind"] == "daily" and run["status"] in ("running", "done", "failed")
        assert ISO_DATE.match(run["period_from"]) and ISO_DATE.match(run["period_to"])
        assert_moment(run["created_at"])
    again = runner.invoke(args=["rps", "scheduler", "--once", "--now", "2026-01-02T08:00:00+07:00"])
    assert again.exit_code == 0
    assert len(client.get("/api/v1/reports/runs?kind=daily", headers=headers).get_json()) == len(runs)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        backup = runner.invoke(args=["rps", "backup", str(tmp_path / "copy.sqlite3")])
        assert backup.exit_code == 0, backup.output
        assert (tmp_path / "copy.sqlite3").stat().st_size > 0


def test_create_user_reads_the_password_from_stdin(app, runner, client):
    made = runner.invoke(args=["rps", "create-user", "staf7", "--role", "staf",
                               "--password-stdin"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    token = client.post("/api/v1/auth/token", json={"username": "staf7", "password": PASSWORD})
    assert token.status_code == 200
    prompted = runner.invoke(args=["rps", "create-user", "petugas7", "--role", "petugas"],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert client.post("/api/v1/auth/token", json={"username": "petugas7",
                                                   "password": PASSWORD}).status_code == 200
    bad = runner.invoke(args=["rps", "create-user", "x1", "--role", "boss", "--password-stdin"],
                        input=PASSWORD + "\n")
    assert bad.exit_code != 0


# ------------------------------------------------------------------------------ Health

def test_healthz_and_readyz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_readyz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "RPS_INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI":
                          "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"})
    assert app.test_client().get("/readyz").status_code == 503
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}


# ------------------------------------------------------------------- errors of the API

def test_every_api_error_has_the_contract_shape(client, app, petugas):
    assert_error(client.get("/api/v1/no-such-thing", headers=petugas), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing"), 404)
    assert_error(client.delete("/api/v1/rooms", headers=petugas), 405)
    assert_error(client.get("/api/v1/intakes", headers=petugas), 405)
    assert_error(client.post("/api/v1/intakes", data="{not json", headers=petugas,
                             content_type="application/json"), 400)
    assert_error(client.post("/api/v1/auth/token", data="{not json",
                             content_type="application/json"), 400)
    assert_error(client.get("/api/v1/rooms"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/rooms", headers={"Authorization": "Bearer nope"}), 401,
                 "not_authenticated")
    assert_error(client.post("/api/v1/auth/token", json={"username": "api-petugas",
                                                         "password": "wrong"}), 401)
    staf = api_token(client, app, "staf")
    assert_error(client.post("/api/v1/intakes", json=intake_body(), headers=staf), 403, "forbidden")
    assert_error(client.get("/api/v1/clients/999999", headers=petugas), 404, "not_found")
    assert_error(client.post("/api/v1/intakes", json={}, headers=petugas), 422, "validation_error")


def test_permission_table_on_the_api(client, app):
    tokens = {role: api_token(client, app, role) for role in ("admin", "kepala", "petugas", "staf")}
    stay = admit(client, tokens["petugas"], person())[0]
    checks = [  # (method, path, body, roles allowed)
        ("get", "/api/v1/rooms", None, {"admin", "kepala", "petugas", "staf"}),
        ("get", "/api/v1/clients", None, {"kepala", "petugas", "staf"}),
        ("get", f"/api/v1/clients/{stay['id']}", None, {"kepala", "petugas", "staf"}),
        ("get", "/api/v1/stays?active=true", None, {"kepala", "petugas", "staf"}),
        ("get", "/api/v1/institutions", None, {"admin", "kepala", "petugas", "staf"}),
        ("get", "/api/v1/reports/occupancy?from=2026-11-01&to=2026-11-02", None,
         {"kepala", "petugas", "staf"}),
        ("get", "/api/v1/reports/runs", None, {"kepala", "petugas", "staf"}),
        ("get", "/api/v1/audit", None, {"admin", "kepala"}),
    ]
    for method, path, body, allowed in checks:
        for role, headers in tokens.items():
            response = getattr(client, method)(path, headers=headers, json=body)
            if role in allowed:
                assert response.status_code == 200, (role, path, response.get_json())
            else:
                assert_error(response, 403, "forbidden")
    for role, headers in tokens.items():  # writes: refused roles change nothing
        response = post_intake(client, headers, person(name=f"Tamu {role}"))
        if role in ("kepala", "petugas"):
            assert response.status_code == 201
        else:
            assert_error(response, 403, "forbidden")
        response = client.post("/api/v1/institutions", headers=headers, json={
            "name": f"Balai {role}", "kind": "balai", "address": "Jl. 1", "city": "Solo"})
        if role == "petugas":
            assert_error(response, 403, "forbidden")
        else:
            assert response.status_code == 201
    for role in ("admin",):
        assert_error(client.post(f"/api/v1/stays/{stay['stay_id']}/placement", json={},
                                 headers=tokens[role]), 403, "forbidden")
        assert_error(client.post(f"/api/v1/stays/{stay['stay_id']}/exit",
                                 json={"exit_type": "other"}, headers=tokens[role]), 403)
    assert_error(client.post(f"/api/v1/stays/{stay['stay_id']}/placement", json={},
                             headers=tokens["staf"]), 403, "forbidden")
    # staf may discharge
    response = client.post(f"/api/v1/stays/{stay['stay_id']}/exit", json={"exit_type": "other"},
                           headers=tokens["staf"])
    assert response.status_code == 200


# ------------------------------------------------------------------------------- rooms

def test_rooms_items_have_exactly_the_contract_keys(client, petugas):
    for room in rooms(client, petugas):
        assert set(room) == {"id", "code", "name", "kind", "sex", "capacity", "occupied", "beds"}
        assert room["kind"] in ROOM_KINDS and room["sex"] in ("L", "P", None)
        for bed in room["beds"]:
            assert set(bed) == {"id", "label", "stay_id"}
    stay = admit(client, petugas, person())[0]["stay_id"]
    placed = client.post(f"/api/v1/stays/{stay}/placement", json={}, headers=petugas).get_json()
    room = room_by_code(client, petugas, placed["room_code"])
    assert room["occupied"] == 1
    assert [b["stay_id"] for b in room["beds"] if b["id"] == placed["bed_id"]] == [stay]


# ----------------------------------------------------------------------------- intakes

def test_intake_answers_201_with_ids_and_keeps_every_row_or_none(client, petugas):
    response = post_intake(client, petugas, person("Karto"),
                           person("Warsini", sex="P", identity_known=True, nik=nik("P"),
                                  birth_date="1980-05-17", estimated_age=None,
                                  belongings=[{"description": "Tas kain", "quantity": 1}]),
                           received_at=ago(hours=1), notes="Razia pasar")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "clients"} and len(body["clients"]) == 2
    for row in body["clients"]:
        assert set(row) == {"id", "registration_number", "stay_id"}
    # one bad row: nothing is kept
    bad = post_intake(client, petugas, person("Sainah Baru"), person("Rusak", pmks_category=27))
    error = assert_error(bad, 422, "validation_error")
    assert "clients.1.pmks_category" in error["fields"]
    assert client.get("/api/v1/clients?q=Sainah", headers=petugas).get_json() == []
    # the same BAST number again is accepted
    assert post_intake(client, petugas, person("Slamet")).status_code == 201
    # birth_date or estimated_age is required
    error = assert_error(post_intake(client, petugas, person("Tanpa Umur", age=None)), 422)
    assert any(key.startswith("clients.0.") for key in error["fields"])


def test_returning_client_gets_a_new_stay_and_an_open_stay_is_409(client, petugas):
    first = admit(client, petugas, person("Kasdi"))[0]
    error = assert_error(post_intake(client, petugas, {"client_id": first["id"]}), 409,
                         "already_in_shelter")
    assert error["fields"]
    assert client.post(f"/api/v1/stays/{first['stay_id']}/exit", json={"exit_type": "absconded"},
                       headers=petugas).status_code == 200
    again = admit(client, petugas, {"client_id": first["id"]})[0]
    assert again["id"] == first["id"] and again["stay_id"] != first["stay_id"]
    assert again["registration_number"] == first["registration_number"]


def test_a_new_row_with_the_nik_of_a_client_in_the_shelter_is_409(client, petugas):
    admit(client, petugas, person("Tarmi", sex="P", identity_known=True, nik=nik("P")))
    assert_error(post_intake(client, petugas, person("Tarmi", sex="P", nik=nik("P"))), 409,
                 "already_in_shelter")


@pytest.mark.parametrize("sex, number, extra", [
    ("L", "332801170580001", {}),                      # 15 digits
    ("L", "33280117058000011", {}),                    # 17 digits
    ("L", "33280117058O0001", {}),                     # a letter
    ("L", nik("P"), {}),                               # a woman's day for a man
    ("P", nik("L"), {}),                               # a man's day for a woman
    ("L", "3328013205800001", {}),                     # day 32
    ("P", "3328017205800001", {}),                     # day 72
    ("L", "3328011713800001", {}),                     # month 13
    ("L", "3328011700800001", {}),                     # month 00
    ("L", nik("L", serial="0000"), {}),                # serial 0000
    ("L", nik("L"), {"birth_date": "1980-05-18"}),     # disagrees with birth_date
    ("P", nik("P"), {"birth_date": "1981-05-17"}),     # year disagrees
])
def test_invalid_nik_is_422_invalid_nik(client, petugas, sex, number, extra):
    row = person("Nik Uji", sex=sex, identity_known=True, nik=number, **extra)
    error = assert_error(post_intake(client, petugas, row), 422, "invalid_nik")
    assert "clients.0.nik" in error["fields"]


def test_well_formed_niks_are_accepted(client, petugas):
    admit(client, petugas,
          person("A", identity_known=True, nik=nik("L", date(1990, 1, 31), "0002")),
          person("B", sex="P", identity_known=True, nik=nik("P", date(1975, 12, 1), "0003"),
                 birth_date="1975-12-01", estimated_age=None),
          person("C", sex="P", identity_known=True, nik=nik("P", date(2001, 2, 28), "9999")))


# ----------------------------------------------------------------------------- clients

def test_client_search_and_latest_fifty(client, petugas):
    created = admit(client, petugas, *[person(f"Warga {i:02d}") for i in range(55)])
    latest = client.get("/api/v1/clients?q=", headers=petugas).get_json()
    assert len(latest) == 50
    for item in latest:
        assert set(item) == {"id", "registration_number", "name", "sex", "nik", "active_stay_id"}
    assert created[0]["id"] not in {c["id"] for c in latest}
    assert created[-1]["id"] in {c["id"] for c in latest}
    assert len(client.get("/api/v1/clients", headers=petugas).get_json()) == 50
    found = client.get("/api/v1/clients?q=Warga 07", headers=petugas).get_json()
    assert [c["id"] for c in found] == [created[7]["id"]]
    assert found[0]["active_stay_id"] == created[7]["stay_id"]
    by_number = client.get("/api/v1/clients", query_string={"q": created[3]["registration_number"]},
                           headers=petugas).get_json()
    assert [c["id"] for c in by_number] == [created[3]["id"]]


def test_search_by_nik_and_client_record_with_stays(client, petugas):
    number = nik("L", date(1970, 3, 3), "0042")
    row = admit(client, petugas, person("Paijo", identity_known=True, nik=number))[0]
    found = client.get("/api/v1/clients", query_string={"q": number}, headers=petugas).get_json()
    assert [c["id"] for c in found] == [row["id"]] and found[0]["nik"] == number
    record = client.get(f"/api/v1/clients/{row['id']}", headers=petugas).get_json()
    assert {"id", "registration_number", "name", "sex", "nik", "stays"} <= set(record)
    assert [s["id"] for s in record["stays"]] == [row["stay_id"]]
    assert_moment(record["stays"][0]["entered_at"])


def test_active_stays_shape(client, petugas):
    stay = admit(client, petugas, person())[0]
    rows = client.get("/api/v1/stays?active=true", headers=petugas).get_json()
    assert len(rows) == 1
    assert set(rows[0]) == {"id", "client_id", "entered_at", "bed_id", "room_code", "days",
                            "absent_sessions"}
    assert rows[0]["absent_sessions"] == 0
    assert (rows[0]["id"], rows[0]["client_id"], rows[0]["bed_id"], rows[0]["room_code"]) == (
        stay["stay_id"], stay["id"], None, None)
    assert_moment(rows[0]["entered_at"]) and isinstance(rows[0]["days"], int)
    client.post(f"/api/v1/stays/{stay['stay_id']}/exit", json={"exit_type": "other"}, headers=petugas)
    assert client.get("/api/v1/stays?active=true", headers=petugas).get_json() == []


# --------------------------------------------------------------------------- placement

def test_placement_by_bed_room_best_fit_and_moving(client, petugas):
    man, woman, kid = admit(client, petugas, person("Lelaki"), person("Perempuan", sex="P"),
                            person("Anak", age=10))
    pa = first_room(client, petugas, "shelter", "L")
    pi = first_room(client, petugas, "shelter", "P")
    bed = pa["beds"][0]["id"]
    answer = client.post(f"/api/v1/stays/{man['stay_id']}/placement", json={"bed_id": bed},
                         headers=petugas)
    assert answer.status_code == 200 and answer.get_json() == {"bed_id": bed, "room_code": pa["code"]}
    answer = client.post(f"/api/v1/stays/{woman['stay_id']}/placement", json={"room_id": pi["id"]},
                         headers=petugas).get_json()
    assert set(answer) == {"bed_id", "room_code"} and answer["room_code"] == pi["code"]
    answer = client.post(f"/api/v1/stays/{kid['stay_id']}/placement", json={}, headers=petugas)
    assert answer.status_code == 200 and answer.get_json()["room_code"] != pa["code"]
    # rules
    assert_error(client.post(f"/api/v1/stays/{woman['stay_id']}/placement",
                             json={"room_id": pa["id"]}, headers=petugas), 422, "sex_mismatch")
    assert_error(client.post(f"/api/v1/stays/{kid['stay_id']}/placement",
                             json={"room_id": pa["id"]}, headers=petugas), 422, "age_mix")
    second = admit(client, petugas, person("Lelaki Dua"))[0]
    assert_error(client.post(f"/api/v1/stays/{second['stay_id']}/placement",
                             json={"bed_id": bed}, headers=petugas), 409, "bed_occupied")
    # moving a placed client frees the old bed
    other = pa["beds"][1]["id"]
    moved = client.post(f"/api/v1/stays/{man['stay_id']}/placement", json={"bed_id": other},
                        headers=petugas)
    assert moved.status_code == 200 and moved.get_json()["bed_id"] == other
    beds = {b["id"]: b["stay_id"] for b in room_by_code(client, petugas, pa["code"])["beds"]}
    assert beds[bed] is None and beds[other] == man["stay_id"]
    assert_error(client.post("/api/v1/stays/999999/placement", json={}, headers=petugas), 404,
                 "not_found")


def test_isolation_required_and_room_full(client, petugas):
    flagged, other = admit(client, petugas, person("Isolasi", needs_isolation=True),
                           person("Biasa"))
    pa = first_room(client, petugas, "shelter", "L")
    assert_error(client.post(f"/api/v1/stays/{flagged['stay_id']}/placement",
                             json={"room_id": pa["id"]}, headers=petugas), 422,
                 "isolation_required")
    placed = client.post(f"/api/v1/stays/{flagged['stay_id']}/placement", json={},
                         headers=petugas).get_json()
    iso = room_by_code(client, petugas, placed["room_code"])
    assert iso["kind"] == "isolation"
    assert_error(client.post(f"/api/v1/stays/{other['stay_id']}/placement",
                             json={"room_id": iso["id"]}, headers=petugas), 409, "room_full")


# -------------------------------------------------------------------------------- exit

def test_each_exit_type_and_its_letter(client, app, petugas):
    kepala = api_token(client, app, "kepala")
    places = {kind: institution(client, kepala, kind) for kind in ("panti", "balai", "hospital")}
    stays = admit(client, petugas, *[person(f"Keluar {t}") for t in EXIT_TYPES])
    for exit_type, stay in zip(EXIT_TYPES, stays):
        response = client.post(f"/api/v1/stays/{stay['stay_id']}/exit", headers=petugas,
                               json=exit_body(exit_type, places.get(exit_type), notes="<b>x</b>"))
        assert response.status_code == 200, (exit_type, response.get_json())
        body = response.get_json()
        assert set(body) == {"stay_id", "exit_type", "letter"}
        assert (body["stay_id"], body["exit_type"]) == (stay["stay_id"], exit_type)
        if exit_type in LETTER_TYPES:
            letter = body["letter"]
            assert set(letter) == {"id", "number", "pdf_url", "verify_url"}
            pdf = client.get(letter["pdf_url"], headers=petugas)
            assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
            again = client.get(f"/api/v1/letters/{letter['id']}.pdf", headers=petugas)
            assert again.data == pdf.data
            public = app.test_client().get(letter["verify_url"])
            assert public.status_code == 200
            page = public.get_data(as_text=True)
            assert letter["number"] in page and f"Keluar {exit_type}" not in page
        else:
            assert body["letter"] is None
    assert_error(client.post(f"/api/v1/stays/{stays[0]['stay_id']}/exit", headers=petugas,
                             json={"exit_type": "other"}), 409, "already_exited")


def test_exit_required_fields_and_exited_at_rules(client, app, petugas):
    stay = admit(client, petugas, person(), received_at=ago(hours=2))[0]["stay_id"]
    path = f"/api/v1/stays/{stay}/exit"
    for exit_type in ("panti", "balai", "hospital"):
        error = assert_error(client.post(path, json={"exit_type": exit_type}, headers=petugas),
                             422, "validation_error")
        assert "institution_id" in error["fields"]
    for exit_type in ("family", "home_region"):
        error = assert_error(client.post(path, json={"exit_type": exit_type}, headers=petugas),
                             422, "validation_error")
        assert any(key.startswith("family_contact") for key in error["fields"])
    assert_error(client.post(path, json={"exit_type": "pulang"}, headers=petugas), 422)
    error = assert_error(client.post(path, json={"exit_type": "other", "exited_at": ago(hours=3)},
                                     headers=petugas), 422)
    assert "exited_at" in error["fields"]
    error = assert_error(client.post(path, json={"exit_type": "other",
                                                 "exited_at": ago(hours=-2)}, headers=petugas), 422)
    assert "exited_at" in error["fields"]
    # an unplaced stay may exit, with a time between entry and now
    done = client.post(path, json={"exit_type": "family", "exited_at": ago(hours=1),
                                   "family_contact": {"name": "Darmi", "address": "Pangkah"}},
                       headers=petugas)
    assert done.status_code == 200 and done.get_json()["letter"]["number"]


def test_intake_bast_pdf(client, petugas):
    response = post_intake(client, petugas, person("Satu"), person("Dua"))
    intake_id = response.get_json()["id"]
    pdf = client.get(f"/api/v1/intakes/{intake_id}/bast.pdf", headers=petugas)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


# ------------------------------------------------------------------------ institutions

def test_institutions_shapes_and_kinds(client, app):
    staf = api_token(client, app, "staf")
    for kind in ("panti", "balai", "hospital", "dinsos", "other"):
        response = client.post("/api/v1/institutions", headers=staf, json={
            "name": f"Lembaga uji {kind}", "kind": kind, "address": "Jl. Raya 2", "city": "Slawi",
            "phone": "0283-491234"})
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "name", "kind", "address", "city", "phone"}
        assert (body["kind"], body["phone"]) == (kind, "0283-491234")
    error = assert_error(client.post("/api/v1/institutions", headers=staf, json={
        "name": "Salah", "kind": "sekolah", "address": "Jl.", "city": "Slawi"}), 422)
    assert "kind" in error["fields"]
    listed = client.get("/api/v1/institutions", headers=staf).get_json()
    assert {"Lembaga uji panti", "Lembaga uji other"} <= {i["name"] for i in listed}
    for item in listed:
        assert set(item) == {"id", "name", "kind", "address", "city", "phone"}
    assert response.get_json() in listed


# ----------------------------------------------------------------------------- reports

def test_occupancy_and_length_of_stay_shapes(client, petugas):
    day = today()
    stay = admit(client, petugas, person(), operation_at=ago(days=2, hours=1),
                 received_at=ago(days=2))[0]["stay_id"]
    client.post(f"/api/v1/stays/{stay}/placement", json={}, headers=petugas)
    span = {"from": (day - timedelta(days=3)).isoformat(), "to": day.isoformat()}
    occupancy = client.get("/api/v1/reports/occupancy", query_string=span, headers=petugas)
    assert occupancy.status_code == 200
    body = occupancy.get_json()
    assert set(body) == {"bed_nights", "available_bed_nights", "occupancy_rate", "by_room_kind",
                         "by_sex", "daily"}
    assert set(body["by_room_kind"]) == {"shelter", "isolation", "unplaced"}
    for kind in ("shelter", "isolation"):
        assert set(body["by_room_kind"][kind]) == {"bed_nights", "available_bed_nights",
                                                   "occupancy_rate"}
    assert set(body["by_room_kind"]["unplaced"]) == {"bed_nights"}
    assert set(body["by_sex"]) == {"L", "P"} and set(body["by_sex"]["L"]) == {"bed_nights"}
    assert [d["date"] for d in body["daily"]] == [(day - timedelta(days=n)).isoformat()
                                                  for n in (3, 2, 1, 0)]
    assert all(set(d) == {"date", "occupied", "capacity"} for d in body["daily"])
    # the default building's 90 client beds serve every date, the stay 3 nights
    assert body["available_bed_nights"] == 4 * 90 and body["bed_nights"] == 3
    assert [d["capacity"] for d in body["daily"]] == [90] * 4
    assert [d["occupied"] for d in body["daily"]] == [0, 1, 1, 1]
    assert body["by_sex"]["L"]["bed_nights"] == 3 and body["by_sex"]["P"]["bed_nights"] == 0
    assert body["by_room_kind"]["shelter"]["bed_nights"] + body["by_room_kind"]["unplaced"][
        "bed_nights"] == 3
    los = client.get("/api/v1/reports/length-of-stay", query_string=span, headers=petugas)
    assert los.status_code == 200
    body = los.get_json()
    assert set(body) == {"exited", "active", "exits_by_type", "returns"}
    assert set(body["exited"]) == {"count", "mean", "median", "max", "buckets"}
    assert set(body["exited"]["buckets"]) == BUCKETS
    assert body["exited"]["count"] == 0
    assert body["exited"]["mean"] is None and body["exited"]["median"] is None
    assert set(body["active"]) == {"count", "over_limit"} and body["active"]["count"] == 1
    assert body["exits_by_type"] == {} or all(v == 0 for v in body["exits_by_type"].values())
    client.post(f"/api/v1/stays/{stay}/exit", json={"exit_type": "absconded"}, headers=petugas)
    body = client.get("/api/v1/reports/length-of-stay", query_string=span,
                      headers=petugas).get_json()
    assert body["exited"]["count"] == 1 and body["exits_by_type"]["absconded"] == 1
    assert body["exited"]["buckets"]["2-3"] == 1 and body["exited"]["mean"] == 2
    assert_error(client.get("/api/v1/reports/occupancy", headers=petugas), 422)


def test_over_limit_lists_long_open_stays(client, petugas):
    stay = admit(client, petugas, person("Lama"), operation_at=ago(days=11),
                 received_at=ago(days=10))[0]
    day = today().isoformat()
    body = client.get("/api/v1/reports/length-of-stay", query_string={"from": day, "to": day},
                      headers=petugas).get_json()
    assert body["active"]["over_limit"] == [{"stay_id": stay["stay_id"], "client_id": stay["id"],
                                             "name": "Lama", "nights": 11}]


@pytest.mark.parametrize("kind", ["daily", "monthly", "occupancy", "length-of-stay"])
def test_report_pdfs(client, petugas, kind):
    period = {"from": "2026-11-01", "to": "2026-11-30"} if kind != "daily" else \
        {"from": "2026-11-06", "to": "2026-11-06"}
    response = client.get(f"/api/v1/reports/{kind}.pdf", query_string=period, headers=petugas)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


# ------------------------------------------------------------------------------- audit

def test_audit_shape_and_reads_of_client_records(client, app, petugas):
    row = admit(client, petugas, person())[0]
    client.get(f"/api/v1/clients/{row['id']}", headers=petugas)
    kepala = api_token(client, app, "kepala")
    entries = client.get("/api/v1/audit", query_string={"entity": "client", "entity_id": row["id"]},
                         headers=kepala).get_json()
    for entry in entries:
        assert set(entry) == {"at", "username", "action", "entity", "entity_id"}
        assert_moment(entry["at"])
        assert entry["entity"] == "client" and entry["entity_id"] == row["id"]
    assert ("read", "api-petugas") in {(e["action"], e["username"]) for e in entries}
    writes = client.get("/api/v1/audit", query_string={"entity": "intake"}, headers=kepala).get_json()
    assert writes and writes[0]["action"] == "create"


# ------------------------------------------------------------------- logins and pages

def test_too_many_attempts_for_api_and_web(client, app):
    api_token(client, app, "staf", username="korban")
    for _ in range(5):
        assert_error(client.post("/api/v1/auth/token", json={"username": "korban",
                                                             "password": "salah"}), 401)
    for password in ("salah", PASSWORD):
        assert_error(client.post("/api/v1/auth/token", json={"username": "korban",
                                                             "password": password}), 429,
                     "too_many_attempts")
    web = app.test_client()
    response = web.post("/login", data={"username": "korban", "password": PASSWORD,
                                        "csrf_token": csrf_token(web)})
    assert response.status_code == 429


def test_web_failures_count_too(client, app):
    api_token(client, app, "staf", username="korban2")
    web = app.test_client()
    token = csrf_token(web)
    for _ in range(5):
        web.post("/login", data={"username": "korban2", "password": "x", "csrf_token": token})
    assert_error(client.post("/api/v1/auth/token", json={"username": "korban2",
                                                         "password": PASSWORD}), 429,
                 "too_many_attempts")


PAGES = ["/", "/rooms", "/intakes/new", "/clients", "/reports", "/admin/users", "/admin"]


def test_pages_redirect_to_login_without_a_session(client):
    login_page = client.get("/login")
    assert login_page.status_code == 200
    html = login_page.get_data(as_text=True)
    for field in ("username", "password", "csrf_token"):
        assert f'name="{field}"' in html
    for path in PAGES + ["/clients/1"]:
        response = client.get(path)
        assert response.status_code in (302, 303), path
        assert response.headers["Location"].split("?")[0].endswith("/login"), path


def test_pages_exist_for_their_roles_and_english_on_request(client, app):
    login(client, app, "kepala")
    row = admit(client, api_token(client, app, "petugas"), person())[0]
    for path in ["/", "/rooms", "/intakes/new", "/clients", f"/clients/{row['id']}", "/reports"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/users").status_code == 403
    indonesian = client.get("/rooms").get_data(as_text=True)
    english = client.get("/rooms?lang=en").get_data(as_text=True)
    assert 'lang="id"' in indonesian and 'lang="en"' in english
    admin = app.test_client()
    login(admin, app, "admin")
    assert admin.get("/admin/users").status_code == 200
    assert admin.get("/admin").status_code in (200, 302)
    assert admin.get(f"/clients/{row['id']}").status_code == 403


def test_logout_by_post_ends_the_session_on_the_server(client, app):
    login(client, app, "petugas")
    cookie = client.get_cookie("session").value
    assert client.get("/rooms").status_code == 200
    assert client.get("/logout").status_code == 405  # no state change on GET
    assert client.post("/logout").status_code == 400  # nor without the CSRF token
    assert client.get("/rooms").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/rooms")})
    assert response.status_code in (302, 303)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/rooms").status_code in (302, 303)


# --------------------------------------------------------------------------- documents

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def indonesian(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def test_letter_prints_user_text_literally_with_its_number_and_an_indonesian_date(client, petugas):
    name = "Siti <b>Aminah</b> & Co"
    stay = admit(client, petugas, person(name, sex="P"))[0]["stay_id"]
    body = client.post(f"/api/v1/stays/{stay}/exit", headers=petugas,
                       json=exit_body("home_region")).get_json()
    text = pdf_text(client.get(body["letter"]["pdf_url"], headers=petugas).data)
    assert name in text and body["letter"]["number"] in text
    assert indonesian(today()) in text


def test_monthly_report_names_its_period_in_indonesian(client, petugas):
    response = client.get("/api/v1/reports/monthly.pdf", headers=petugas,
                          query_string={"from": "2026-08-01", "to": "2026-08-31"})
    assert "Agustus 2026" in pdf_text(response.data)


def test_intake_page_offers_the_26_pmks_categories(client, app):
    login(client, app, "petugas")
    html = client.get("/intakes/new").get_data(as_text=True)
    contract = Path("/work/shared/contract.md")
    names = ["Anak Balita Telantar", "Anak yang Berhadapan dengan Hukum", "Lanjut Usia Telantar",
             "Orang dengan HIV/AIDS", "Korban Penyalahgunaan NAPZA", "Komunitas Adat Terpencil"]
    if contract.exists():
        section = contract.read_text().split("## PMKS categories")[1].split("\n## ")[0]
        tail = " ".join(section.split("\n")[1:])
        names = [name.strip().rstrip(".") for _, name in
                 re.findall(r"(\d+) ([^;]+?)(?=;|$)", " ".join(tail.split()))]
        assert len(names) == 26
    for name in names:
        assert name in html, name


# ------------------------------------------------------------------- metrics, by hand

def test_nights_same_day_exit_and_returns(client, petugas):
    day = today()
    span = {"from": (day - timedelta(days=6)).isoformat(), "to": day.isoformat()}
    first = admit(client, petugas, person("Pulang Balik"), operation_at=ago(days=5, hours=1),
                  received_at=ago(days=5))[0]
    placed = client.post(f"/api/v1/stays/{first['stay_id']}/placement", json={},
                         headers=petugas).get_json()
    client.post(f"/api/v1/stays/{first['stay_id']}/exit", headers=petugas,
                json={"exit_type": "other", "exited_at": ago(days=3)})
    again = admit(client, petugas, {"client_id": first["id"]})[0]  # a return, exits at once
    client.post(f"/api/v1/stays/{again['stay_id']}/exit", json={"exit_type": "absconded"},
                headers=petugas)
    los = client.get("/api/v1/reports/length-of-stay", query_string=span, headers=petugas).get_json()
    assert los["exited"]["count"] == 2 and los["exited"]["max"] == 2
    assert los["exited"]["buckets"] == {"0-1": 1, "2-3": 1, "4-7": 0, "8-14": 0, "15-30": 0,
                                        "31+": 0}
    assert los["exited"]["mean"] == 1 and los["exited"]["median"] == 1
    assert los["exits_by_type"] == {"other": 1, "absconded": 1} and los["returns"] == 1
    assert los["active"] == {"count": 0, "over_limit": []}
    occupancy = client.get("/api/v1/reports/occupancy", query_string=span,
                           headers=petugas).get_json()
    assert occupancy["bed_nights"] == 2  # the same-day stay occupies no night
    assert occupancy["by_room_kind"]["shelter"]["bed_nights"] == 0  # placed today: not that night
    assert occupancy["by_room_kind"]["unplaced"]["bed_nights"] == 2
    assert placed["room_code"]


def test_scheduler_once_runs_due_occurrences_once(app, runner, client):
    headers = api_token(client, app, "kepala")
    assert runner.invoke(args=["rps", "scheduler", "--once", "--now",
                               "2026-02-01T02:00:00+07:00"]).exit_code == 0
    assert runner.invoke(args=["rps", "scheduler", "--once", "--now",
                               "2026-02-01T02:00:00+07:00"]).exit_code == 0
    monthly = client.get("/api/v1/reports/runs?kind=monthly", headers=headers).get_json()
    assert [(r["period_from"], r["period_to"], r["status"]) for r in monthly] == [
        ("2026-01-01", "2026-01-31", "done")]
    daily = client.get("/api/v1/reports/runs?kind=daily", headers=headers).get_json()
    assert sorted(r["period_from"] for r in daily) == [
        f"2026-01-{d:02d}" for d in range(2, 32)]  # 1 Jan 07:00 WIB is not after the install


def test_a_refused_request_writes_no_business_data_but_its_audit_entry(client, app):
    staf = api_token(client, app, "staf")
    kepala = api_token(client, app, "kepala")
    assert_error(post_intake(client, staf, person("Ditolak")), 403, "forbidden")
    assert_error(post_intake(client, kepala, person("Salah", pmks_category=0)), 422)
    assert client.get("/api/v1/clients?q=", headers=kepala).get_json() == []
    entries = client.get("/api/v1/audit", headers=kepala).get_json()
    refused = [(e["username"], e["action"]) for e in entries if e["action"] == "refused"]
    assert refused == [("api-kepala", "refused"), ("api-staf", "refused")]
    assert not [e for e in entries if e["entity"] in ("client", "intake", "stay")
                and e["action"] != "search"]
