"""The audit log: who did what to which record, when and from where. Append-only."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..permissions import Permission
    from . import api, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "audit.index", _l("Log Audit"), Permission.AUDIT_READ, 990)
