"""Scheduled jobs, their occurrences (times in RPS_TIMEZONE) and their runs.

A domain registers its jobs with registry.add_job(app, Job(...)); the `scheduler` package
runs them. An occurrence is (job, fire time, period); it is due when installed_at < fire
time <= now. Each occurrence runs exactly once, whatever the job does: its JobRun row is
inserted first (claimed) in its own committed transaction, and the unique (kind, period)
lets one claimant win however many schedulers race; only the winner calls `job.run`.
A failed run (or one abandoned by a dead process) is claimed again at the next catch-up.
"""
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Date, String, Text, UniqueConstraint, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .actor import Actor
from .extensions import db
from .types import UTCDateTime

# Who acts in a scheduled job (the audit log's username).
SCHEDULER = Actor.system("scheduler")
# A run still "running" after this long was abandoned (its process died): claim it again.
STALE_AFTER = timedelta(hours=1)


def same_day(fire: date) -> tuple[date, date]:
    return fire, fire


@dataclass(frozen=True)
class Job:
    name: str          # the APScheduler job id, and the kind of its recorded runs
    hour: int
    minute: int
    day: int | None = None    # day of the month, or None for every day
    # How far back a missed occurrence is still caught up (None: back to installation).
    catch_up_days: int | None = None
    # The period an occurrence fired on `fire` covers (default: that date).
    period: Callable[[date], tuple[date, date]] = same_day
    # The work: run(occurrence) inside an app context, returns a small summary dict (or
    # None). Raising marks the run failed; it is retried at the next catch-up.
    run: Callable[["Occurrence"], dict | None] | None = None

    def fire_time(self, day: date, zone: ZoneInfo) -> datetime:
        return datetime.combine(day, time(self.hour, self.minute), tzinfo=zone)

    def occurrences(self, after: datetime, until: datetime, zone: ZoneInfo) -> Iterator["Occurrence"]:
        """Every occurrence with after < fire time <= until, oldest first."""
        first = after.astimezone(zone).date()
        if self.catch_up_days is not None:
            first = max(first, until.astimezone(zone).date() - timedelta(days=self.catch_up_days))
        last = until.astimezone(zone).date()
        day = first
        while day <= last:
            if self.day is None or day.day == self.day:
                fire = self.fire_time(day, zone)
                if after < fire <= until:
                    yield Occurrence(self, fire, *self.period(day))
            day = self.next_day(day)

    def next_day(self, day: date) -> date:
        if self.day is None:
            return day + timedelta(days=1)
        if day.day < self.day:
            return day.replace(day=self.day)
        return (day.replace(day=1) + timedelta(days=32)).replace(day=self.day)


@dataclass(frozen=True)
class Occurrence:
    job: Job
    fire: datetime
    period_from: date
    period_to: date


def next_fire(job: Job, after: datetime, zone: ZoneInfo) -> datetime:
    """The job's first fire time after `after`."""
    day = after.astimezone(zone).date()
    while True:
        if job.day is None or day.day == job.day:
            fire = job.fire_time(day, zone)
            if fire > after:
                return fire
        day = job.next_day(day)


# --- runs: each occurrence exactly once ---------------------------------------------------

class JobRun(db.Model):
    """One occurrence of a scheduled job: claimed, then done or failed (and retried)."""
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))   # the job's name
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="running")
    attempts: Mapped[int] = mapped_column(default=1)
    summary: Mapped[dict | None] = mapped_column(JSON)  # what job.run returned
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("kind", "period_from", "period_to", name="uq_job_runs_kind_period"),
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),
        CheckConstraint("period_from <= period_to", name="period"),
    )


def finished_periods(kind: str, first: date, last: date) -> set[tuple[date, date]]:
    """(period_from, period_to) of the job's runs in [first, last] that need nothing more
    (done, or running in a live process): one read per job instead of one per occurrence."""
    rows = db.session.execute(
        select(JobRun.period_from, JobRun.period_to, JobRun.status, JobRun.started_at)
        .where(JobRun.kind == kind, JobRun.period_to >= first, JobRun.period_from <= last))
    now = clock.now()
    return {(f, t) for f, t, status, started in rows
            if status == "done" or (status == "running" and now - started < STALE_AFTER)}


def claim(kind: str, start: date, end: date) -> JobRun | None:
    """Take the occurrence (kind, period) for this process, or None when another has it."""
    return claim_once(JobRun, kind, start, end)


def claim_once(model, kind: str, start: date, end: date, on_insert: dict | None = None,
               **values):
    """Take the row of (kind, period) in `model` (a table unique on kind and period, with
    status, attempts, started_at, finished_at and error) for this process, or None when
    another has it. `values` are set on the row however it is taken; `on_insert` only on
    a new row.

    First an INSERT, committed on its own: the unique constraint lets one claimant win.
    When the row exists and is `failed` (or `running` but abandoned), an UPDATE guarded by
    that status takes it over; again only one claimant's UPDATE matches.
    """
    now = clock.now()
    key = (model.kind == kind, model.period_from == start, model.period_to == end)
    db.session.rollback()  # the claim is its own transaction
    db.session.add(model(kind=kind, period_from=start, period_to=end, status="running",
                         attempts=1, started_at=now, **(on_insert or {}), **values))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        taken = db.session.execute(
            update(model)
            .where(*key, (model.status == "failed")
                   | and_(model.status == "running", model.started_at < now - STALE_AFTER))
            .values(status="running", attempts=model.attempts + 1, started_at=now,
                    finished_at=None, error=None, **values)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if taken.rowcount != 1:
            return None
    return db.session.scalar(select(model).where(*key)
                             .execution_options(populate_existing=True))


def execute(run_id: int, occurrence: "Occurrence", on_failure=None) -> JobRun:
    """Call the job for a claimed run and finish the run (done or failed), committed.
    `on_failure(run, exc)` hears of a failure (the scheduler logs it)."""
    try:
        summary = occurrence.job.run(occurrence) if occurrence.job.run else None
        db.session.commit()  # what the job wrote, if it left anything uncommitted
        run = db.session.get(JobRun, run_id, populate_existing=True)
        run.status, run.finished_at, run.summary = "done", clock.now(), summary
        db.session.commit()
    except Exception as exc:  # any failure is recorded on the run, to be retried
        db.session.rollback()
        run = db.session.get(JobRun, run_id, populate_existing=True)
        run.status, run.finished_at = "failed", clock.now()
        run.error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        db.session.commit()
        if on_failure is not None:
            on_failure(run, exc)
    return run
