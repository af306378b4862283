"""RPS: the operations system of the Rumah Perlindungan Sosial, Dinas Sosial Kabupaten Tegal."""
from flask import Flask
from sqlalchemy.engine import make_url

from . import config as configuration


def create_app(config: dict | None = None) -> Flask:
    """Build the web application. Keys in `config` override everything else."""
    app = Flask(__name__, instance_path=configuration.instance_path(config),
                instance_relative_config=True)
    configuration.load(app, config)
    from . import files
    files.private_dir(app.instance_path)
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if database.get_backend_name() == "sqlite":
        files.private_sqlite(database.database)

    from . import error_pages, extensions, fields, navigation, security, transaction
    fields.init_url_map(app)
    from .auth import permissions

    from . import domains, models  # noqa: F401  (models: the shared tables)
    domains.import_models()  # every domain's tables, for SQLAlchemy and Alembic

    extensions.init_app(app)
    transaction.init_app(app)
    fields.init_app(app)
    error_pages.init_app(app)
    security.init_app(app)
    permissions.init_app(app)
    navigation.init_app(app)

    domains.register_all(app)
    from . import page_cache
    page_cache.init_app(app)  # after every access check a domain registers

    from .commandline import register_commands
    register_commands(app)

    proxies = app.config["RPS_PROXY_FIX"]
    if proxies:
        # Behind a reverse proxy: client address, scheme (secure cookies) and host from
        # the X-Forwarded-* headers of that many proxies; never trusted otherwise (spoofable).
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)
    return app
