"""POST/DELETE /api/v1/auth/token, GET /api/v1/auth/me, throttling and token lifetime."""
import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.audit.services import Actor
from rps_app.auth import services
from rps_app.auth.models import ApiToken, LoginFailure, User
from rps_app.extensions import db

from .conftest import PASSWORD, api_token
from .factories import make_user


def request_token(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_token_has_iso_expiry_and_only_its_hash_is_stored(app, client):
    start = datetime(2026, 5, 1, 3, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    with app.app_context():
        make_user("petugas1", "petugas")
    response = request_token(client, "petugas1", PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None
    assert expires == start + timedelta(hours=app.config["RPS_TOKEN_HOURS"])
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hashlib.sha256(body["token"].encode()).hexdigest()]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "petugas1"
    clock.freeze(expires)
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 401


def test_wrong_credentials_answer_401_in_the_contract_shape(app, client):
    with app.app_context():
        make_user("petugas1", "petugas")
    for username, password in (("petugas1", "salah-sekali-1"), ("tidak-ada", PASSWORD)):
        response = request_token(client, username, password)
        assert response.status_code == 401
        error = response.get_json()["error"]
        assert error["code"] == "not_authenticated" and error["message"] and error["fields"] == {}


def test_malformed_bodies_answer_400_and_invalid_content_422(client):
    assert client.post("/api/v1/auth/token", data="bukan json",
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/auth/token", json=["a", "b"]).status_code == 400
    response = client.post("/api/v1/auth/token", json={"username": "x", "password": 5})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert set(response.get_json()["error"]["fields"]) == {"password"}


def test_api_throttling_counts_failures_and_lets_go_after_the_window(app, client, caplog):
    start = datetime(2026, 5, 1, 3, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    with app.app_context():
        make_user("staf1", "staf")
    for minute in range(5):
        clock.freeze(start + timedelta(minutes=minute))
        assert request_token(client, "staf1", "tebakan-salah-7").status_code == 401
    response = request_token(client, "staf1", PASSWORD)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginFailure.id))) == 5
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "login_failed", AuditEntry.username == "staf1")) == 5
    assert "tebakan-salah-7" not in caplog.text and PASSWORD not in caplog.text
    # The window slides: 15 minutes after the first failure, four remain in it.
    clock.freeze(start + timedelta(minutes=15, seconds=1))
    assert request_token(client, "staf1", PASSWORD).status_code == 200
    with app.app_context():  # a success clears the run of failures
        assert db.session.scalar(select(func.count(LoginFailure.id))) == 0


def test_web_failures_throttle_the_api(app, client):
    with app.app_context():
        make_user("staf1", "staf")
        for _ in range(5):
            db.session.add(LoginFailure(user_key=services.user_key("staf1"), at=clock.now(),
                                        ip="127.0.0.1"))
        db.session.commit()
    assert request_token(client, "staf1", PASSWORD).status_code == 429


def test_revoked_token_stops_working(app, client):
    headers = api_token(client, app, "staf")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_token_dies_on_deactivation_and_password_change(app, client):
    headers = api_token(client, app, "petugas")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "api-petugas"))
        services.change_password(Actor.system(), user, PASSWORD, "kata-sandi-baru-1",
                                 "kata-sandi-baru-1")
        db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    response = request_token(client, "api-petugas", "kata-sandi-baru-1")
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "api-petugas"))
        services.set_active(Actor.system(), user, False)
        db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert request_token(client, "api-petugas", "kata-sandi-baru-1").status_code == 401


def test_token_survives_a_web_logout_of_the_same_user(app, client):
    from .conftest import csrf_token
    headers = api_token(client, app, "petugas", username="petugas1")
    browser = app.test_client()
    response = browser.post("/login", data={"username": "petugas1", "password": PASSWORD,
                                            "csrf_token": csrf_token(browser)})
    assert response.status_code in (302, 303)
    response = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/account")})
    assert response.status_code in (302, 303)
    assert browser.get("/account").status_code in (302, 303)  # the web session is gone
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_session_cookie_does_not_authenticate_the_api(app, client):
    from .conftest import login
    login(client, app, "kepala")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_must_change_password_refuses_the_api(app, client):
    from rps_app.auth.permissions import Permission, requires

    def probe():
        return {"ok": True}
    app.add_url_rule("/api/v1/_probe", "probe", requires(Permission.ROOMS_READ)(probe))
    with app.app_context():
        make_user("admin", "admin", must_change_password=True)
    token = request_token(client, "admin", PASSWORD).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["must_change_password"]
    response = client.get("/api/v1/_probe", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "admin"))
        user.must_change_password = False
        db.session.commit()
    assert client.get("/api/v1/_probe", headers=headers).status_code == 200
