"""The `rps` command group (also reachable as `flask --app rps_app rps ...`).

Low in the layers: the commands of the installation and of every domain attach to `rps`
from here (domains through registry.add_command). The console script itself, which
builds the app first, is `rps_app.cli:main`.
"""
from importlib import import_module

import click
from flask.cli import AppGroup

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


def fail(message: str) -> None:
    """Stop a command with a message on stderr and exit status 1."""
    click.echo(message, err=True)
    raise SystemExit(1)
