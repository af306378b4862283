"""The scheduled jobs and their occurrences (times in RPS_TIMEZONE). The `scheduler`
package runs them; they are defined here so that the reports page can show the next run.

An occurrence is (job, fire time, period). It is due when installed_at < fire time <= now;
the ReportRun row of its kind and period says whether it already ran (reporting.services).
"""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .services import month_bounds


@dataclass(frozen=True)
class Job:
    name: str          # the APScheduler job id, and the ReportRun kind
    hour: int
    minute: int
    day: int | None    # day of the month, or None for every day
    # How far back a missed occurrence is still caught up (None: back to installation).
    catch_up_days: int | None = None

    def period(self, fire: date) -> tuple[date, date]:
        if self.name == "monthly":  # the month before the 1st it runs on
            return month_bounds(fire - timedelta(days=1))
        if self.name == "overdue-check":  # the night that just ended
            previous = fire - timedelta(days=1)
            return previous, previous
        return fire, fire  # daily: the census of that date

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
            day = self._next(day)

    def _next(self, day: date) -> date:
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


JOBS = (
    Job("daily", hour=7, minute=0, day=None),
    Job("monthly", hour=1, minute=0, day=1),
    # Flags stays past the limit for the night just ended; only recent nights matter.
    Job("overdue-check", hour=0, minute=15, day=None, catch_up_days=2),
)
JOB_NAMES = tuple(job.name for job in JOBS)


def next_fire(job: Job, after: datetime, zone: ZoneInfo) -> datetime:
    """The job's first fire time after `after`."""
    day = after.astimezone(zone).date()
    while True:
        if job.day is None or day.day == job.day:
            fire = job.fire_time(day, zone)
            if fire > after:
                return fire
        day = job._next(day)
