"""Every blueprint of the application, registered in one place."""
from importlib import import_module

from .extensions import csrf

# (module, attribute). Page blueprints are named after their package; API blueprints
# end in "_api", live under /api/v1 and authenticate by bearer token only.
PAGES = [
    ("rps_app.health", "bp"),
    ("rps_app.auth.views", "bp"),
    ("rps_app.facility.views", "bp"),
    ("rps_app.audit.views", "bp"),
    ("rps_app.reporting.views", "bp"),
    ("rps_app.referrals.views", "bp"),
    ("rps_app.clients.views", "bp"),
    ("rps_app.stays.views", "bp"),
]
APIS = [
    ("rps_app.auth.api", "api"),
    ("rps_app.facility.api", "api"),
    ("rps_app.audit.api", "api"),
    ("rps_app.referrals.api", "api"),
    ("rps_app.stays.api", "api"),
    ("rps_app.clients.api", "api"),
    ("rps_app.reporting.api", "api"),
]


def register_blueprints(app) -> None:
    for module, attr in PAGES:
        app.register_blueprint(getattr(import_module(module), attr))
    for module, attr in APIS:
        blueprint = getattr(import_module(module), attr)
        # Bearer tokens are not sent by the browser on its own, so CSRF does not apply.
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint, url_prefix="/api/v1")
