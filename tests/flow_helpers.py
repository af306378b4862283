"""Building intakes for the client-flow tests: API bodies, form posts, committed rows."""
from rps_app.extensions import db
from rps_app.stays import services as stays

from .factories import TEST_ACTOR

NAMES = ["Sutrisno", "Warsini", "Karto", "Painem", "Slamet", "Tarmi", "Kasdi", "Sainah"]


def client_row(i: int = 0, sex: str | None = None, **overrides) -> dict:
    """A new-client row of contract.md (alternating sex unless given)."""
    row = {"name": f"{NAMES[i % len(NAMES)]} {i}", "identity_known": False,
           "sex": sex or ("L" if i % 2 == 0 else "P"), "estimated_age": 40 + i % 30,
           "pmks_category": 11, "needs_isolation": False,
           "belongings": [{"description": "Tas kain", "quantity": 1}]}
    row.update(overrides)
    return row


def intake_body(rows: list[dict], **overrides) -> dict:
    body = {"agency": "satpol_pp", "officer_name": "Bripka Darto", "officer_id_number": "8504123",
            "bast_number": "BAST/01/2026", "operation_place": "Alun-alun Slawi",
            "operation_at": "2026-03-01T20:00:00+07:00", "received_at": "2026-03-01T21:00:00+07:00",
            "clients": rows}
    body.update(overrides)
    return body


def make_intake(count: int = 1, place: bool = False, rows: list[dict] | None = None, **overrides):
    """Receive `count` new clients (committed); returns the intake. Needs an app context."""
    batch = stays.intake(TEST_ACTOR, intake_body(rows or [client_row(i) for i in range(count)],
                                                 **overrides))
    stay_ids = [stay.id for stay in batch.stays]
    if place:
        stays.place_all(TEST_ACTOR, stay_ids)
    db.session.commit()
    return batch


def intake_form(token: str, rows: list[dict], **overrides) -> dict:
    """The fields the intake page posts for these rows (new: dict of fields; returning:
    {"client_id": id})."""
    data = {"csrf_token": token, "agency": "satpol_pp", "officer_name": "Bripka Darto",
            "officer_id_number": "8504123", "bast_number": "BAST/07/2026",
            "operation_place": "Terminal Slawi", "operation_at": "2026-03-01T20:00",
            "received_at": "2026-03-01T21:00"}
    data.update(overrides)
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"clients-{i}-{key}"] = "y"
            elif value not in (False, None):
                data[f"clients-{i}-{key}"] = value
    return data
