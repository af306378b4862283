"""Release 0.1 (revision 0001) upgrades to head keeping every row and every figure.

A database at revision 0001 is filled with what `rps demo-data --stays 300` makes, then
upgraded to head: every row is still there and the reports give the same figures. The demo
data of release 0.1 is today's demo data restricted to 0.1's tables and columns: it is
generated at head in a scratch database (frozen clock, fixed seed) and its rows are copied,
table by table, column by column as 0.1 has them, into the 0.1 database. The scratch
database's figures are the ones the upgraded database must give. SQLite and PostgreSQL.
"""
import contextlib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

import rps_app
from rps_app import clock, create_app
from rps_app.extensions import db
from rps_app.reporting import documents, metrics

from .conftest import _config, postgres_database

RELEASE_0_1 = "0001"
NOW = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)  # 12:00 WIB
# Ranges over the demo history (300 stays, about five weeks before NOW).
RANGES = [(date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 10, 15), date(2026, 11, 20)),
          (date(2026, 11, 1), date(2026, 11, 19)), (date(2025, 1, 1), date(2026, 12, 31))]


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """(scratch URL, 0.1 URL) on one backend."""
    if request.param == "sqlite":
        yield (f"sqlite:///{tmp_path}/scratch.sqlite3", f"sqlite:///{tmp_path}/release.sqlite3")
        return
    with postgres_database("rps_scratch") as scratch, postgres_database("rps_0_1") as release:
        yield scratch, release


@contextlib.contextmanager
def context(url: str, folder):
    app = create_app(_config(str(folder), url))
    try:
        with app.app_context():
            yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def figures() -> dict:
    """What the reports say about the data: occupancy, length of stay, the monthly report's
    data and daily censuses."""
    result = {}
    for start, end in RANGES:
        result[("occupancy", start, end)] = metrics.occupancy(start, end).as_json()
        result[("length-of-stay", start, end)] = metrics.length_of_stay(start, end).as_json()
        result[("monthly", start, end)] = documents.collect("monthly", start, end)
    for day in (date(2026, 10, 20), date(2026, 11, 19)):
        result[("daily", day)] = documents.collect("daily", day, day)
    return result


def rows_of(table: sa.Table) -> list[tuple]:
    key = list(table.primary_key.columns) or list(table.columns)
    return [tuple(row) for row in db.session.execute(sa.select(table).order_by(*key))]


def copy_rows(tables: list[sa.Table], source: sa.engine.Engine) -> dict[str, int]:
    """The rows of the scratch database, only the columns 0.1 has, into 0.1's tables
    (through a connection of its own: the app's session expects today's schema, its commit
    counting the change in data_version, a table of a later revision)."""
    copied = {}
    with source.connect() as read, db.engine.begin() as write:
        for table in tables:
            rows = [dict(row._mapping) for row in read.execute(sa.select(table))]
            if rows:
                write.execute(table.insert(), rows)
            copied[table.name] = len(rows)
        if db.engine.dialect.name == "postgresql":  # as a real 0.1 database would have them
            for table in tables:
                if "id" in table.c and copied[table.name]:
                    write.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT MAX(id) FROM \"{table.name}\"))"))
    return copied


def test_a_filled_0_1_database_upgrades_keeping_rows_and_figures(two_databases, tmp_path):
    scratch_url, release_url = two_databases
    clock.freeze(NOW)
    try:
        with context(scratch_url, tmp_path / "scratch") as scratch:
            runner = scratch.test_cli_runner()
            for args in (["rps", "init"], ["rps", "demo-data", "--stays", "300", "--seed", "7"]):
                result = runner.invoke(args=args)
                assert result.exit_code == 0, result.output
            expected = figures()
            db.session.rollback()  # SQLite: a transaction holds the write lock
            scratch_engine = db.engine
            with context(release_url, tmp_path / "release") as release:
                directory = release.extensions["migrate"].directory
                upgrade(directory=directory, revision=RELEASE_0_1)
                schema = sa.MetaData()
                schema.reflect(bind=db.engine)
                tables = [t for t in schema.sorted_tables if t.name != "alembic_version"]
                copied = copy_rows(tables, scratch_engine)
                assert copied["stays"] == 300 and copied["bed_assignments"] > 0
                before = {table.name: rows_of(table) for table in tables}
                db.session.rollback()

                upgrade(directory=directory)  # to head

                after = {table.name: rows_of(table) for table in tables}
                for table in tables:  # every row of 0.1, every value, still there
                    assert after[table.name] == before[table.name], table.name
                assert figures() == expected
                # The duplicate check's name keys, made for the clients on file by revision
                # 0015 as demo-data wrote them for the same clients.
                from rps_app.casework.models import ClientNameKey
                keys = sa.select(ClientNameKey.__table__)
                with scratch_engine.connect() as conn:
                    wanted = sorted(tuple(row) for row in conn.execute(keys))
                assert wanted and sorted(tuple(row) for row in db.session.execute(keys)) == wanted
            # Nothing was lost on the way: what the scratch database holds in 0.1's tables.
            with scratch_engine.connect() as conn:
                for table in tables:
                    assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() \
                        == copied[table.name], table.name
    finally:
        clock.freeze(None)


def test_the_release_revision_is_the_frozen_initial_one():
    """0.1 is revision 0001; every later schema change is a revision after it."""
    config = Config()
    config.set_main_option("script_location", str(Path(rps_app.__file__).parent / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert script.get_base() == RELEASE_0_1
    assert len(script.get_heads()) == 1  # one line of revisions
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == RELEASE_0_1 and len(chain) >= 2
