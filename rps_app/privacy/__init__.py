"""Personal data over time (UU 27/2022): retention and anonymisation of closed records, and
the data subject's export. Stands on clients, stays and referrals; other domains take part
through the signals client_anonymising and client_exporting."""


def register(app) -> None:
    from .. import registry
    from ..auth.permissions import Permission
    from . import api, services, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_job(app, services.RETENTION_JOB)
    registry.add_section(app, "client", "privacy/_export.html", views.export_panel,
                         Permission.CLIENTS_EXPORT, order=900)
