"""Real installations for end-to-end tests: `rps init` then `rps serve` in a subprocess.

Each server gets its own instance folder (config.py with its SECRET_KEY, SQLite file, logs)
and a free port, exactly as an operator would start it with ./scripts/run.
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..conftest import postgres_database

# Settings of the developer's shell that must not leak into a fresh installation.
_FOREIGN_ENV = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "FLASK_DEBUG", "FLASK_APP",
                "RPS_INSTANCE_PATH", "RPS_PROXY_FIX")
PASSWORD_RE = re.compile(r"Kata sandi\s*:\s*(\S+)")


def rps_command() -> list[str]:
    """The `rps` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("rps")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from rps_app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(instance: Path, database_url: str | None = None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env["RPS_INSTANCE_PATH"] = str(instance)
    if database_url:
        env["SQLALCHEMY_DATABASE_URI"] = database_url
    env.update(extra)
    return env


@contextmanager
def installation_database(backend: str, prefix: str):
    """The database of a new installation: None on SQLite (the instance's own file), else
    the URL of a new PostgreSQL database, dropped afterwards."""
    if backend == "sqlite":
        yield None
    else:
        with postgres_database(prefix) as url:
            yield url


def run_rps(args: list[str], env: dict, cwd: Path, timeout: float = 120,
            input: str | None = None):
    """`rps ARGS`; `input` is its standard input (none when not given)."""
    stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(rps_command() + args, env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, **stdin)


def init_instance(instance: Path, database_url: str | None = None) -> str:
    """`rps init` in a new instance folder; returns the first admin's one-time password."""
    instance.mkdir(parents=True, exist_ok=True)
    done = run_rps(["init"], environment(instance, database_url), instance.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    match = PASSWORD_RE.search(done.stdout)
    assert match, f"`rps init` printed no password:\n{done.stdout}"
    return match.group(1)


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class LiveServer:
    url: str
    instance: Path
    process: subprocess.Popen
    log_path: Path
    admin_password: str | None = None
    backend: str = "sqlite"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's child processes (Linux /proc)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(instance: Path, database_url: str | None = None, workers: int = 2,
                 admin_password: str | None = None, backend: str = "sqlite",
                 wait: float = 60) -> LiveServer:
    """`rps serve` on a free port; returns once /healthz answers 200."""
    port = free_port()
    log_path = instance / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            rps_command() + ["serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)],
            env=environment(instance, database_url), cwd=instance.parent,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", instance, process, log_path,
                        admin_password, backend)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`rps serve` exited with {process.returncode}:\n{server.log()}")
        try:
            if get(server.url + "/healthz", timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"`rps serve` did not answer /healthz in {wait}s:\n{server.log()}")
