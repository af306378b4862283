"""Issue 12, finding 2 (and 7, in part): login throttling per (username, address) and per
address; a stranger cannot lock anyone out; a parallel burst gets exactly 5 tries; typed
usernames are neither stored nor logged in clear."""
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from rps_app.audit.models import AuditEntry
from rps_app.auth.models import LoginFailure
from rps_app.extensions import db

from .conftest import PASSWORD
from .factories import make_user


def token(client, username, password, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_five_failures_lock_the_pair_only(app, client):
    with app.app_context():
        make_user("staf1", "staf", password=PASSWORD)
    for _ in range(5):
        assert token(client, "staf1", "salah-salah-1", "10.6.6.6").status_code == 401
    refused = token(client, "staf1", PASSWORD, "10.6.6.6")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    # The right user from their own address still logs in, on the API and on the page.
    assert token(client, "staf1", PASSWORD, "10.0.0.1").status_code == 200
    from .conftest import csrf_token
    browser = app.test_client()
    page = browser.post("/login", data={"username": "staf1", "password": PASSWORD,
                                        "csrf_token": csrf_token(browser)},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert page.status_code == 303


def test_attempts_while_locked_do_not_extend_the_lock(app, client):
    with app.app_context():
        make_user("staf1", "staf", password=PASSWORD)
    for _ in range(5):
        assert token(client, "staf1", "salah-salah-1").status_code == 401
    for _ in range(3):
        assert token(client, "staf1", "salah-salah-1").status_code == 429
    with app.app_context():
        assert len(db.session.scalars(select(LoginFailure)).all()) == 5


def test_twenty_failures_lock_the_address_for_any_username(app, client):
    with app.app_context():
        make_user("petugas1", "petugas", password=PASSWORD)
    for number in range(20):
        assert token(client, f"tebak{number}", "salah-salah-1", "10.6.6.6").status_code == 401
    assert token(client, "petugas1", PASSWORD, "10.6.6.6").status_code == 429
    assert token(client, "lain", "apa-saja-123", "10.6.6.6").status_code == 429
    assert token(client, "petugas1", PASSWORD, "10.0.0.7").status_code == 200


def test_a_parallel_burst_gets_exactly_five_tries(app):
    with app.app_context():
        make_user("kepala1", "kepala", password=PASSWORD)

    def attempt(_):
        return token(app.test_client(), "kepala1", "salah-salah-1").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert token(app.test_client(), "kepala1", PASSWORD).status_code == 429
    assert token(app.test_client(), "kepala1", PASSWORD, "10.0.0.2").status_code == 200


def test_typed_usernames_are_not_stored_or_logged(app, client, caplog):
    typed = "3328014101900001"  # a NIK typed into the username field
    with app.app_context():
        make_user("staf1", "staf", password=PASSWORD)
    assert token(client, typed, "salah-salah-1").status_code == 401
    assert token(client, "STAF1", "salah-salah-1").status_code == 401
    with app.app_context():
        failures = db.session.scalars(select(LoginFailure)).all()
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "login_failed")).all()
    assert len(failures) == 2 and all(len(f.user_key) == 64 for f in failures)
    stored = repr([(f.user_key, f.ip) for f in failures]) + repr(
        [(e.username, e.detail, e.entity_id) for e in entries])
    assert typed not in stored
    assert typed not in caplog.text and "salah-salah-1" not in caplog.text
    # A known account is named (by its own name and id), never by what was typed.
    assert sorted(str(e.username) for e in entries) == ["None", "staf1"]
