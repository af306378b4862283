"""Logistics stock: items, the append-only movement ledger, stock counts, kartu stok,
days left and alerts (page /stock, API under /api/v1/stock)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import alerts, api, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "stock.index", _l("Stok"), Permission.STOCK, 500)
    registry.add_section(app, "dashboard", "stock/_dashboard.html", alerts.dashboard_panel,
                         Permission.STOCK, order=500, batched=True)
    registry.add_job(app, alerts.JOB)
