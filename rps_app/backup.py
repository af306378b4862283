"""`rps backup FILE`: a consistent copy of the database while the system keeps running.

SQLite: sqlite3's online backup API (pages copied under a read lock, WAL included).
PostgreSQL: pg_dump in its custom format (restore with pg_restore).
The copy holds personal data: it is written readable by its owner only.
"""
import os
import shutil
import sqlite3
import subprocess
import tempfile

import click
from sqlalchemy.engine import URL

from .audit.services import Actor, record
from .commandline import fail, rps
from .extensions import db


def _temporary_beside(target: str) -> str:
    """A new empty file in the target's folder, so that the final rename is atomic."""
    handle, path = tempfile.mkstemp(prefix=".rps-backup-", dir=os.path.dirname(target) or ".")
    os.close(handle)
    os.chmod(path, 0o600)
    return path


def backup_sqlite(database: str, target: str) -> None:
    if os.path.abspath(database) == os.path.abspath(target):
        raise ValueError("FILE tidak boleh sama dengan berkas basis data yang sedang dipakai.")
    if not os.path.exists(database):
        raise ValueError(f"Berkas basis data {database} tidak ditemukan.")
    tmp = _temporary_beside(target)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        copy = sqlite3.connect(tmp)
        try:
            source.backup(copy)
            # One self-contained file, without a -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            (result,) = copy.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise ValueError(f"Salinan tidak utuh: {result}")
        finally:
            copy.close()
            source.close()
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def backup_postgresql(url: URL, target: str) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise ValueError("pg_dump tidak ditemukan: pasang klien PostgreSQL (Debian: "
                         "apt-get install postgresql-client) dengan versi yang sama atau "
                         "lebih baru dari servernya.")
    env = dict(os.environ)
    if url.password:  # via the environment: a command line is visible to every local user
        env["PGPASSWORD"] = url.password
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    tmp = _temporary_beside(target)
    try:
        done = subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={tmp}",
                               f"--dbname={libpq}"], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise ValueError(f"pg_dump gagal (status {done.returncode}): {done.stderr.strip()}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def backup(target: str, actor: Actor) -> dict:
    """Copy the configured database to `target` and record it in the audit log."""
    url = db.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("Basis data SQLite di memori tidak dapat dicadangkan.")
        backup_sqlite(url.database, target)
    elif backend == "postgresql":
        backup_postgresql(url, target)
    else:
        raise ValueError(f"Basis data {backend} tidak didukung untuk cadangan.")
    detail = {"backend": backend, "file": os.path.abspath(target),
              "bytes": os.path.getsize(target)}
    record(actor, "backup", "database", None, detail)
    db.session.commit()
    return detail


@rps.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file):
    """Write a consistent copy of the database to FILE (SQLite file or pg_dump archive)."""
    folder = os.path.dirname(os.path.abspath(file))
    if not os.path.isdir(folder):
        fail(f"Folder tujuan FILE tidak ada: {folder}")
    try:
        detail = backup(file, Actor.system("rps backup"))
    except (ValueError, sqlite3.Error) as error:
        fail(f"Cadangan gagal: {error}")
    click.echo(f"Cadangan {detail['backend']} ditulis ke {detail['file']} "
               f"({detail['bytes']} bita).")
