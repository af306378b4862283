"""Referral institutions and the letters the RPS issues (referral, handover, BAST)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, letter_settings, letters, outcome_views, receivers, views, workflow
    registry.add_blueprint(app, views.bp)
    registry.add_section(app, "exit", "referrals/_signatory_missing.html",
                         letter_settings.exit_form_warning, Permission.EXIT, 10)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "referrals.institutions", _l("Lembaga Rujukan"),
                     Permission.INSTITUTIONS_READ, 800)
    registry.add_nav(app, "referrals.settings", _l("Pengaturan Surat"), Permission.ADMIN, 920)
    registry.add_nav(app, "referrals.referral_list", _l("Rujukan"), Permission.REFERRALS, 450)
    registry.add_section(app, "client", "referrals/_client_letters.html",
                         receivers.client_letters, Permission.CLIENTS_READ, order=20,
                         reads=letters.client_reads)
    registry.add_section(app, "stay", "referrals/_stay_letters.html", receivers.stay_letters,
                         Permission.CLIENTS_READ, order=20, reads=letters.stay_reads)
    registry.add_section(app, "stay", "referrals/stay_section.html", outcome_views.stay_section,
                         Permission.REFERRALS, 40, reads=outcome_views.stay_reads)
    registry.add_section(app, "dashboard", "referrals/dashboard_section.html",
                         outcome_views.dashboard_section, Permission.REFERRALS, 40,
                         batched=True)
    # An exit names its institution (checked here), may close an accepted referral, and
    # gets its letter from here.
    signals.stay_exiting.connect(receivers.check_exit_institution)
    signals.stay_exiting.connect(workflow.on_stay_exiting)
    signals.stay_exited.connect(receivers.issue_exit_letter_for)
    signals.exit_destinations.connect(receivers.institution_destinations)
    signals.stay_facts.connect(_facts)
    signals.report_collecting.connect(workflow.monthly_section)
    signals.client_anonymising.connect(workflow.on_client_anonymising)
    signals.client_exporting.connect(workflow.on_client_exporting)


def _facts(_sender, stay_ids, **_kwargs):
    from . import workflow
    return workflow.accepted_for_stays(stay_ids)
