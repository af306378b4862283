"""Referral institutions and the letters the RPS issues (referral, handover, BAST)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, receivers, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "referrals.institutions", _l("Lembaga Rujukan"),
                     Permission.INSTITUTIONS_READ, 800)
    registry.add_nav(app, "referrals.settings", _l("Pengaturan Surat"), Permission.ADMIN, 920)
    registry.add_section(app, "client", "referrals/_client_letters.html",
                         receivers.client_letters, Permission.CLIENTS_READ, order=20)
    registry.add_section(app, "stay", "referrals/_stay_letters.html", receivers.stay_letters,
                         Permission.CLIENTS_READ, order=20)
    # An exit names its institution (checked here) and gets its letter from here.
    signals.stay_exiting.connect(receivers.check_exit_institution)
    signals.stay_exited.connect(receivers.issue_exit_letter_for)
    signals.exit_destinations.connect(receivers.institution_destinations)
