"""Building intakes, stays and placements for tests (services, API, rules, concurrency)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from rps_app.audit.services import Actor
from rps_app.errors import DomainError
from rps_app.facility.models import Room

ACTOR = Actor(user_id=None, username="uji", ip="127.0.0.1", role="petugas")
NOW = datetime(2026, 11, 6, 3, 0, tzinfo=timezone.utc)  # 10:00 in Slawi


def make_nik(sex: str = "L", birth: date = date(1980, 5, 17), serial: int = 1,
             region: str = "332801") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def client_row(name: str = "Budi", sex: str = "L", age: int | None = 40, **extra) -> dict:
    row = {"name": name, "identity_known": False, "sex": sex, "pmks_category": 11,
           "needs_isolation": False}
    if age is not None:
        row["estimated_age"] = age
    row.update(extra)
    return row


def intake_body(*rows: dict, **extra) -> dict:
    body = {"agency": "satpol_pp", "officer_name": "Agus Santoso",
            "officer_id_number": "19800101 200501 1 001", "bast_number": "BAST/11/2026/001",
            "operation_place": "Alun-alun Slawi", "operation_at": "2026-11-06T08:30:00+07:00",
            "clients": list(rows) or [client_row()]}
    body.update(extra)
    return body


def room(code: str) -> Room:
    from rps_app.extensions import db
    return db.session.scalar(select(Room).where(Room.code == code))


def admit(*rows: dict, actor: Actor = ACTOR, **extra):
    """An intake through the service; returns its stays in row order."""
    from rps_app.stays import services
    batch = services.intake(actor, intake_body(*rows, **extra))
    return list(batch.stays)


def refused(call, *args, **kwargs) -> DomainError:
    """The DomainError that `call(*args, **kwargs)` raises (the test fails if none)."""
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def count(model, app=None) -> int:
    """Rows of `model`; in `app`'s context when given (tests that drive the test client)."""
    from rps_app.extensions import db
    if app is not None:
        with app.app_context():
            return count(model)
    return db.session.scalar(select(func.count()).select_from(model))
