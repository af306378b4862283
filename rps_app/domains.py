"""The domains of the application, in the order they register (lower layers first).

Adding a domain: a package with `register(app)` (blueprints, navigation, page sections,
commands, scheduled jobs, signal receivers), its name here, and its permissions in
auth/permissions.py. Nothing else.
"""
from importlib import import_module
from importlib.util import find_spec

DOMAINS = [
    "rps_app.health",
    "rps_app.auth",
    "rps_app.audit",
    "rps_app.idempotency",
    "rps_app.facility",
    "rps_app.clients",
    "rps_app.referrals",
    "rps_app.stays",
    "rps_app.operations",
    "rps_app.stock",
    "rps_app.facility_use",
    "rps_app.privacy",
    "rps_app.reporting",
    "rps_app.casework",
    "rps_app.openapi",  # last: the document describes every /api/v1 route (built on request)
]


def register_all(app) -> None:
    from . import registry
    for name in DOMAINS:
        import_module(name).register(app)
        registry.of(app).domains.append(name)


def import_models() -> None:
    """Every domain's models, so that SQLAlchemy and Alembic see the whole schema."""
    for name in DOMAINS:
        package = import_module(name)
        # A domain without tables has no models module (rps_app.health is a module).
        if hasattr(package, "__path__") and find_spec(f"{name}.models") is not None:
            import_module(f"{name}.models")
