"""Run every due occurrence exactly once (the catch-up of `rps scheduler --once` and of the
long-running scheduler at start and at each firing).

The jobs are those the domains registered (rps_app.registry.add_job). Exactly once across
processes: rps_app.scheduling.claim inserts the occurrence's JobRun first, in its own
transaction, and the unique (kind, period) lets one claimant win; the others skip.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from rps_app import clock, registry, scheduling
from rps_app.extensions import db
from rps_app.scheduling import JobRun
from rps_app.settings import services as settings


@dataclass
class Outcome:
    done: list[JobRun] = field(default_factory=list)
    failed: list[JobRun] = field(default_factory=list)
    skipped: int = 0  # finished before, or taken by another scheduler


def installed_at() -> datetime | None:
    value = settings.get("installed_at")
    return datetime.fromisoformat(value) if value else None


def registered_jobs() -> list:
    return list(registry.of(current_app).jobs)


def _log_failure(run: JobRun, exc: Exception) -> None:
    current_app.logger.error("job %s %s..%s failed: %s", run.kind, run.period_from,
                             run.period_to, run.error)


def run_due(now: datetime | None = None, jobs=None) -> Outcome:
    """Run the occurrences of `jobs` (default: every registered job) that are due at `now`
    and not run yet. Inside an app context; commits its own transactions."""
    now = now or clock.now()
    jobs = registered_jobs() if jobs is None else jobs
    outcome = Outcome()
    since = installed_at()
    if since is None:
        return outcome  # not initialised: nothing is due before the first `rps init`
    zone = clock.local_zone()
    for job in jobs:
        occurrences = list(job.occurrences(since, now, zone))
        if not occurrences:
            continue
        finished = scheduling.finished_periods(job.name, occurrences[0].period_from,
                                               occurrences[-1].period_to)
        db.session.rollback()  # the read ends here: each claim is its own transaction
        for occ in occurrences:
            if (occ.period_from, occ.period_to) in finished:
                outcome.skipped += 1
                continue
            run = scheduling.claim(job.name, occ.period_from, occ.period_to)
            if run is None:
                outcome.skipped += 1
                continue
            run = scheduling.execute(run.id, occ, on_failure=_log_failure)
            (outcome.done if run.status == "done" else outcome.failed).append(run)
    return outcome


def beat() -> None:
    """Record that the scheduler process is alive (the /reports page shows it)."""
    settings.put("scheduler_heartbeat", clock.now().isoformat())
    db.session.commit()
