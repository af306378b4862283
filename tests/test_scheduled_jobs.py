"""Any registered job, not only reports: the scheduler claims each occurrence exactly once
(rps_app.scheduling.JobRun), even when two catch-ups race, and retries a failed one."""
import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from rps_app import registry
from rps_app.extensions import db
from rps_app.reporting.models import ReportRun
from rps_app.scheduling import Job, JobRun
from rps_app.settings import services as settings
from scheduler.runner import registered_jobs, run_due

from .conftest import api_token

WIB = ZoneInfo("Asia/Jakarta")
INSTALLED = "2026-03-01T12:00:00+07:00"
NOW = datetime(2026, 3, 6, 12, 0, tzinfo=WIB)  # 03:00 on 2..6 March: five occurrences
DAYS = [date(2026, 3, day) for day in range(2, 7)]


def dummy_job(app, work) -> Job:
    job = Job("test-dummy", hour=3, minute=0, run=work)
    registry.add_job(app, job)
    with app.app_context():
        settings.put("installed_at", INSTALLED)
        db.session.commit()
    return job


def test_two_racing_catch_ups_run_a_registered_job_once_per_occurrence(app, client):
    calls, lock = [], threading.Lock()

    def work(occurrence):
        time.sleep(0.02)  # widen the window in which the other catch-up could run it too
        with lock:
            calls.append(occurrence.period_from)
        return {"day": occurrence.period_from.isoformat()}

    job = dummy_job(app, work)
    with app.app_context():
        names = [registered.name for registered in registered_jobs()]
    # The scheduler reads the jobs the domains registered: reporting's three and this one.
    assert {"daily", "monthly", "overdue-check", "test-dummy"} <= set(names)

    outcomes, start = [], threading.Barrier(2)

    def catch_up():
        with app.app_context():
            start.wait()
            outcomes.append(run_due(NOW, jobs=[job]))
            db.session.remove()

    threads = [threading.Thread(target=catch_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(calls) == DAYS  # each occurrence ran once, in one of the two processes
    assert sum(len(o.done) for o in outcomes) == len(DAYS)
    assert sum(o.skipped for o in outcomes) == len(DAYS)
    assert not any(o.failed for o in outcomes)
    with app.app_context():
        runs = db.session.scalars(select(JobRun).where(JobRun.kind == "test-dummy")
                                  .order_by(JobRun.period_from)).all()
        assert [(r.period_from, r.status, r.attempts) for r in runs] == [
            (day, "done", 1) for day in DAYS]
        assert runs[0].summary == {"day": "2026-03-02"}
        # A job is not a report: nothing in the report archive.
        assert db.session.scalar(select(func.count()).select_from(ReportRun)) == 0
        assert run_due(NOW, jobs=[job]).done == []  # and once more adds nothing
    headers = api_token(client, app, "kepala")
    assert client.get("/api/v1/reports/runs", headers=headers).get_json() == []


def test_a_failed_occurrence_is_recorded_and_retried(app):
    broken = {"on": True}

    def work(occurrence):
        if broken["on"] and occurrence.period_from == DAYS[1]:
            raise RuntimeError("stock alert mail server down")
        return None

    job = dummy_job(app, work)
    with app.app_context():
        first = run_due(NOW, jobs=[job])
        assert [r.period_from for r in first.failed] == [DAYS[1]]
        assert "mail server down" in first.failed[0].error
        assert len(first.done) == len(DAYS) - 1
        broken["on"] = False
        again = run_due(NOW, jobs=[job])
        assert [(r.period_from, r.attempts) for r in again.done] == [(DAYS[1], 2)]
        assert again.skipped == len(DAYS) - 1
