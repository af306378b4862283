"""Dashboard, metrics and reports."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from ..auth.permissions import Permission
    from . import api, commands, schedule, views
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "reporting.dashboard", _l("Beranda"), Permission.ACCOUNT, 0)
    registry.add_nav(app, "reporting.reports", _l("Laporan"), Permission.REPORTS, 700)
    registry.add_command(commands.report_command)
    registry.add_command(commands.demo_data_command)
    for job in schedule.JOBS:
        registry.add_job(app, job)
