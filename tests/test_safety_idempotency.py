"""Issue 12, finding 3: a retried or double-clicked POST does one thing. The API's
Idempotency-Key and the intake form's one-time key (contract "Safety rules added")."""
import re
import threading
from datetime import timedelta

import pytest

from rps_app import clock
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.idempotency.models import IdempotencyKey
from rps_app.stays.models import Intake, Stay

from .conftest import api_token, csrf_token, login
from .flow_helpers import intake_form
from .stays_support import NOW, count, intake_body

ROW = {"name": "Sutrisno", "sex": "L", "estimated_age": "52", "pmks_category": "11"}


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def post_intake(client, headers, key, body=None):
    return client.post("/api/v1/intakes", json=body or intake_body(),
                       headers={**headers, "Idempotency-Key": key})


def test_a_repeated_key_answers_the_first_answer_and_does_nothing_more(app, client):
    headers = api_token(client, app, "petugas")
    first = post_intake(client, headers, "intake-7f3a")
    assert first.status_code == 201
    again = post_intake(client, headers, "intake-7f3a")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Intake, app) == 1 and count(Client, app) == 1
    assert post_intake(client, headers, "intake-other").status_code == 201
    assert count(Intake, app) == 2


def test_the_key_belongs_to_its_user_and_lives_24_hours(app, client):
    app.config["RPS_TOKEN_HOURS"] = 48
    first_user = api_token(client, app, "petugas", username="satu")
    second_user = api_token(client, app, "petugas", username="dua")
    assert post_intake(client, first_user, "k1").status_code == 201
    assert post_intake(client, second_user, "k1").status_code == 201  # another user's key
    assert count(Intake, app) == 2
    clock.freeze(NOW + timedelta(hours=24, seconds=1))
    assert post_intake(client, first_user, "k1").status_code == 201  # expired: new request
    assert count(Intake, app) == 3
    assert count(IdempotencyKey, app) == 1  # expired keys are cleaned on write


def test_a_key_sent_again_with_another_body_still_does_nothing_more(app, client):
    headers = api_token(client, app, "petugas")
    first = post_intake(client, headers, "k2")
    assert first.status_code == 201
    other = post_intake(client, headers, "k2", intake_body(bast_number="LAIN/1"))
    assert other.status_code == 201 and other.get_json() == first.get_json()
    assert count(Intake, app) == 1


@pytest.mark.parametrize("key", ["", "x" * 65, "dengan spasi", "ü"])
def test_bad_keys_are_refused_naming_the_header(app, client, key):
    headers = api_token(client, app, "petugas")
    response = post_intake(client, headers, key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert count(Intake, app) == 0


def test_a_failed_request_does_not_keep_its_key(app, client):
    headers = api_token(client, app, "petugas")
    bad = post_intake(client, headers, "k3", intake_body(officer_name=""))
    assert bad.status_code == 422
    assert post_intake(client, headers, "k3").status_code == 201
    assert count(Intake, app) == 1


def test_concurrent_duplicates_execute_once(app, client):
    headers = api_token(client, app, "petugas")
    results, barrier = [], threading.Barrier(4)

    def send():
        barrier.wait()
        response = post_intake(app.test_client(), headers, "burst-1")
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [201] * 4
    assert len({repr(body) for _, body in results}) == 1
    assert count(Intake, app) == 1 and count(Stay, app) == 1


def test_the_intake_form_carries_a_one_time_key_and_a_saving_button(app, client):
    login(client, app, "petugas")
    html = client.get("/intakes/new").get_data(as_text=True)
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', html)
    assert 'data-saving="Menyimpan..."' in html


def test_a_double_submitted_intake_form_makes_one_intake(app, client):
    login(client, app, "petugas")
    html = client.get("/intakes/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    data = {**intake_form(csrf_token(client, "/intakes/new"), [ROW]), "idempotency_key": key}
    first = client.post("/intakes/new", data=data)
    second = client.post("/intakes/new", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Intake, app) == 1 and count(Client, app) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "sudah disimpan sebelumnya" in page


def test_a_double_submitted_form_in_parallel_makes_one_intake(app, client):
    login(client, app, "petugas")
    data = {**intake_form(csrf_token(client, "/intakes/new"), [ROW]), "idempotency_key": "a1b2"}
    cookie = client.get_cookie("session")
    barrier, statuses = threading.Barrier(3), []

    def send():
        browser = app.test_client()
        browser.set_cookie("session", cookie.value)
        barrier.wait()
        statuses.append(browser.post("/intakes/new", data=data).status_code)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 3
    assert count(Intake, app) == 1


def test_expired_keys_are_removed_by_the_nightly_job(app, client):
    from rps_app import registry
    from rps_app.idempotency import services
    headers = api_token(client, app, "petugas")
    assert post_intake(client, headers, "old-1").status_code == 201
    assert services.CLEANUP_JOB in registry.of(app).jobs
    with app.app_context():
        assert services.run_cleanup() == {"removed": 0}
        clock.freeze(NOW + timedelta(hours=24))
        assert services.run_cleanup() == {"removed": 1}
        db.session.commit()
    assert count(IdempotencyKey, app) == 0
