"""Configuration: defaults < instance config.py < environment < create_app(config)."""
import pytest
from flask import request

from rps_app import create_app
from rps_app.auth.permissions import public
from rps_app.config import ENV_KEYS


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for key in ENV_KEYS + ("RPS_INSTANCE_PATH",):
        monkeypatch.delenv(key, raising=False)


def test_defaults(tmp_path):
    app = create_app({"RPS_INSTANCE_PATH": str(tmp_path)})
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/rps.sqlite3"
    assert app.config["RPS_MAX_STAY_DAYS"] == 7
    assert app.config["RPS_TIMEZONE"] == "Asia/Jakarta"
    assert app.config["RPS_REPORTS_DIR"] == str(tmp_path / "reports")
    assert app.config["RPS_PROXY_FIX"] == 0
    assert not app.config.get("SECRET_KEY")  # never a built-in secret


def test_default_instance_folder_is_instance_under_the_current_directory(tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert (tmp_path / "instance").is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path}/instance/rps.sqlite3")


def test_rps_instance_path_from_the_environment(tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "config.py").write_text('SECRET_KEY = "from-the-instance-file"\n')
    monkeypatch.setenv("RPS_INSTANCE_PATH", str(folder))
    monkeypatch.chdir(tmp_path)
    app = create_app()
    assert app.instance_path == str(folder)
    assert app.config["SECRET_KEY"] == "from-the-instance-file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder}/rps.sqlite3"


def test_precedence_instance_file_then_environment_then_config_dict(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'RPS_MAX_STAY_DAYS = 10\nRPS_TIMEZONE = "Asia/Makassar"\nSECRET_KEY = "file"\n')
    monkeypatch.setenv("RPS_TIMEZONE", "Asia/Jayapura")
    monkeypatch.setenv("SECRET_KEY", "environment")
    app = create_app({"RPS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "dict"})
    assert app.config["RPS_MAX_STAY_DAYS"] == 10          # file over default
    assert app.config["RPS_TIMEZONE"] == "Asia/Jayapura"  # environment over file
    assert app.config["SECRET_KEY"] == "dict"             # config dict over everything
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Jayapura"


def test_numbers_from_the_environment_are_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("RPS_MAX_STAY_DAYS", "14")
    monkeypatch.setenv("RPS_PROXY_FIX", "1")
    app = create_app({"RPS_INSTANCE_PATH": str(tmp_path)})
    assert app.config["RPS_MAX_STAY_DAYS"] == 14
    assert app.config["RPS_PROXY_FIX"] == 1


def _probe(app):
    @app.get("/_probe")
    @public
    def probe():
        return {"scheme": request.scheme, "remote": request.remote_addr, "host": request.host}
    return app.test_client()


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7",
             "X-Forwarded-Host": "rps.example.go.id"}


def test_forwarded_headers_are_ignored_without_rps_proxy_fix(tmp_path):
    client = _probe(create_app({"RPS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}))
    answer = client.get("/_probe", headers=FORWARDED).get_json()
    assert answer == {"scheme": "http", "remote": "127.0.0.1", "host": "localhost"}


def test_rps_proxy_fix_trusts_the_proxy_headers(tmp_path):
    client = _probe(create_app({"RPS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                                "RPS_PROXY_FIX": 1}))
    answer = client.get("/_probe", headers=FORWARDED).get_json()
    assert answer == {"scheme": "https", "remote": "203.0.113.7",
                      "host": "rps.example.go.id"}
