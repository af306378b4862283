"""Read and write settings. Values are JSON; a missing key gives the default."""
from ..extensions import db
from .models import Setting


def get(key: str, default=None):
    row = db.session.get(Setting, key)
    return default if row is None else row.value


def put(key: str, value) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
