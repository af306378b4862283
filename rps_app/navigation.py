"""The main navigation, by role: a link appears only for those who may open it."""
from flask import request, url_for
from flask_babel import lazy_gettext as _l

from .auth.permissions import Permission, can

# (endpoint, label, permission). Endpoints that are not registered are skipped, so that
# a later issue's page appears in the menu as soon as its blueprint exists.
NAV = [
    ("reporting.dashboard", _l("Beranda"), Permission.ACCOUNT),
    ("stays.board", _l("Papan Tempat Tidur"), Permission.ROOMS_READ),
    ("stays.intake_new", _l("Penerimaan"), Permission.INTAKE),
    ("clients.index", _l("Klien"), Permission.CLIENTS_READ),
    ("roster.index", _l("Jadwal Piket"), Permission.ROSTER_READ),
    ("rollcall.index", _l("Apel"), Permission.INTAKE),
    ("stock.index", _l("Stok"), Permission.STOCK),
    ("reporting.reports", _l("Laporan"), Permission.REPORTS),
    ("referrals.institutions", _l("Lembaga Rujukan"), Permission.INSTITUTIONS_READ),
    ("auth.users", _l("Pengguna"), Permission.ADMIN),
    ("facility.rooms", _l("Ruang & Tempat Tidur"), Permission.ADMIN),
    ("referrals.settings", _l("Pengaturan Surat"), Permission.ADMIN),
    ("audit.index", _l("Log Audit"), Permission.AUDIT_READ),
]


def nav_items():
    from flask import current_app
    items = []
    for endpoint, label, permission in NAV:
        if endpoint in current_app.view_functions and can(permission):
            items.append({"url": url_for(endpoint), "label": label,
                          "active": request.endpoint == endpoint})
    return items


def init_app(app) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
