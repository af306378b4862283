"""Configuration: defaults -> instance config.py -> environment -> create_app(config)."""
import os

# Keys that may also come from an environment variable of the same name.
ENV_KEYS = (
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "RPS_TIMEZONE",
    "RPS_MAX_STAY_DAYS",
    "RPS_REPORTS_DIR",
    "RPS_TOKEN_HOURS",
    "RPS_UPLOAD_MAX_BYTES",
    "RPS_PROXY_FIX",
    "RPS_PUBLIC_URL",
    "RPS_IDLE_MINUTES",
    "RPS_RETENTION_YEARS",
    "RPS_PAGE_CACHE_MB",
)
INT_KEYS = {"RPS_MAX_STAY_DAYS", "RPS_TOKEN_HOURS", "RPS_UPLOAD_MAX_BYTES", "RPS_PROXY_FIX",
            "RPS_IDLE_MINUTES", "RPS_RETENTION_YEARS", "RPS_PAGE_CACHE_MB"}
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def instance_path(config: dict | None = None) -> str:
    """The instance folder: RPS_INSTANCE_PATH, else instance/ under the current directory."""
    path = (config or {}).get("RPS_INSTANCE_PATH") or os.environ.get("RPS_INSTANCE_PATH")
    return os.path.abspath(path or os.path.join(os.getcwd(), "instance"))


def defaults(instance: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance, "rps.sqlite3"),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "RPS_TIMEZONE": "Asia/Jakarta",
        "RPS_MAX_STAY_DAYS": 7,
        # Years after a client's last exit before the record is anonymised (UU 27/2022).
        "RPS_RETENTION_YEARS": 5,
        "RPS_REPORTS_DIR": os.path.join(instance, "reports"),
        "RPS_TOKEN_HOURS": 12,
        "RPS_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "RPS_PROXY_FIX": 0,
        # The base of every address the app prints or answers (a letter's verify_url and
        # QR code, pdf_url in the API), e.g. https://rps.tegalkab.go.id. Never the request's
        # Host header: anyone can send one, and a letter keeps its address for good.
        "RPS_PUBLIC_URL": DEFAULT_PUBLIC_URL,
        "RPS_IDLE_MINUTES": 30,
        # SQLAlchemy: no bound parameters (names, NIK) in the text of a database error.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "RPS_LOGIN_MAX_FAILURES": 5,
        "RPS_LOGIN_WINDOW_MINUTES": 15,
        "RPS_LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "PER_PAGE": 25,
        # Memory of each server process for read pages kept between changes of the data
        # (rps_app/page_cache.py); 0 renders every page anew.
        "RPS_PAGE_CACHE_MB": 16,
    }


def load(app, config: dict | None) -> None:
    app.config.update(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            value = os.environ[key]
            app.config[key] = int(value) if key in INT_KEYS else value
    if config:
        app.config.update(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["RPS_TIMEZONE"]


def public_url(endpoint: str, **values) -> str:
    """The absolute address of a route under RPS_PUBLIC_URL, built without a request (so
    the Host header of whoever asked never becomes part of it)."""
    from flask import current_app
    base = (current_app.config.get("RPS_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)
