"""Console script `rps`: the same commands as `flask --app rps_app rps`.

The top of the layers (it builds the app); the group and `fail` live in
`rps_app.commandline`, which is what domains import.
"""
import sys

import click
from flask.cli import ScriptInfo

from . import create_app
from .commandline import fail, register_commands, rps  # noqa: F401  (the former home of these)


def console(app) -> tuple[click.Group, ScriptInfo]:
    """The `rps` group over `app` and the object its commands expect.

    A plain group of exactly the project's commands: no Flask options (--app, --env-file,
    --debug), none of Flask's own commands (`db`, `run`, `shell`), no nested `rps rps`.
    """
    cli = click.Group(name="rps", help=rps.help, commands=dict(rps.commands))
    return cli, ScriptInfo(create_app=lambda: app, set_debug_flag=False)


def main() -> None:
    # The app is made first: its domains add their commands to `rps` as they register.
    cli, info = console(create_app())
    sys.exit(cli.main(prog_name="rps", obj=info, standalone_mode=True))
