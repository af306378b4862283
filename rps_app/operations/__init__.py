"""Daily operations: staff and leave, the duty roster (with a CP-SAT proposal), roll call
(apel) and incidents. Stands on stays, clients and facility; they never import it."""


def stay_facts(_sender, stay_ids=(), **_kwargs) -> dict:
    from .rollcall import absence_facts
    return absence_facts(list(stay_ids))


def abscondment_started(stay, **_kwargs):
    from .rollcall import abscondment_start
    return abscondment_start(stay.id)


def report_section(kind, **kwargs):
    from .incidents import report_section as section
    return section(kind, **kwargs)


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry, signals
    from ..auth.permissions import Permission
    from . import api, incidents, personal_data, sections, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "operations.roster_page", _l("Jadwal Piket"), Permission.ROSTER_READ, 400)
    registry.add_nav(app, "operations.rollcall_page", _l("Apel"), Permission.OPERATIONS_READ, 410)
    registry.add_nav(app, "operations.incidents_page", _l("Kejadian"),
                     Permission.OPERATIONS_READ, 420)
    registry.add_section(app, "dashboard", "operations/_duty_section.html", sections.duty,
                         Permission.ROSTER_READ, 40, batched=True)
    registry.add_section(app, "dashboard", "operations/_operations_section.html",
                         sections.operations, Permission.OPERATIONS_READ, 45, batched=True)
    registry.add_section(app, "client", "operations/_incidents_section.html",
                         sections.client_incidents, Permission.OPERATIONS_READ, 60,
                         reads=incidents.client_reads)
    registry.add_section(app, "stay", "operations/_incidents_section.html",
                         sections.stay_incidents, Permission.OPERATIONS_READ, 60,
                         reads=incidents.stay_reads)
    signals.stay_facts.connect(stay_facts)
    signals.abscondment_started.connect(abscondment_started)
    signals.report_collecting.connect(report_section)
    signals.client_anonymising.connect(personal_data.anonymise)
    signals.client_exporting.connect(personal_data.export_sections)
