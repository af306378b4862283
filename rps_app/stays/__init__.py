"""Intake, stays, bed placement, transfers, case notes, services and exits."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, notes, placement, receivers, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "stays.board", _l("Papan Tempat Tidur"), Permission.ROOMS_READ, 100)
    registry.add_nav(app, "stays.intake_new", _l("Penerimaan"), Permission.INTAKE, 200)
    registry.add_section(app, "client", "stays/_client_stays.html", views.client_stays,
                         Permission.CLIENTS_READ, order=10, reads=notes.client_reads)
    # facility asks before a bed leaves service; clients before an identity change;
    # client lists and records gather what stays holds about a client.
    signals.bed_leaving_service.connect(receivers.bed_in_use)
    signals.identity_changing.connect(placement.check_identity_change)
    signals.client_facts.connect(receivers.active_stays_of)
    signals.client_list_filtering.connect(receivers.client_list_filter)
    signals.client_record.connect(receivers.client_record)
