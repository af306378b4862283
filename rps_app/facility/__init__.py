"""Rooms and beds of the building. Knows nothing of who sleeps in them (that is `stays`)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import api, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "facility.rooms", _l("Ruang & Tempat Tidur"), Permission.ADMIN, 910)
