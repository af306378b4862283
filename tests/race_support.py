"""A real `rps serve` server for the racing tests (several worker processes, requests sent
at once through the JSON API), shared by every such test of a run: one installation per
backend, served by 4 workers, with a duty officer's and the head's API tokens."""
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from .e2e.live import environment, init_instance, installation_database, run_rps, start_server

WORKERS = 4
USERS = {"petugas": ("petugas1", "kata-sandi-petugas-123"),
         "kepala": ("kepala1", "kata-sandi-kepala-123")}


@contextmanager
def race_installation(backend: str, tmp_path_factory):
    """A fresh installation on `backend` served by WORKERS processes; `headers` carry the
    duty officer's token, `head_headers` the head's."""
    instance = tmp_path_factory.mktemp(f"race-{backend}") / "instance"
    with installation_database(backend, "rps_race") as url:
        init_instance(instance, url)
        for role, (username, password) in USERS.items():
            done = run_rps(["create-user", username, "--role", role, "--password-stdin"],
                           environment(instance, url), instance.parent, input=password + "\n")
            assert done.returncode == 0, done.stdout + done.stderr
        live = start_server(instance, url, workers=WORKERS, backend=backend)
        try:
            live.headers, live.head_headers = (token(live.url, *USERS[role])
                                               for role in ("petugas", "kepala"))
            yield live
        finally:
            live.stop()


def token(base: str, username: str, password: str) -> dict:
    status, body = call(base, "POST", "/api/v1/auth/token",
                        {"username": username, "password": password})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


def call(base: str, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def race(server, requests: list[tuple[str, str, dict]]) -> list[tuple[int, dict]]:
    """Send all requests at once (a barrier releases the threads together)."""
    start = threading.Barrier(len(requests))

    def send(request):
        method, path, body = request
        start.wait()
        return call(server.url, method, path, body, server.headers)
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))
