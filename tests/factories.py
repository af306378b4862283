"""Factory functions for rows; each commits, for tests that then go through HTTP."""
from rps_app.audit.services import Actor
from rps_app.auth import services as auth
from rps_app.extensions import db

TEST_ACTOR = Actor.system("test")


def make_user(username: str = "petugas1", role: str = "petugas",
              password: str = "kata-sandi-uji-123", **kwargs):
    user = auth.create_user(TEST_ACTOR, username, password, role=role, **kwargs)
    db.session.commit()
    return user
