"""Case work: the social assessment and case conferences of a stay, duplicate clients
(suggestions and the head's merge), and the head's data-quality page."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, services, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "casework.data_quality", _l("Kualitas Data"),
                     Permission.CLIENTS_MERGE, 460)
    registry.add_section(app, "stay", "casework/stay_section.html", views.stay_section,
                         Permission.CLIENTS_READ, 30, reads=services.stay_reads)
    registry.add_section(app, "client", "casework/client_section.html", views.client_section,
                         Permission.CLIENTS_READ, 30, reads=services.client_reads)
    registry.add_section(app, "dashboard", "casework/dashboard_section.html",
                         views.dashboard_section, Permission.CLIENTS_READ, 35, batched=True)
    signals.client_anonymising.connect(services.on_client_anonymising)
    signals.client_exporting.connect(services.on_client_exporting)
