"""`rps init` on an existing database: idempotent, and the first admin's password once."""
import re

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from rps_app.auth.models import User
from rps_app.extensions import db
from rps_app.facility.models import Bed, Room
from rps_app.settings import services as settings

PASSWORD_LINE = re.compile(r"Kata sandi\s*:\s*(\S+)")


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Room, Bed, User)}


def test_init_twice_creates_the_admin_once_and_no_rooms(app, runner):
    before = counts(app)
    assert before == {"Room": 30, "Bed": 90, "User": 0}  # the fixture seeds rooms, not users

    first = runner.invoke(args=["rps", "init"])
    assert first.exit_code == 0, first.output
    assert "Admin pertama dibuat" in first.output
    password = PASSWORD_LINE.search(first.output).group(1)
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert (admin.username, admin.role, admin.must_change_password) == ("admin", "admin", True)
        assert check_password_hash(admin.password_hash, password)
        installed_at = settings.get("installed_at")
    assert counts(app) == {"Room": 30, "Bed": 90, "User": 1}

    second = runner.invoke(args=["rps", "init"])
    assert second.exit_code == 0, second.output
    assert "Admin pertama dibuat" not in second.output
    assert not PASSWORD_LINE.search(second.output) and password not in second.output
    assert counts(app) == {"Room": 30, "Bed": 90, "User": 1}
    with app.app_context():  # the first init's moment stays: scheduled jobs count from it
        assert settings.get("installed_at") == installed_at


def test_init_restores_a_missing_default_room_and_keeps_admin_changes(app, runner):
    with app.app_context():
        db.session.scalar(select(Room).where(Room.code == "PA-1")).name = "Shelter Putra Lansia"
        db.session.delete(db.session.scalar(select(Room).where(Room.code == "GH")))
        db.session.commit()
    result = runner.invoke(args=["rps", "init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = dict(db.session.execute(select(Room.code, Room.name)).all())
    assert names["GH"] == "Guest House"
    assert names["PA-1"] == "Shelter Putra Lansia"
    assert len(names) == 30
