"""Security headers, cookie flags and CSRF refusals."""
import pytest
from sqlalchemy import func, select

from rps_app.auth.models import User
from rps_app.extensions import db

from .conftest import PASSWORD, csrf_token, login
from .factories import make_user


def assert_security_headers(response, page: bool):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY" or "frame-ancestors 'none'" in csp
    assert headers["Referrer-Policy"]
    if page:
        assert "no-store" in headers["Cache-Control"]


@pytest.mark.parametrize("path,page", [
    ("/login", True), ("/", True), ("/account", True), ("/no-such-page", True),
    ("/healthz", False), ("/api/v1/auth/me", False), ("/static/css/app.css", False),
])
def test_security_headers_on_every_response(app, client, path, page):
    with client.get(path) as response:  # anonymous: pages, redirects, 401, 404
        assert_security_headers(response, page)
    login(client, app, "admin")
    with client.get(path) as response:  # closed: a static file answer holds the file open
        assert_security_headers(response, page)


def test_api_answers_are_not_cached(client):
    response = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    assert response.headers["Cache-Control"] == "no-store"


def session_cookie_header(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if value.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def login_response(app, client):
    with app.app_context():
        make_user("petugas1", "petugas")
    return client.post("/login", data={"username": "petugas1", "password": PASSWORD,
                                       "csrf_token": csrf_token(client)})


def test_session_cookie_is_httponly_and_lax_but_not_secure_over_http(app, client):
    cookie = session_cookie_header(login_response(app, client)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    with app.app_context():
        make_user("petugas1", "petugas")
    token = csrf_token(client, "https://localhost/login")
    response = client.post("/login", base_url="https://localhost",
                           data={"username": "petugas1", "password": PASSWORD,
                                 "csrf_token": token},
                           headers={"Referer": "https://localhost/login"})
    assert response.status_code == 303
    cookie = session_cookie_header(response).lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_without_csrf_token_is_refused(app, client):
    with app.app_context():
        make_user("petugas1", "petugas")
    response = client.post("/login", data={"username": "petugas1", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_csrf_token_of_another_session_is_refused(app, client):
    login(client, app, "admin")
    foreign = csrf_token(app.test_client())
    response = client.post("/admin/users/new", data={
        "username": "asing", "full_name": "Asing", "role": "staf", "password": "sementara-123",
        "confirm_password": "sementara-123", "csrf_token": foreign})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.username == "asing")) == 0


def test_api_is_exempt_from_csrf_and_ignores_cookies(app, client):
    login(client, app, "admin")
    # A browser sends the cookie on its own; the API must not treat it as authority.
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 401
