"""Flask extensions, created once and bound in create_app (the init_app pattern)."""
from flask import request, session
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Constraint names are part of the schema: Alembic needs them to alter tables later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

LANGUAGES = ("id", "en")


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if getattr(current_user, "language", None) in LANGUAGES:
            return current_user.language
    return "id"


def select_timezone() -> str:
    from flask import current_app
    return current_app.config["RPS_TIMEZONE"]


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """SQLite: foreign keys on, WAL, wait for locks, and let SQLAlchemy own BEGIN."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    # The pysqlite driver would otherwise open its own deferred transactions, which do not
    # isolate a read-then-write (two officers could both see the last bed free).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    for _, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main":  # owner-only, with its -wal and -shm (rps_app/files.py)
            from .files import private_sqlite
            private_sqlite(path)
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    """Every SQLite transaction takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail with SQLITE_BUSY without
    waiting, or act on a stale read; IMMEDIATE serialises writers and waits busy_timeout.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app) -> None:
    db.init_app(app)
    import os
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    from flask_babel import get_locale
    app.jinja_env.globals["get_locale"] = get_locale  # base.html: <html lang=...>, ID | EN
