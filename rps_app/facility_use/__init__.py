"""Facility use: bookings of the therapy and communal rooms and the guest house, the
visitor log of the lobby, and maintenance requests for rooms and beds.

Stands on facility, clients and stays (their services); none of them knows this package:
it shows itself on their pages through registry sections.
"""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, bookings, personal_data, sections, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "facility_use.calendar", _l("Ruang & Kunjungan"),
                     Permission.FACILITY_USE, 600)
    registry.add_section(app, "stay", "facility_use/_stay_section.html",
                         sections.stay_panel, Permission.FACILITY_USE, 300,
                         reads=sections.stay_reads)
    registry.add_section(app, "client", "facility_use/_client_section.html",
                         sections.client_panel, Permission.FACILITY_USE, 300,
                         reads=sections.client_reads)
    registry.add_section(app, "dashboard", "facility_use/_dashboard_visitors.html",
                         sections.todays_visitors, Permission.FACILITY_USE, 300, batched=True)
    registry.add_section(app, "dashboard", "facility_use/_dashboard_maintenance.html",
                         sections.open_maintenance, Permission.MAINTENANCE, 310, batched=True)
    # A client who leaves has no sessions to come.
    signals.stay_exited.connect(bookings.cancel_sessions_of_exited)
    # Visitors' data leaves with the client's at the end of retention, and is exported.
    signals.client_anonymising.connect(personal_data.anonymise_visitors)
    signals.client_exporting.connect(personal_data.export_sections)
    registry.add_section(app, "facility_admin", "facility_use/_facility_admin_section.html",
                         sections.facility_admin_maintenance, Permission.MAINTENANCE, 100)
