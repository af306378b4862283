"""Factory functions for rows: the one set the tests share.

`make_user` and `make_intake` commit (for tests that then go through HTTP); `make_client`
flushes (the caller commits). Intakes go through the intake service, as the pages and the
API make them.
"""
from datetime import date, datetime, timedelta

from rps_app import clock
from rps_app.audit.services import Actor
from rps_app.auth import services as auth
from rps_app.clients.models import Client
from rps_app.extensions import db

TEST_ACTOR = Actor.system("test")
NAMES = ["Sutrisno", "Warsini", "Karto", "Painem", "Slamet", "Tarmi", "Kasdi", "Sainah"]
_serial = iter(range(1, 1_000_000))


def make_user(username: str = "petugas1", role: str = "petugas",
              password: str = "kata-sandi-uji-123", **kwargs):
    user = auth.create_user(TEST_ACTOR, username, password, role=role, **kwargs)
    db.session.commit()
    return user


def make_client(name: str = "Slamet Riyadi", nik: str | None = "3328011507800001",
                sex: str = "L", **values) -> Client:
    """A client row as registration would leave it (flushed): a known identity with NIK by
    default; `nik=None` for an unknown one; any column can be given."""
    now = clock.now()
    defaults = {"registration_number": f"RPS-2026-{next(_serial):05d}",
                "identity_known": nik is not None, "birth_date": date(1980, 7, 15),
                "estimated_age": None, "birth_place": "Tegal",
                "origin_regency": "Kabupaten Tegal", "origin_address": "Desa Procot, Slawi",
                "pmks_category": 11, "created_at": now, "updated_at": now}
    client = Client(name=name, nik=nik, sex=sex, **{**defaults, **values})
    db.session.add(client)
    db.session.flush()
    return client


def client_row(i: int, **extra) -> dict:
    """The i-th new client of a batch (distinct, men and women in turn), as the API takes it."""
    row = {"name": f"{NAMES[i % len(NAMES)]} {i}", "identity_known": False,
           "sex": "L" if i % 2 == 0 else "P", "pmks_category": 11, "needs_isolation": False,
           "estimated_age": 20 + i % 40}
    row.update(extra)
    return row


def make_intake(clients: int | list[Client] = 1, place: bool = False,
                received_at: datetime | str | None = None, belongings=(), **header):
    """An intake through the intake service, committed; returns it (its stays in row order).

    `clients`: how many new clients, or existing Client rows (returning clients), each with
    `belongings` [(description, quantity)]. `received_at` (default now) is when the batch
    was received (a datetime or ISO text), the raid two hours before; `header` overrides the
    BAST's fields (operation_at too). `place`:
    every stay placed by best fit.
    """
    from rps_app.stays import services as stays
    items = [{"description": text, "quantity": quantity} for text, quantity in belongings]
    if isinstance(clients, int):
        rows = [client_row(i, **({"belongings": items} if items else {}))
                for i in range(clients)]
    else:
        rows = [{"client_id": client.id, "needs_isolation": False,
                 **({"belongings": items} if items else {})} for client in clients]
    received_at = received_at or clock.now()
    if isinstance(received_at, str):
        received_at = datetime.fromisoformat(received_at)
    body = {"agency": "satpol_pp", "officer_name": "Agus Santoso",
            "officer_id_number": "19800101 200501 1 001", "bast_number": "BAST/11/2026/001",
            "operation_place": "Alun-alun Slawi",
            "operation_at": (received_at - timedelta(hours=2)).isoformat(),
            "received_at": received_at.isoformat(), "clients": rows, **header}
    batch = stays.intake(TEST_ACTOR, body)
    if place:
        stays.place_all(TEST_ACTOR, [stay.id for stay in batch.stays])
    db.session.commit()
    return batch
