"""The reporting domain's scheduled jobs: the daily census, the monthly report and the
nightly check of stays past the limit (see rps_app.scheduling), registered in
reporting.register. Each occurrence builds and archives its ReportRun as a report asked
for on demand would (GET /api/v1/reports/runs lists them; the /reports page shows them)."""
from datetime import date, timedelta

from ..scheduling import SCHEDULER, Job, Occurrence, next_fire  # noqa: F401  (next_fire: the reports page)
from . import services
from .services import month_bounds


def previous_month(fire: date) -> tuple[date, date]:
    return month_bounds(fire - timedelta(days=1))  # the month before the 1st it runs on


def previous_night(fire: date) -> tuple[date, date]:
    return fire - timedelta(days=1), fire - timedelta(days=1)  # the night that just ended


class ReportFailed(RuntimeError):
    """The occurrence's report run failed (its error is on the ReportRun too)."""


def archive(occurrence: Occurrence) -> dict:
    """Build and archive the report (or check) of the occurrence's kind and period. A run
    someone already made on demand for the same period counts (it is not made twice)."""
    kind = occurrence.job.name
    run = services.claim(kind, occurrence.period_from, occurrence.period_to, "scheduler")
    if run is None:  # archived (or being archived) by a request for the same period
        return {"report_run_id": services.run_for(kind, occurrence.period_from,
                                                  occurrence.period_to).id}
    run = services.execute(run.id, SCHEDULER)
    if run.status != "done":
        raise ReportFailed(run.error)
    return {"report_run_id": run.id}


JOBS = (
    Job("daily", hour=7, minute=0, run=archive),
    Job("monthly", hour=1, minute=0, day=1, period=previous_month, run=archive),
    # Flags stays past the limit for the night just ended; only recent nights matter.
    Job("overdue-check", hour=0, minute=15, catch_up_days=2, period=previous_night,
        run=archive),
)
JOB_NAMES = tuple(job.name for job in JOBS)
