"""Fixtures in the flaskr style: a fresh database per test, on SQLite and on PostgreSQL.

Every test that uses `app` runs twice: once on SQLite and once on PostgreSQL. The schema
comes from the real Alembic migrations, built once per backend and then copied (SQLite)
or emptied back to the seeded rows (PostgreSQL) for each test.

PostgreSQL: RPS_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
names a server where a fresh database is created for the run and dropped after it. When it
cannot be reached the PostgreSQL half skips, saying how to enable it.
"""
import os
import re
import shutil
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from rps_app import clock, create_app
from rps_app.extensions import db

from .factories import make_user

POSTGRES_URL = os.environ.get("RPS_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "kata-sandi-uji-123"


def _config(instance: str, url: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret-key", "RPS_INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": url,
            "RPS_PASSWORD_HASH": "scrypt:1024:8:1"}  # cheap scrypt: tests hash many passwords


def _prepare_schema(app) -> None:
    """Migrate to head and seed what `rps init` seeds (without the first admin)."""
    from flask_migrate import upgrade

    from rps_app.audit.services import Actor
    from rps_app.facility import services as facility
    from rps_app.settings import services as settings

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        facility.seed_default_facility(Actor.system("test"))
        settings.put("installed_at", "2026-01-01T00:00:00+00:00")
        db.session.commit()
        db.engine.dispose()


def _postgres_server_or_skip():
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: not available here
        engine.dispose()
        message = (f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}). "
                   "Start PostgreSQL or set RPS_TEST_POSTGRES_URL to a server where the "
                   "test user may CREATE DATABASE to run the PostgreSQL half of the suite.")
        if os.environ.get("RPS_TEST_REQUIRE_POSTGRES"):  # CI: never skip half the suite
            pytest.fail(message)
        pytest.skip(message)
    return engine


@contextmanager
def postgres_database(prefix: str):
    """A new empty database on the test server (skips when there is none), dropped on exit
    even while sessions still hold it; yields its URL."""
    server = _postgres_server_or_skip()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """A migrated, seeded template database for the whole run, per backend."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite-template")
        path = folder / "rps.sqlite3"
        app = create_app(_config(str(folder), f"sqlite:///{path}"))
        _prepare_schema(app)
        yield {"kind": "sqlite", "template": str(path)}
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with postgres_database(f"rps_test_{worker}") as url:
        app = create_app(_config(str(tmp_path_factory.mktemp("pg-instance")), url))
        _prepare_schema(app)
        with app.app_context():
            snapshot = {}
            with db.engine.connect() as conn:  # the seeded rows, restored after each test
                for table in db.metadata.sorted_tables:
                    snapshot[table.name] = [dict(r._mapping)
                                            for r in conn.execute(table.select())]
            db.engine.dispose()
        yield {"kind": "postgresql", "url": url, "snapshot": snapshot,
               "reset": _postgres_reset_statements(snapshot)}


# Append-only on PostgreSQL (a trigger refuses DELETE): emptied by TRUNCATE instead.
LEDGER_TABLES = {"stock_movements", "stock_movement_lines"}


def _postgres_reset_statements(snapshot) -> dict:
    """What `_reset_postgres` runs, built once: which tables hold rows, and every
    sequence back to where the seeded rows left it."""
    tables = db.metadata.sorted_tables
    holding_rows = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    sequences = ", ".join(
        f"setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), "
        + (f"{max(row['id'] for row in snapshot[t.name])}, true)" if snapshot[t.name]
           else "1, false)")
        for t in tables if "id" in t.c and isinstance(t.c.id.type, sa.Integer))
    return {"holding_rows": sa.text(holding_rows), "sequences": sa.text(f"SELECT {sequences}"),
            "seeded": {name for name, rows in snapshot.items() if rows}}


def _reset_postgres(app, backend) -> None:
    """Back to the seeded rows. DELETE, not TRUNCATE: a TRUNCATE costs ~4 ms a table
    however empty (0.2 s for the schema, before each of ~800 tests), and a test writes
    to a few tables."""
    reset = backend["reset"]
    with app.app_context():
        with db.engine.begin() as conn:
            # The seeded tables always: a test may have emptied them (migrations to base).
            written = set(conn.execute(reset["holding_rows"]).scalars()) | reset["seeded"]
            ledger = written & LEDGER_TABLES
            if ledger:  # CASCADE: with the rows that refer to them
                conn.execute(sa.text(f"TRUNCATE {', '.join(sorted(ledger))} CASCADE"))
            for table in reversed(db.metadata.sorted_tables):
                if table.name in written - ledger:
                    conn.execute(table.delete())
            for table in db.metadata.sorted_tables:
                rows = backend["snapshot"][table.name]
                if rows:  # a seeded table: emptied above
                    conn.execute(table.insert(), rows)
            conn.execute(reset["sequences"])


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def race_server(request, tmp_path_factory):
    """One `rps serve` installation per backend for every racing test of the run."""
    from .race_support import race_installation

    with race_installation(request.param, tmp_path_factory) as live:
        yield live


@pytest.fixture
def database_url(backend, tmp_path):
    if backend["kind"] == "sqlite":
        path = tmp_path / "rps.sqlite3"
        shutil.copyfile(backend["template"], path)
        return f"sqlite:///{path}"
    return backend["url"]


@pytest.fixture
def app(backend, database_url, tmp_path):
    app = create_app(_config(str(tmp_path), database_url))
    if backend["kind"] == "postgresql":
        _reset_postgres(app, backend)
    yield app
    clock.freeze(None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for service tests without HTTP."""
    with app.app_context():
        yield


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def login(client, app, role: str = "petugas", username: str | None = None):
    """Create a user with `role` and log in through the login form. Returns the user id."""
    username = username or f"{role}1"
    with app.app_context():
        user_id = make_user(username=username, role=role, password=PASSWORD).id
    token = csrf_token(client)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return user_id


def api_token(client, app, role: str = "petugas", username: str | None = None) -> dict:
    """Create a user with `role` and return Authorization headers with an API token."""
    username = username or f"api-{role}"
    with app.app_context():
        make_user(username=username, role=role, password=PASSWORD)
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
