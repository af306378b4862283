"""`rps create-user NAME --role ROLE`."""
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
              help="Peran: admin, kepala, petugas atau staf.")
@click.option("--full-name", default="", help="Nama lengkap (untuk surat dan jadwal).")
@click.option("--nip", default=None, help="NIP pegawai (opsional).")
@click.option("--password-stdin", is_flag=True,
              help="Baca kata sandi dari satu baris stdin, tanpa prompt.")
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
