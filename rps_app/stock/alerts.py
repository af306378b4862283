"""Stock alerts on the dashboard, and the daily job that records them."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..reads import at_once
from ..scheduling import Job
from .models import NO_LOT, StockAlertRecord
from .services import alerts, ask_alerts


def dashboard_panel(reads):
    """The dashboard panel: items under their minimum, lots expiring or expired (a batched
    section: read with the rest of the dashboard)."""
    found = ask_alerts(reads)

    def build() -> dict | None:
        if not found.value:
            return None
        grouped = {"low": [], "expiring": [], "expired": []}
        for alert in found.value:
            grouped[alert.kind].append(alert)
        return grouped
    return build


def dashboard() -> dict | None:
    """The dashboard panel on its own."""
    return at_once(dashboard_panel)


def record_day(day, moment) -> dict:
    """Record the alerts as they stood at `moment` under `day`, once: a second run of the
    same day (a catch-up, a second scheduler) records nothing more."""
    done = db.session.scalar(select(func.count(StockAlertRecord.id))
                             .where(StockAlertRecord.day == day))
    found = alerts(moment)
    summary = {"day": day.isoformat(), **{kind: sum(1 for a in found if a.kind == kind)
                                          for kind in ("low", "expiring", "expired")}}
    if done:
        return {**summary, "recorded": 0}
    now = clock.now()
    try:
        with db.session.begin_nested():
            for alert in found:
                db.session.add(StockAlertRecord(
                    day=day, item_id=alert.item_id, kind=alert.kind, lot=alert.lot or NO_LOT,
                    expiry_date=alert.expiry_date, balance=alert.balance, recorded_at=now))
    except IntegrityError:  # another process recorded this day meanwhile
        return {**summary, "recorded": 0}
    return {**summary, "recorded": len(found)}


def run(occurrence) -> dict:
    return record_day(occurrence.period_from, min(occurrence.fire, clock.now()))


def recorded(day) -> list[StockAlertRecord]:
    return list(db.session.scalars(select(StockAlertRecord).where(StockAlertRecord.day == day)
                                   .order_by(StockAlertRecord.id)))


# Daily at 06:00 (before the morning shift); missed days are caught up for a week.
JOB = Job("stock-alerts", hour=6, minute=0, catch_up_days=7, run=run)
