"""Users, roles, login, API tokens and the permission table."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import registry
    from . import api, commands, views
    from .permissions import Permission
    registry.add_blueprint(app, views.bp)
    registry.add_blueprint(app, api.api, api=True)
    registry.add_nav(app, "auth.users", _l("Pengguna"), Permission.ADMIN, 900)
    registry.add_command(commands.create_user_command)
    registry.add_command(commands.reset_password_command)
    registry.add_section(app, "dashboard", "auth/_access_grants.html",
                         views.access_grants_panel, Permission.ACCESS_REVIEW, order=5,
                         batched=True)
