"""`rps serve`: the production server, gunicorn embedded (no separate config file).

Several worker processes share one database (SQLite in WAL mode or PostgreSQL); each worker
runs a few threads so that a browser's idle preconnect cannot hold a whole worker.
"""
import os

import click
from flask import current_app
from gunicorn.app.base import BaseApplication

from .commandline import fail, rps
from .extensions import db

# The request line's path only (%(U)s): query strings may carry names or NIK (?q=...).
# No referrer either, for the same reason.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_TRUE = {"1", "true", "yes", "on"}


def default_workers() -> int:
    """gunicorn's rule of thumb (2 x cores + 1), capped: the shelter's machine is small and
    SQLite takes one writer at a time anyway."""
    return min(4, 2 * (os.cpu_count() or 1) + 1)


def refusal(app) -> str | None:
    """Why this app must not be served in production, or None when it may."""
    if not app.config.get("SECRET_KEY"):
        return ("SECRET_KEY belum diatur: jalankan `rps init` (menulisnya ke "
                f"{os.path.join(app.instance_path, 'config.py')}) atau setel variabel "
                "lingkungan SECRET_KEY.")
    if app.debug or os.environ.get("FLASK_DEBUG", "").strip().lower() in _TRUE:
        return ("Mode debug (FLASK_DEBUG) tidak boleh dipakai di server produksi: debugger "
                "Werkzeug menjalankan kode apa pun dari peramban. Hapus FLASK_DEBUG.")
    return None


class Server(BaseApplication):
    """gunicorn's embedded application: our options, our already-built Flask app."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorn lacks some (control socket)
                self.cfg.set(key, value)

    def load(self):
        return self.application


def options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,  # a monthly report PDF may take a while on a slow machine
        "graceful_timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        # Proxy headers are trusted in one place only: the app's RPS_PROXY_FIX (ProxyFix).
        "forwarded_allow_ips": "",
        "proc_name": "rps",
        # gunicorn 23+ listens on a control socket in $HOME; two servers on one machine
        # would fight over it and nothing here uses it.
        "control_socket_disable": True,
    }


@rps.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: min(4, 2 x cores + 1)).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker process.")
def serve_command(host, port, workers, threads):
    """Run the production web server (gunicorn)."""
    app = current_app._get_current_object()
    reason = refusal(app)
    if reason:
        fail(reason)
    # Workers are forked from this process: no database connection may be shared with them.
    db.engine.dispose()
    workers = workers or default_workers()
    click.echo(f"RPS melayani http://{host}:{port} dengan {workers} pekerja x {threads} utas.")
    Server(app, options(host, port, workers, threads)).run()
