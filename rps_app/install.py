"""`rps init`: create or migrate the schema, seed the default facility, first admin."""
import os
import secrets

import click
from flask import current_app
from flask_migrate import upgrade

from . import clock
from .audit.services import Actor
from .commandline import rps
from .config import DEFAULT_PUBLIC_URL
from .extensions import db


def ensure_secret_key() -> str | None:
    """Write a random SECRET_KEY into the instance config.py when none is configured;
    returns the path of the file written (None when a key was configured)."""
    if current_app.config.get("SECRET_KEY"):
        return None
    path = os.path.join(current_app.instance_path, "config.py")
    key = secrets.token_hex(32)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n# Written by `rps init`. Keep it secret; changing it logs everyone out.\n"
                     f"SECRET_KEY = {key!r}\n")
    os.chmod(path, 0o600)
    current_app.config["SECRET_KEY"] = key
    return os.path.abspath(path)


def ensure_public_url() -> bool:
    """Write RPS_PUBLIC_URL (the default) into the instance config.py when it names none, so
    that the address printed on letters is a visible setting to correct, not a guess."""
    path = os.path.join(current_app.instance_path, "config.py")
    existing = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            existing = handle.read()
    if "RPS_PUBLIC_URL" in existing or "RPS_PUBLIC_URL" in os.environ:
        return False
    value = current_app.config.get("RPS_PUBLIC_URL") or DEFAULT_PUBLIC_URL
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n# Written by `rps init`: the address of this system as users reach it; the\n"
                     "# base of every printed URL (letters' verification links and QR codes).\n"
                     f"RPS_PUBLIC_URL = {value!r}\n")
    os.chmod(path, 0o600)
    return True


def initialise(actor: Actor) -> str | None:
    """Schema, facility, install time and (on a new installation) the first admin.

    Returns the first admin's one-time password when one was created. Idempotent.
    """
    from .auth import services as auth
    from .facility import services as facility
    from .referrals import services as referrals
    from .settings import services as settings

    upgrade(directory=current_app.extensions["migrate"].directory)
    facility.seed_default_facility(actor)
    referrals.seed_example_institutions(actor)
    if settings.get("installed_at") is None:
        # Scheduled jobs are due only after this moment (contract: first `rps init`).
        settings.put("installed_at", clock.now().isoformat())
    password = None
    if not auth.any_user():
        password = secrets.token_urlsafe(12)
        auth.create_user(actor, "admin", password, role="admin", full_name="Administrator",
                         must_change_password=True)
    db.session.commit()
    return password


@rps.command("init")
def init_command():
    """Create or migrate the database, seed the default facility, create the first admin."""
    written = ensure_secret_key()
    if written:
        click.echo(f"SECRET_KEY baru ditulis ke {written}.")
    if ensure_public_url():
        click.echo(f"RPS_PUBLIC_URL ditulis ke instance/config.py: "
                   f"{current_app.config['RPS_PUBLIC_URL']} (ubah sesuai alamat server).")
    password = initialise(Actor.system("rps init"))
    click.echo(f"Basis data siap: {db.engine.url.render_as_string(hide_password=True)}")
    if password:
        click.echo("Admin pertama dibuat.")
        click.echo("  Nama pengguna : admin")
        click.echo(f"  Kata sandi    : {password}   (sekali pakai: wajib diganti saat masuk pertama)")
