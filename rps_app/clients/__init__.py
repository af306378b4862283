"""Clients: the people the RPS receives, their identity, and who read or changed it."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import api, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "clients.index", _l("Klien"), Permission.CLIENTS_READ, 300)
