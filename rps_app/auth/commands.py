"""`rps create-user NAME --role ROLE` and `rps reset-password NAME`."""
import sys

import click

from ..audit.services import Actor
from ..commandline import fail, rps
from ..errors import DomainError
from ..extensions import db
from .permissions import ROLES


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            fail("Galat: tidak ada kata sandi pada stdin (--password-stdin).")
        return line.rstrip("\r\n")
    return click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")


@rps.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="Role: admin, kepala, petugas or staf.")
@click.option("--full-name", default="", help="Full name (for letters and rosters).")
@click.option("--nip", default=None, help="Civil servant number NIP (optional).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from one line of stdin, without a prompt.")
def create_user_command(name, role, full_name, nip, password_stdin):
    """Create a user NAME with ROLE; the password is asked for (hidden) or read from stdin."""
    from . import services

    password = _read_password(password_stdin)
    try:
        user = services.create_user(Actor.system("rps create-user"), name, password, role,
                                    full_name=full_name, nip=nip)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        details = "".join(f"\n  {field}: {message}" for field, message in error.fields.items())
        fail(f"Galat: {error.message}{details}")
    click.echo(f"Pengguna {user.username} ({role}) dibuat, id {user.id}.")


@rps.command("reset-password")
@click.argument("name")
def reset_password_command(name):
    """Give user NAME a new one-time password (printed): it must be changed at the next
    login, and every session and API token of the user ends. Audited."""
    import secrets

    from . import services

    user = services.find_user(name)
    if user is None:
        fail(f"Galat: pengguna {name!r} tidak ada.")
    password = secrets.token_urlsafe(12)
    services.reset_password(Actor.system("rps reset-password"), user, password, password)
    db.session.commit()
    click.echo(f"Kata sandi baru untuk {user.username}: {password}")
    click.echo("  (sekali pakai: wajib diganti saat masuk; semua sesi dan token pengguna ini "
               "telah diakhiri)")
