"""`rps scheduler --once`: every due occurrence exactly once, across concurrent processes."""
import os
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from rps_app.extensions import db
from rps_app.reporting import documents
from rps_app.reporting.models import ReportRun
from rps_app.reporting.schedule import JOBS, next_fire
from rps_app.settings import services as settings

from .reporting_data import build_scenario

WIB = ZoneInfo("Asia/Jakarta")
INSTALLED = "2026-03-01T02:00:00+07:00"
NOW = "2026-04-01T08:00:00+07:00"
# Daily 07:00 on 1 March .. 1 April (32), monthly 1 April 01:00 (March), and the nightly
# check of the last two days caught up (fires 30 Mar, 31 Mar, 1 Apr at 00:15).
EXPECTED = {"daily": 32, "monthly": 1, "overdue-check": 3}


def _prepare(app):
    with app.app_context():
        build_scenario()
        settings.put("installed_at", INSTALLED)
        db.session.commit()


def _scheduler(app, now: str) -> subprocess.Popen:
    env = {**os.environ, "RPS_INSTANCE_PATH": app.instance_path, "SECRET_KEY": "test",
           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "RPS_REPORTS_DIR": app.config["RPS_REPORTS_DIR"]}
    return subprocess.Popen([sys.executable, "-c", "from rps_app.cli import main; main()",
                             "scheduler", "--once", "--now", now], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _counts(app) -> dict:
    with app.app_context():
        rows = db.session.execute(select(ReportRun.kind, ReportRun.status, func.count())
                                  .group_by(ReportRun.kind, ReportRun.status)).all()
    return {(kind, status): n for kind, status, n in rows}


def test_two_concurrent_schedulers_run_each_occurrence_once(app):
    _prepare(app)
    first, second = _scheduler(app, NOW), _scheduler(app, NOW)
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert _counts(app) == {(kind, "done"): n for kind, n in EXPECTED.items()}
    # Each ran in exactly one of the two processes.
    done = sum(out.count("selesai ") for out, _ in outputs)
    assert done == sum(EXPECTED.values())
    folder = app.config["RPS_REPORTS_DIR"]
    files = [name for sub in ("daily", "monthly") for name in os.listdir(os.path.join(folder, sub))]
    assert len(files) == 33
    with app.app_context():
        run = db.session.scalar(select(ReportRun).where(ReportRun.kind == "monthly"))
        assert (run.period_from, run.period_to) == (date(2026, 3, 1), date(2026, 3, 31))
        assert run.sha256 and len(run.sha256) == 64
    # Running again adds nothing.
    again = _scheduler(app, NOW)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "0 selesai" in out
    assert _counts(app) == {(kind, "done"): n for kind, n in EXPECTED.items()}


def test_failed_run_is_retried(app, monkeypatch):
    from scheduler.runner import run_due

    _prepare(app)
    now = datetime.fromisoformat("2026-03-02T08:00:00+07:00")
    real = documents.render

    def broken(kind, *args):
        if kind == "daily":
            raise RuntimeError("printer on fire")
        return real(kind, *args)

    with app.app_context():
        monkeypatch.setattr(documents, "render", broken)
        outcome = run_due(now)
        assert len(outcome.failed) == 2  # daily of 1 and 2 March
        assert "printer on fire" in outcome.failed[0].error
        monkeypatch.setattr(documents, "render", real)
        outcome = run_due(now)
        assert [r.period_from for r in outcome.done] == [date(2026, 3, 1), date(2026, 3, 2)]
        assert all(r.attempts == 2 for r in outcome.done)
        assert run_due(now).done == []


def test_occurrences_lie_after_installation_and_at_or_before_now():
    daily = next(job for job in JOBS if job.name == "daily")
    installed = datetime(2026, 3, 1, 7, 0, tzinfo=WIB)  # exactly at a fire time: not due
    now = datetime(2026, 3, 3, 7, 0, tzinfo=WIB)        # exactly at a fire time: due
    assert [o.period_from for o in daily.occurrences(installed, now, WIB)] == [
        date(2026, 3, 2), date(2026, 3, 3)]
    monthly = next(job for job in JOBS if job.name == "monthly")
    found = list(monthly.occurrences(datetime(2026, 1, 15, tzinfo=WIB),
                                     datetime(2026, 3, 1, 1, 0, tzinfo=WIB), WIB))
    assert [(o.period_from, o.period_to) for o in found] == [
        (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))]
    assert next_fire(monthly, datetime(2026, 3, 1, 1, 0, tzinfo=WIB), WIB) == datetime(
        2026, 4, 1, 1, 0, tzinfo=WIB)

