"""Console script `rps`: the same commands as `flask --app rps_app rps`.

The top of the layers (it builds the app); the group and `fail` live in
`rps_app.commandline`, which is what domains import.
"""
import sys

from flask.cli import FlaskGroup

from . import create_app
from .commandline import fail, register_commands, rps  # noqa: F401  (the former home of these)


def main() -> None:
    # The app is made first: its domains add their commands to `rps` as they register.
    app = create_app()
    cli = FlaskGroup(name="rps", help=rps.help, create_app=lambda: app,
                     add_default_commands=False, add_version_option=False,
                     load_dotenv=False, set_debug_flag=False)
    for name, command in rps.commands.items():
        cli.add_command(command, name)
    sys.exit(cli.main(prog_name="rps", standalone_mode=True))
