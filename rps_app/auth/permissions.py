"""The permission table (rps_app.permissions, re-exported here where the domains import it
from) and its installation: Flask-Login's loaders and the deny-by-default check."""
from ..permissions import (PUBLIC, ROLE_LABELS, ROLE_PERMISSIONS, ROLES, Permission,  # noqa: F401
                           access_of, can, check_access, public, requires, role_can)


def init_app(app) -> None:
    from . import loaders  # noqa: F401  (registers the Flask-Login loaders)
    app.before_request(check_access)
    app.jinja_env.globals.update(can=can, Permission=Permission, ROLE_LABELS=ROLE_LABELS)
