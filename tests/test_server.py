"""`rps serve`: a real gunicorn server with several workers, and its refusals."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rps_app import server as serving

from .e2e.live import environment, get, init_instance, run_rps, start_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def three_workers(tmp_path_factory):
    instance = tmp_path_factory.mktemp("serve") / "instance"
    init_instance(instance)
    live = start_server(instance, workers=3)
    yield live
    live.stop()


def test_real_server_answers_health_checks_with_several_workers(three_workers):
    # The first worker may answer before the master has forked the last one.
    deadline = time.monotonic() + 20
    while len(three_workers.worker_pids()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(three_workers.worker_pids()) == 3
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: get(three_workers.url + "/healthz"), range(60)))
    assert answers == [(200, b'{"status":"ok"}\n')] * 60
    # The forked workers reach the database (no connection shared with the master).
    status, body = get(three_workers.url + "/readyz")
    assert status == 200, body


def test_access_log_has_the_path_but_not_the_query_string(three_workers):
    status, _ = get(three_workers.url + "/healthz?q=SITI+AMINAH&nik=3328014107900001")
    assert status == 200
    log = three_workers.log()
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "SITI" not in log and "3328014107900001" not in log


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    done = run_rps(["serve", "--port", "1"], environment(instance), tmp_path, timeout=60)
    assert done.returncode == 1
    assert "SECRET_KEY belum diatur" in done.stderr
    assert "Listening" not in done.stdout + done.stderr


def test_serve_refuses_debug_mode(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    env = environment(instance, SECRET_KEY="rahasia-uji", FLASK_DEBUG="1")
    done = run_rps(["serve", "--port", "1"], env, tmp_path, timeout=60)
    assert done.returncode == 1
    assert "FLASK_DEBUG" in done.stderr


def test_refusal_also_catches_app_debug(tmp_path):
    from rps_app import create_app
    app = create_app({"SECRET_KEY": "x", "RPS_INSTANCE_PATH": str(tmp_path), "DEBUG": True})
    assert "debug" in serving.refusal(app)
    app.debug = False
    assert serving.refusal(app) is None


def test_default_worker_count_is_capped(monkeypatch):
    monkeypatch.setattr(serving.os, "cpu_count", lambda: 1)
    assert serving.default_workers() == 3
    monkeypatch.setattr(serving.os, "cpu_count", lambda: 32)
    assert serving.default_workers() == 4
