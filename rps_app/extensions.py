"""Flask extensions, created once and bound in create_app (the init_app pattern)."""
from functools import lru_cache

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


@event.listens_for(Engine, "connect")
def _postgresql_on_connect(dbapi_connection, connection_record):
    """PostgreSQL: no parallel workers and no JIT for this application's sessions.

    Its queries read a few hundred rows, yet with a long history their estimates (joins
    to a large clients table) pass the thresholds at which PostgreSQL launches parallel
    workers or compiles, whose start-up costs more than the whole query (5-6 ms against
    1-2 ms). Set once per connection, not per request (no statement in a request)."""
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


def modelled(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: compare only what the models describe for this database.
    SQLite's FTS5 search table (clients_fts and its shadow tables) is made by migration
    0010_client_search and kept by triggers; it is no model. An index the models declare
    for one database only (info "only_on", with ddl_if) is not expected on the other."""
    if type_ == "table" and name and name.startswith("clients_fts"):
        return False
    only_on = getattr(object_, "info", {}).get("only_on") if type_ == "index" else None
    return only_on is None or only_on == db.engine.dialect.name


def init_app(app) -> None:
    db.init_app(app)
    import os
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True, include_object=modelled)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    from flask_babel import get_locale
    app.jinja_env.globals["get_locale"] = get_locale  # base.html: <html lang=...>, ID | EN
    # Templates call _() a hundred times a page; Flask-Babel looks the locale and catalogue
    # up again on each call (a third of a page's rendering), so take them once a request.
    app.jinja_env.install_gettext_callables(
        lambda text: request_translations().ugettext(text),
        lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True)
    # Babel takes 10-30 µs to format a date, and a page shows up to a hundred (the
    # dashboard's chart and lists), mostly the same from one request to the next.
    for name in ("dateformat", "datetimeformat", "timeformat"):
        app.jinja_env.filters[name] = remembered_format(app.jinja_env.filters[name])


def remembered_format(format_function):
    """A Flask-Babel date filter whose answers are kept: a value in a pattern, language
    and time zone always reads the same. Without a value (now) it formats anew."""
    @lru_cache(maxsize=8192)
    def remembered(value, pattern, rebase, _language, _zone):
        return format_function(value, pattern, rebase)

    def format_(value=None, format=None, rebase=True):
        if value is None:
            return format_function(value, format, rebase)
        try:
            return remembered(value, format, rebase, *request_locale())
        except TypeError:  # an unhashable value
            return format_function(value, format, rebase)
    return format_


def request_locale() -> tuple[str, str]:
    """This request's language and time zone, looked up once and kept on the request."""
    from flask import has_request_context
    from flask_babel import get_locale, get_timezone
    if not has_request_context():
        return str(get_locale()), str(get_timezone())
    cached = getattr(request, "_rps_locale", None)
    if cached is None:
        cached = request._rps_locale = (str(get_locale()), str(get_timezone()))
    return cached


def request_translations():
    """Flask-Babel's catalogue for this request, looked up once and kept on the request."""
    from flask import has_request_context
    from flask_babel import get_translations
    if not has_request_context():
        return get_translations()
    cached = getattr(request, "_rps_translations", None)
    if cached is None:
        cached = get_translations()
        request._rps_translations = cached
    return cached
