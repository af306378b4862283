"""One place that tells the time, so that tests and `--now` can stand in for the clock."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen or datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Set (or with None, release) the clock; for tests and `rps scheduler --now`."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["RPS_TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def local_today() -> date:
    return to_local(now()).date()
