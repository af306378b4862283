"""Scheduled jobs and their occurrences (times in RPS_TIMEZONE).

A domain registers its jobs with registry.add_job(app, Job(...)); the `scheduler` package
runs them, claiming each occurrence exactly once. An occurrence is (job, fire time,
period); it is due when installed_at < fire time <= now.
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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
