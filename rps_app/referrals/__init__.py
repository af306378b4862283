"""Referral institutions and the letters the RPS issues (referral, handover, BAST)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, views, workflow
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "referrals.institutions", _l("Lembaga Rujukan"),
                     Permission.INSTITUTIONS_READ, 800)
    registry.add_nav(app, "referrals.settings", _l("Pengaturan Surat"), Permission.ADMIN, 920)
    signals.stay_exiting.connect(workflow.on_stay_exiting)
    signals.stay_facts.connect(_facts)
    signals.report_collecting.connect(workflow.monthly_section)


def _facts(_sender, stay_ids, **_kwargs):
    from . import workflow
    return workflow.accepted_for_stays(stay_ids)
