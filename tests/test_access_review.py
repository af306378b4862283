"""Separation of duties: an administrator cannot change its own role, and every account
given a role that reads client records waits on the head's dashboard until acknowledged."""
from sqlalchemy import select

from rps_app.auth.models import AccessGrant, User
from rps_app.extensions import db

from .conftest import csrf_token, login
from .factories import make_user


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/account")})


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def grants(app) -> list[tuple[str, str | None, bool]]:
    with app.app_context():
        rows = db.session.execute(select(User.username, AccessGrant.previous_role,
                                         AccessGrant.acknowledged_at.is_not(None))
                                  .join(User, User.id == AccessGrant.user_id)
                                  .order_by(AccessGrant.id))
        return [tuple(row) for row in rows]


def test_admin_cannot_change_its_own_role(app, client):
    with app.app_context():
        make_user(username="admin-lain", role="admin")  # not the last admin
    admin_id = login(client, app, "admin")
    response = post(client, f"/admin/users/{admin_id}", {"full_name": "Admin", "role": "kepala"})
    assert response.status_code == 422
    assert "peran akun Anda sendiri" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin_id).role == "admin"
    assert grants(app) == []


def test_client_access_given_by_admin_waits_for_the_head(app, client):
    login(client, app, "admin")
    assert post(client, "/admin/users/new", {
        "username": "kepala2", "full_name": "Kepala Kedua", "role": "kepala",
        "password": "sementara-123", "confirm_password": "sementara-123"}).status_code == 303
    assert post(client, "/admin/users/new", {
        "username": "admin2", "full_name": "Admin Kedua", "role": "admin",
        "password": "sementara-123", "confirm_password": "sementara-123"}).status_code == 303
    second_admin = user_id(app, "admin2")
    assert post(client, f"/admin/users/{second_admin}",
                {"full_name": "Admin Kedua", "role": "petugas"}).status_code == 303
    assert grants(app) == [("kepala2", None, False), ("admin2", "admin", False)]
    # A change between two roles that both read clients is no new access.
    assert post(client, f"/admin/users/{second_admin}",
                {"full_name": "Admin Kedua", "role": "staf"}).status_code == 303
    assert len(grants(app)) == 2
    assert "Akun yang diberi akses data klien" not in client.get("/").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, app, "kepala")
    html = client.get("/").get_data(as_text=True)
    assert "Akun yang diberi akses data klien" in html and "kepala2" in html and "admin2" in html
    with app.app_context():
        first = db.session.scalar(select(AccessGrant.id).order_by(AccessGrant.id))
    token = csrf_token(client, "/")
    assert client.post(f"/access-grants/{first}/acknowledge",
                       data={"csrf_token": token}).status_code == 303
    assert grants(app)[0] == ("kepala2", None, True)
    html = client.get("/").get_data(as_text=True)
    assert "kepala2" not in html and "admin2" in html
    again = client.post(f"/access-grants/{first}/acknowledge", data={"csrf_token": token},
                        follow_redirects=True)
    assert "sudah diketahui" in again.get_data(as_text=True)


def test_only_the_head_acknowledges(app, client):
    login(client, app, "petugas")
    token = csrf_token(client, "/")
    assert client.post("/access-grants/1/acknowledge", data={"csrf_token": token}).status_code == 403
