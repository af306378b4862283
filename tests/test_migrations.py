"""The Alembic migrations build exactly the schema the models describe, on both backends."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from rps_app.extensions import db, modelled


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": False,
                                                         "include_object": modelled})
        return compare_metadata(context, db.metadata)


def test_migrated_database_matches_the_models(app):
    differences = _differences(app)
    assert differences == [], (
        "the models and the migrations differ; add a revision (docs/architecture.md):\n"
        + "\n".join(map(str, differences)))


def test_migrations_go_down_to_nothing_and_up_again(app):
    with app.app_context():
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert _differences(app) == []


def test_the_comparison_notices_a_model_without_a_migration(app):
    from sqlalchemy import Column, Integer, Table
    extra = Table("only_in_the_models", db.metadata, Column("id", Integer, primary_key=True))
    try:
        differences = _differences(app)
    finally:
        db.metadata.remove(extra)
    assert [d[0] for d in differences] == ["add_table"]
