"""`rps backup FILE`: a consistent copy that can be opened, and an audit entry."""
import shutil
import sqlite3
import stat

import pytest
from sqlalchemy import func, select

from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.facility.models import Room


def _room_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Room))


def _backup_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backup")).all()


def test_backup_writes_a_copy_and_an_audit_entry(app, runner, backend, tmp_path):
    if backend["kind"] == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "cadangan.bak"
    result = runner.invoke(args=["rps", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Cadangan" in result.output
    # Personal data: only the owner may read the copy.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    if backend["kind"] == "sqlite":
        copy = sqlite3.connect(target)
        try:
            (rooms,) = copy.execute("SELECT count(*) FROM rooms").fetchone()
            (mode,) = copy.execute("PRAGMA journal_mode").fetchone()
        finally:
            copy.close()
        assert rooms == _room_count(app) == 30  # 8 shelter, 10 isolation, 12 others
        assert mode == "delete"  # one self-contained file
    else:
        assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom archive

    entries = _backup_entries(app)
    assert len(entries) == 1
    assert entries[0].username == "rps backup"
    assert entries[0].detail["file"] == str(target)
    assert entries[0].detail["bytes"] == target.stat().st_size


# Backend-specific behaviour: these tests take only the backend they are about.
only_sqlite = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
only_postgresql = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@only_sqlite
def test_sqlite_backup_sees_committed_rows_while_another_connection_holds_the_database(
        app, runner, tmp_path):
    with app.app_context():
        room = db.session.scalar(select(Room).order_by(Room.id))
        room.name = "Ruang setelah perubahan"
        db.session.commit()
        room_id = room.id
    # A reader in the middle of a read transaction (WAL mode) does not block the backup.
    live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    reader = sqlite3.connect(live, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM rooms").fetchone()
        target = tmp_path / "copy.sqlite3"
        result = runner.invoke(args=["rps", "backup", str(target)])
    finally:
        reader.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    try:
        (name,) = copy.execute("SELECT name FROM rooms WHERE id = ?", (room_id,)).fetchone()
    finally:
        copy.close()
    assert name == "Ruang setelah perubahan"


def test_backup_refuses_a_missing_folder(runner, tmp_path):
    result = runner.invoke(args=["rps", "backup", str(tmp_path / "tidak-ada" / "x.bak")])
    assert result.exit_code == 1
    assert "Folder tujuan FILE tidak ada" in result.output


@only_sqlite
def test_backup_refuses_to_overwrite_the_live_database(app, runner):
    live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    result = runner.invoke(args=["rps", "backup", live])
    assert result.exit_code == 1
    assert "tidak boleh sama" in result.output
    assert _backup_entries(app) == []


@only_postgresql
def test_postgresql_backup_without_pg_dump_says_what_to_install(app, runner, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr("rps_app.backup.shutil.which", lambda name: None)
    target = tmp_path / "x.dump"
    result = runner.invoke(args=["rps", "backup", str(target)])
    assert result.exit_code == 1
    assert "pg_dump tidak ditemukan" in result.output
    assert not target.exists()
    assert _backup_entries(app) == []
