"""Intake, stays, bed placement, transfers, case notes, services and exits."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import api, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "stays.board", _l("Papan Tempat Tidur"), Permission.ROOMS_READ, 100)
    registry.add_nav(app, "stays.intake_new", _l("Penerimaan"), Permission.INTAKE, 200)
