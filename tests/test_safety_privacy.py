"""Issue 12, findings 5, 6 and 7 (in part): printed URLs from RPS_PUBLIC_URL, never the Host
header; owner-only files; idle sessions end; database errors hide their parameters."""
import io
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import text

from rps_app import clock, create_app
from rps_app.extensions import db
from rps_app.referrals import services as referrals
from rps_app.reporting import services as reporting
from rps_app.audit.services import Actor

from .conftest import _config, api_token, csrf_token, login
from .factories import make_intake
from .stays_support import NOW

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_letter_urls_come_from_rps_public_url_not_the_host_header(app, client):
    app.config["RPS_PUBLIC_URL"] = "https://rps.tegalkab.go.id/"
    with app.app_context():
        stay_id = make_intake(1).stays[0].id
        institution = referrals.add_institution(ACTOR, "Panti Uji", "panti", "Jl. Uji", "Semarang")
        db.session.commit()
        institution_id = institution.id
    headers = {**api_token(client, app, "staf"), "Host": "rps-verifikasi.evil.example"}
    response = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                           json={"exit_type": "panti", "institution_id": institution_id})
    assert response.status_code == 200, response.get_json()
    letter = response.get_json()["letter"]
    assert letter["verify_url"].startswith("https://rps.tegalkab.go.id/verify/")
    assert letter["pdf_url"] == f"https://rps.tegalkab.go.id/api/v1/letters/{letter['id']}.pdf"
    stored = client.get(f"/api/v1/letters/{letter['id']}", headers=headers).get_json()
    assert "evil" not in repr(stored)
    pdf = client.get(f"/api/v1/letters/{letter['id']}.pdf", headers=headers).data
    assert b"evil" not in pdf


def test_the_default_public_url_and_rps_init_writes_it(tmp_path, monkeypatch):
    monkeypatch.delenv("RPS_PUBLIC_URL", raising=False)
    config = {**_config(str(tmp_path), f"sqlite:///{tmp_path / 'rps.sqlite3'}")}
    app = create_app(config)
    assert app.config["RPS_PUBLIC_URL"] == "http://127.0.0.1:5000"
    from rps_app.install import ensure_public_url
    with app.app_context():
        assert ensure_public_url() is True
        assert ensure_public_url() is False  # once
    written = (tmp_path / "config.py").read_text()
    assert "RPS_PUBLIC_URL = 'http://127.0.0.1:5000'" in written
    assert mode(tmp_path / "config.py") == 0o600


def test_sqlite_database_wal_and_shm_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        folder = tmp_path / "inst"
        app = create_app(_config(str(folder), f"sqlite:///{folder / 'rps.sqlite3'}"))
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            paths = [folder / name for name in ("rps.sqlite3", "rps.sqlite3-wal", "rps.sqlite3-shm")]
            assert all(path.exists() for path in paths)
            assert [mode(path) for path in paths] == [0o600] * 3
            db.engine.dispose()
        assert mode(folder) == 0o700
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path):
    import sqlite3
    path = tmp_path / "rps.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    app = create_app(_config(str(tmp_path), f"sqlite:///{path}"))
    assert mode(path) == 0o600
    os.chmod(path, 0o644)  # widened while the app runs: the next connection narrows it
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        db.engine.dispose()
    assert mode(path) == 0o600


def test_photos_and_report_files_are_owner_only(app, client):
    old = os.umask(0o022)
    try:
        with app.app_context():
            client_id = make_intake(1).stays[0].client_id
        login(client, app, "petugas")
        token = csrf_token(client, f"/clients/{client_id}")
        response = client.post(f"/clients/{client_id}/photo", data={
            "csrf_token": token, "photo": (io.BytesIO(PNG), "foto.png")})
        assert response.status_code in (302, 303)
        uploads = os.path.join(app.instance_path, "uploads")
        for folder, dirs, names in os.walk(uploads):
            assert mode(folder) == 0o700
            assert names == [] or all(mode(os.path.join(folder, n)) == 0o600 for n in names)
        assert any(names for _, _, names in os.walk(uploads))
        with app.app_context():
            run = reporting.claim("daily", NOW.date(), NOW.date(), "test")
            run = reporting.execute(run.id, ACTOR)
            path = reporting.run_file(run)
        assert mode(path) == 0o600 and mode(os.path.dirname(path)) == 0o700
        assert mode(app.config["RPS_REPORTS_DIR"]) == 0o700
    finally:
        os.umask(old)


def test_an_idle_session_ends_after_rps_idle_minutes(app, client):
    app.config["RPS_IDLE_MINUTES"] = 30
    login(client, app, "petugas")
    clock.freeze(NOW + timedelta(minutes=29))
    assert client.get("/").status_code == 200  # a request keeps it alive
    clock.freeze(NOW + timedelta(minutes=58))
    assert client.get("/").status_code == 200
    clock.freeze(NOW + timedelta(minutes=58 + 31))
    response = client.get("/rooms")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.get("/").status_code in (302, 303)  # and stays ended


def test_api_tokens_keep_their_own_expiry(app, client):
    headers = api_token(client, app, "petugas")
    clock.freeze(NOW + timedelta(hours=2))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_database_errors_hide_their_parameters(app, caplog):
    secret = "3328014101900001-rahasia"
    with app.app_context():
        with pytest.raises(Exception) as caught:
            db.session.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": secret})
        db.session.rollback()
    assert secret not in str(caught.value)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
