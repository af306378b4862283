"""The `rps` console script: only the project's commands, help in English (the README's
language), `rps init` naming the config file it wrote, `rps reset-password`."""
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from rps_app import create_app
from rps_app.cli import console
from rps_app.audit.models import AuditEntry
from rps_app.auth.models import User
from rps_app.extensions import db

from .conftest import PASSWORD, api_token, login

COMMANDS = {"backup", "create-user", "demo-data", "init", "report", "reset-password",
            "scheduler", "serve"}
# Words of Indonesian help texts; none of the help shown may use them.
INDONESIAN = re.compile(r"\b(dan|atau|untuk|yang|dengan|Jalankan|Buat|Tanggal|Berkas|Kata sandi|"
                        r"Peran|pegawai|Alamat|Jumlah|Utas|Isi|Benih)\b")


def rps(instance, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "RPS_INSTANCE_PATH": str(instance), "SECRET_KEY": "test",
           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/rps.sqlite3"}
    return subprocess.run([sys.executable, "-c", "from rps_app.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def listed_commands(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ")}


def test_help_lists_only_the_projects_commands_in_english(tmp_path):
    result = rps(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert listed_commands(result.stdout) == COMMANDS  # no `db`, no nested `rps`
    for flask_option in ("--app", "--env-file", "--debug"):
        assert flask_option not in result.stdout


def test_each_commands_help_is_in_english(tmp_path):
    # In process, through the group `main` runs (one subprocess per command cost 30 s).
    app = create_app({"TESTING": True, "RPS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/rps.sqlite3"})
    cli, info = console(app)
    for command in sorted(COMMANDS - {"demo-data"}):  # demo-data: owned by the demo work
        result = CliRunner().invoke(cli, [command, "--help"], prog_name="rps", obj=info)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: rps {command}"), result.output
        assert not INDONESIAN.search(result.output), (command, result.output)


def test_init_names_the_config_file_it_wrote(tmp_path):
    app = create_app({"TESTING": True, "RPS_INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/rps.sqlite3",
                      "SECRET_KEY": None, "RPS_PASSWORD_HASH": "scrypt:1024:8:1"})
    result = app.test_cli_runner().invoke(args=["rps", "init"])
    assert result.exit_code == 0, result.output
    written = os.path.join(str(tmp_path), "config.py")
    assert f"SECRET_KEY baru ditulis ke {written}." in result.output
    assert "SECRET_KEY = " in Path(written).read_text(encoding="utf-8")
    with app.app_context():
        db.engine.dispose()


def test_reset_password_gives_a_one_time_password_and_ends_sessions(app, client, runner):
    user_id = login(client, app, "petugas", "budi")
    headers = api_token(client, app, "staf", "siti")
    assert client.get("/account").status_code == 200
    result = runner.invoke(args=["rps", "reset-password", "budi"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Kata sandi baru untuk budi: (\S+)", result.output).group(1)
    assert client.get("/account").status_code in (302, 303)  # the session ended
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.must_change_password
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password_reset"))
        assert (entry.username, entry.entity_id) == ("rps reset-password", str(user_id))
    response = client.post("/api/v1/auth/token", json={"username": "budi", "password": password})
    assert response.status_code == 200
    assert client.post("/api/v1/auth/token",
                       json={"username": "budi", "password": PASSWORD}).status_code == 401
    # Another user's token is untouched; that user's own reset ends it.
    assert client.get("/api/v1/rooms", headers=headers).status_code == 200
    assert runner.invoke(args=["rps", "reset-password", "siti"]).exit_code == 0
    assert client.get("/api/v1/rooms", headers=headers).status_code == 401
    unknown = runner.invoke(args=["rps", "reset-password", "nobody"])
    assert unknown.exit_code == 1 and "nobody" in unknown.output
