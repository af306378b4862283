"""For the client-flow page tests: committed intakes, and the fields the intake page posts."""
from rps_app.extensions import db
from rps_app.stays import services as stays

from .stays_support import ACTOR, client_row, intake_body

NAMES = ["Sutrisno", "Warsini", "Karto", "Painem", "Slamet", "Tarmi", "Kasdi", "Sainah"]


def row(i: int, **extra) -> dict:
    """The i-th of a batch of distinct clients, men and women in turn."""
    return client_row(f"{NAMES[i % len(NAMES)]} {i}", sex="L" if i % 2 == 0 else "P",
                      age=20 + i % 40, **extra)


def make_intake(count: int = 1, place: bool = False, **extra):
    """Receive `count` new clients and commit (needs an app context); returns the intake."""
    batch = stays.intake(ACTOR, intake_body(*[row(i) for i in range(count)], **extra))
    if place:
        stays.place_all(ACTOR, [stay.id for stay in batch.stays])
    db.session.commit()
    return batch


def intake_form(token: str, rows: list[dict], **overrides) -> dict:
    """The intake page's fields: header plus `clients-<i>-<field>` per row (True -> ticked)."""
    data = {"csrf_token": token, "agency": "satpol_pp", "officer_name": "Bripka Darto",
            "officer_id_number": "8504123", "bast_number": "BAST/07/2026",
            "operation_place": "Terminal Slawi", "operation_at": "2026-11-06T08:30",
            "received_at": "2026-11-06T09:30"}
    data.update(overrides)
    for i, fields in enumerate(rows):
        for key, value in fields.items():
            if value is True:
                data[f"clients-{i}-{key}"] = "y"
            elif value not in (False, None):
                data[f"clients-{i}-{key}"] = value
    return data
