"""Web login, logout, own account and the admin's user pages, through the test client."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.auth.models import LoginFailure, User
from rps_app.extensions import db

from .conftest import PASSWORD, csrf_token, login
from .factories import make_user

NEW_PASSWORD = "kata-sandi-baru-456"


def post_login(client, username, password, path="/login"):
    token = csrf_token(client)
    return client.post(path, data={"username": username, "password": password,
                                   "csrf_token": token})


def user_row(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def test_login_page_is_indonesian_by_default_and_renders_in_english(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Nama pengguna" in page and "Kata sandi" in page and 'lang="id"' in page
    response = client.get("/login?lang=en")
    assert response.status_code == 200
    assert 'lang="en"' in response.get_data(as_text=True)


def test_login_redirects_home_and_wrong_password_shows_indonesian_error(app, client):
    with app.app_context():
        make_user("petugas1", "petugas")
    response = post_login(client, "petugas1", "salah-sekali-123")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    response = post_login(client, "PETUGAS1 ", PASSWORD)  # case and spaces do not matter
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_follows_only_same_site_next(app, client):
    with app.app_context():
        make_user("petugas1", "petugas")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    response = post_login(client, "petugas1", PASSWORD, path="/login?next=/account")
    assert response.headers["Location"] == "/account"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
        response = post_login(client, "petugas1", PASSWORD,
                              path="/login?next=" + evil.replace("/", "%2F"))
        assert response.headers["Location"] == "/", evil


def test_missing_fields_are_named(client):
    response = client.post("/login", data={"username": "", "password": "",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Wajib diisi.") == 2


def test_logout_ends_the_session_on_the_server(app, client):
    login(client, app, "petugas")
    stolen = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    client.set_cookie("session", stolen)
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(app, client):
    login(client, app, "petugas")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/account").status_code == 200
    assert user_row(app, "petugas1").session_version == 1


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm,
        "csrf_token": csrf_token(client, "/account")})


def test_password_change_keeps_this_browser_and_ends_other_sessions(app, client):
    login(client, app, "staf")
    other = app.test_client()
    assert post_login(other, "staf1", PASSWORD).status_code == 303
    stolen = client.get_cookie("session").value
    response = change_password(client)
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # re-logged in here
    assert other.get("/account").status_code == 302  # the other browser is out
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302
    assert post_login(app.test_client(), "staf1", NEW_PASSWORD).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "password_changed")) == 1


def test_password_change_errors_name_the_field(app, client):
    login(client, app, "staf")
    response = change_password(client, current="keliru-sekali-1")
    assert response.status_code == 422
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)
    response = change_password(client, new="pendek")
    assert "Minimal 10 karakter." in response.get_data(as_text=True)
    response = change_password(client, confirm="lain-sama-sekali-1")
    assert "Harus sama dengan kata sandi baru." in response.get_data(as_text=True)
    assert user_row(app, "staf1").session_version == 1
    assert client.get("/account").status_code == 200


def test_must_change_password_sends_every_page_to_the_password_form(app, client):
    with app.app_context():
        make_user("admin", "admin", must_change_password=True)
    assert post_login(client, "admin", PASSWORD).status_code == 303
    for path in ("/", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account", path
    assert client.get("/account").status_code == 200
    assert change_password(client).status_code == 303
    assert client.get("/admin/users").status_code == 200
    assert user_row(app, "admin").must_change_password is False


def test_language_preference_is_saved_and_used(app, client):
    login(client, app, "kepala")
    response = client.post("/account/language", data={"language": "en",
                                                       "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 303
    assert user_row(app, "kepala1").language == "en"
    assert 'lang="en"' in client.get("/account").get_data(as_text=True)
    response = client.post("/account/language", data={"language": "fr",
                                                      "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 422
    assert user_row(app, "kepala1").language == "en"


def test_throttling_after_five_failures_until_the_window_passes(app, client, caplog):
    start = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    with app.app_context():
        make_user("petugas1", "petugas")
    secret = "salah-tebakan-99"
    for _ in range(5):
        assert post_login(client, "petugas1", secret).status_code == 401
    response = post_login(client, "petugas1", PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginFailure.id))) == 5
        details = db.session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "login_failed")).all()
    assert len(details) == 5 and secret not in repr(details) and PASSWORD not in repr(details)
    assert "login failed" in caplog.text
    assert secret not in caplog.text and PASSWORD not in caplog.text
    clock.freeze(start + timedelta(minutes=14))
    assert post_login(client, "petugas1", PASSWORD).status_code == 429
    clock.freeze(start + timedelta(minutes=15, seconds=1))
    assert post_login(client, "petugas1", PASSWORD).status_code == 303
    assert client.get("/").status_code == 200


def test_unknown_usernames_are_throttled_too(app, client):
    for _ in range(5):
        assert post_login(client, "siapa-ya", "apa-saja-12345").status_code == 401
    assert post_login(client, "siapa-ya", "apa-saja-12345").status_code == 429


# --- administration --------------------------------------------------------------------

def admin_post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/account")})


def test_admin_creates_a_user_who_must_change_the_password(app, client):
    login(client, app, "admin")
    response = admin_post(client, "/admin/users/new", {
        "username": "siti", "full_name": "Siti Aminah", "nip": "198001012005012001",
        "role": "staf", "password": "sementara-123", "confirm_password": "sementara-123"})
    assert response.status_code == 303
    siti = user_row(app, "siti")
    assert (siti.full_name, siti.nip, siti.role, siti.must_change_password) == \
        ("Siti Aminah", "198001012005012001", "staf", True)
    response = admin_post(client, "/admin/users/new", {
        "username": "SITI", "full_name": "Lain", "role": "staf",
        "password": "sementara-123", "confirm_password": "sementara-123"})
    assert response.status_code == 422
    assert "Nama pengguna sudah dipakai." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "create", AuditEntry.entity == "user",
            AuditEntry.entity_id == str(siti.id))) == 1


def test_admin_create_without_csrf_token_creates_nobody(app, client):
    login(client, app, "admin")
    response = client.post("/admin/users/new", data={
        "username": "tanpa-token", "full_name": "X", "role": "staf",
        "password": "sementara-123", "confirm_password": "sementara-123"})
    assert response.status_code == 400
    with app.app_context():
        assert find(app, "tanpa-token") is None


def find(app, username):
    return db.session.scalar(select(User).where(User.username == username))


def test_user_list_searches_and_pages(app, client):
    app.config["PER_PAGE"] = 3
    login(client, app, "admin")
    with app.app_context():
        for number in range(5):
            make_user(f"petugas-{number}", "petugas", full_name=f"Petugas Nomor {number}")
        make_user("kepala-rps", "kepala", full_name="Bapak Kepala", nip="19700101")
    page = client.get("/admin/users?q=19700101").get_data(as_text=True)
    assert "kepala-rps" in page and "petugas-0" not in page
    first = client.get("/admin/users?q=nomor").get_data(as_text=True)
    second = client.get("/admin/users?q=nomor&page=2").get_data(as_text=True)
    assert "Halaman 1 dari 2" in first and "page=2" in first
    shown = [n for n in range(5) if f"petugas-{n}<" in first or f"petugas-{n}<" in second]
    assert shown == list(range(5))
    assert sum(f"petugas-{n}<" in first for n in range(5)) == 3


def test_admin_edits_a_user_and_it_is_audited(app, client):
    login(client, app, "admin")
    with app.app_context():
        user_id = make_user("budi", "staf").id
    response = admin_post(client, f"/admin/users/{user_id}",
                          {"full_name": "Budi Santoso", "nip": "123", "role": "petugas"})
    assert response.status_code == 303
    budi = user_row(app, "budi")
    assert (budi.full_name, budi.nip, budi.role) == ("Budi Santoso", "123", "petugas")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.detail["role"] == ["staf", "petugas"] and entry.username == "admin1"
    assert client.get("/admin/users/999").status_code == 404


def test_deactivation_ends_sessions_and_reactivation_allows_login(app, client):
    login(client, app, "admin")
    victim = app.test_client()
    victim_id = login(victim, app, "petugas")
    stolen = victim.get_cookie("session").value
    response = admin_post(client, f"/admin/users/{victim_id}/deactivate", {})
    assert response.status_code == 303
    assert victim.get("/account").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302
    assert post_login(app.test_client(), "petugas1", PASSWORD).status_code == 401
    assert user_row(app, "petugas1").active is False
    assert admin_post(client, f"/admin/users/{victim_id}/reactivate", {}).status_code == 303
    assert post_login(app.test_client(), "petugas1", PASSWORD).status_code == 303
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(victim_id))).all()
    assert "deactivate" in actions and "activate" in actions


def test_admin_cannot_deactivate_self_or_demote_the_last_admin(app, client):
    admin_id = login(client, app, "admin")
    response = admin_post(client, f"/admin/users/{admin_id}/deactivate", {})
    assert response.status_code == 303  # refused: a flash, back to the page
    assert user_row(app, "admin1").active is True
    response = admin_post(client, f"/admin/users/{admin_id}",
                          {"full_name": "Admin", "nip": "", "role": "staf"})
    assert response.status_code == 422
    assert "minimal satu administrator aktif" in response.get_data(as_text=True)
    assert user_row(app, "admin1").role == "admin"


def test_reset_password_forces_a_change_and_ends_sessions(app, client):
    login(client, app, "admin")
    victim = app.test_client()
    victim_id = login(victim, app, "staf")
    response = admin_post(client, f"/admin/users/{victim_id}/password",
                          {"password": "sementara-999", "confirm_password": "sementara-999"})
    assert response.status_code == 303
    assert victim.get("/account").status_code == 302
    assert post_login(victim, "staf1", "sementara-999").status_code == 303
    assert victim.get("/").headers["Location"] == "/account"
    response = admin_post(client, f"/admin/users/{victim_id}/password",
                          {"password": "pendek", "confirm_password": "pendek"})
    assert response.status_code == 422 and "Minimal 10 karakter." in response.get_data(as_text=True)
