"""Run every due occurrence exactly once (the catch-up of `rps scheduler --once` and of the
long-running scheduler at start and at each firing).

Exactly once across processes: reporting.services.claim inserts the ReportRun first, in its
own transaction, and the unique (kind, period) lets one claimant win; the others skip.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from rps_app import clock
from rps_app.audit.services import Actor
from rps_app.extensions import db
from rps_app.reporting import services
from rps_app.reporting.models import ReportRun
from rps_app.settings import services as settings

from rps_app.reporting.schedule import JOBS, Job

ACTOR = Actor.system("scheduler")


@dataclass
class Outcome:
    done: list[ReportRun] = field(default_factory=list)
    failed: list[ReportRun] = field(default_factory=list)
    skipped: int = 0  # finished before, or taken by another scheduler


def installed_at() -> datetime | None:
    value = settings.get("installed_at")
    return datetime.fromisoformat(value) if value else None


def _finished(job: Job, first, last) -> set[tuple]:
    """(period_from, period_to) of the job's runs that need nothing more (done, or running
    in another process), read once per job instead of once per occurrence."""
    rows = db.session.execute(
        select(ReportRun.period_from, ReportRun.period_to, ReportRun.status, ReportRun.started_at)
        .where(ReportRun.kind == job.name, ReportRun.period_to >= first,
               ReportRun.period_from <= last))
    now = clock.now()
    return {(f, t) for f, t, status, started in rows
            if status == "done" or (status == "running" and now - started < services.STALE_AFTER)}


def run_due(now: datetime | None = None, jobs=JOBS) -> Outcome:
    """Run the occurrences of `jobs` that are due at `now` and not run yet. Inside an app
    context; commits its own transactions (see reporting.services.claim)."""
    now = now or clock.now()
    outcome = Outcome()
    since = installed_at()
    if since is None:
        return outcome  # not initialised: nothing is due before the first `rps init`
    zone = clock.local_zone()
    for job in jobs:
        occurrences = list(job.occurrences(since, now, zone))
        if not occurrences:
            continue
        finished = _finished(job, occurrences[0].period_from, occurrences[-1].period_to)
        db.session.rollback()
        for occ in occurrences:
            if (occ.period_from, occ.period_to) in finished:
                outcome.skipped += 1
                continue
            run = services.claim(job.name, occ.period_from, occ.period_to, "scheduler")
            if run is None:
                outcome.skipped += 1
                continue
            run = services.execute(run.id, ACTOR)
            (outcome.done if run.status == "done" else outcome.failed).append(run)
    return outcome


def beat() -> None:
    """Record that the scheduler process is alive (the /reports page shows it)."""
    settings.put("scheduler_heartbeat", clock.now().isoformat())
    db.session.commit()
