"""Referral institutions and the letters the RPS issues (referral, handover, BAST)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import api, letter_settings, views
    registry.add_blueprint(app, views.bp)
    registry.add_section(app, "exit", "referrals/_signatory_missing.html",
                         letter_settings.exit_form_warning, Permission.EXIT, 10)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "referrals.institutions", _l("Lembaga Rujukan"),
                     Permission.INSTITUTIONS_READ, 800)
    registry.add_nav(app, "referrals.settings", _l("Pengaturan Surat"), Permission.ADMIN, 920)
