"""SQLite writers queue on a file lock before BEGIN IMMEDIATE (rps_app/transaction.py):
a write transaction holds its turn until it ends, a read takes none, and writers still
pass one after the other. (What the queue buys, the tail of latencies under a stream of
writes, is measured by bench/web.py, not here.)"""
import fcntl
import os
import stat
import threading
import time

import pytest
from sqlalchemy import text

from rps_app.extensions import db


# The queue is SQLite's (PostgreSQL locks rows, not the database).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def queue_file(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-writers"


def turn_is_free(path: str) -> bool:
    handle = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)  # also gives back a turn just taken
    return True


def test_a_write_transaction_holds_the_turn_until_it_ends(app, queue_file):
    with app.app_context():
        db.session.execute(text("UPDATE settings SET key = key WHERE 1 = 0"))  # begins writing
        assert os.path.exists(queue_file)
        assert stat.S_IMODE(os.stat(queue_file).st_mode) == 0o600
        assert not turn_is_free(queue_file)
        db.session.commit()
        assert turn_is_free(queue_file)
        db.session.execute(text("SELECT 1"))
        assert not turn_is_free(queue_file)  # outside a request every transaction may write
        db.session.rollback()
        assert turn_is_free(queue_file)


def test_a_read_request_takes_no_turn(app, client, queue_file):
    handle = os.open(queue_file, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)  # another writer holds the turn meanwhile
    try:
        assert client.get("/login").status_code == 200
    finally:
        os.close(handle)


def test_writers_still_pass_one_after_the_other(app, queue_file):
    order = []

    def writer(name: str, hold: float) -> None:
        with app.app_context():
            db.session.execute(text("UPDATE settings SET key = key WHERE 1 = 0"))
            order.append(f"{name} in")
            time.sleep(hold)
            order.append(f"{name} out")
            db.session.commit()

    first = threading.Thread(target=writer, args=("first", 0.5))
    first.start()
    deadline = time.monotonic() + 10
    while "first in" not in order and time.monotonic() < deadline:
        time.sleep(0.01)
    second = threading.Thread(target=writer, args=("second", 0))
    second.start()
    first.join(10)
    second.join(10)
    assert order == ["first in", "first out", "second in", "second out"]
