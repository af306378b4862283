"""The `rps` command group: also reachable as `flask --app rps_app rps ...`."""
import sys
from importlib import import_module

import click
from flask.cli import AppGroup, FlaskGroup

rps = AppGroup("rps", help="RPS: operations system of the Rumah Perlindungan Sosial.")

# Commands of the installation as a whole; each domain adds its own in `register(app)`.
COMMAND_MODULES = [
    "rps_app.install",        # init
    "rps_app.server",         # serve
    "rps_app.backup",         # backup
    "scheduler.commands",     # scheduler (by name: rps_app never imports the scheduler package)
]


def _load_commands() -> None:
    for module in COMMAND_MODULES:
        import_module(module)


def register_commands(app) -> None:
    _load_commands()
    if "rps" not in app.cli.commands:
        app.cli.add_command(rps)


def main() -> None:
    """Console script `rps`: the same commands as `flask --app rps_app rps`."""
    from . import create_app

    # The app is made first: its domains add their commands to `rps` as they register.
    app = create_app()
    cli = FlaskGroup(name="rps", help=rps.help, create_app=lambda: app,
                     add_default_commands=False, add_version_option=False,
                     load_dotenv=False, set_debug_flag=False)
    for name, command in rps.commands.items():
        cli.add_command(command, name)
    sys.exit(cli.main(prog_name="rps", standalone_mode=True))


def fail(message: str) -> None:
    """Stop a command with a message on stderr and exit status 1."""
    click.echo(message, err=True)
    raise SystemExit(1)
