"""The reporting domain's scheduled jobs: the daily census, the monthly report and the
nightly check of stays past the limit (see rps_app.scheduling)."""
from datetime import date, timedelta

from ..scheduling import Job, next_fire  # noqa: F401  (next_fire: for the reports page)
from .services import month_bounds


def previous_month(fire: date) -> tuple[date, date]:
    return month_bounds(fire - timedelta(days=1))  # the month before the 1st it runs on


def previous_night(fire: date) -> tuple[date, date]:
    return fire - timedelta(days=1), fire - timedelta(days=1)  # the night that just ended


JOBS = (
    Job("daily", hour=7, minute=0),
    Job("monthly", hour=1, minute=0, day=1, period=previous_month),
    # Flags stays past the limit for the night just ended; only recent nights matter.
    Job("overdue-check", hour=0, minute=15, catch_up_days=2, period=previous_night),
)
JOB_NAMES = tuple(job.name for job in JOBS)
