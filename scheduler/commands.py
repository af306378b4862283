"""`rps scheduler`: the one process that runs timed jobs (never the web app).

`rps scheduler --once [--now ISO-TIMESTAMP]` runs every due occurrence and exits;
`rps scheduler` catches up the same way, then keeps an APScheduler BlockingScheduler that
fires each job at its time in RPS_TIMEZONE and catches up again at every firing.
"""
from datetime import datetime

import click
from flask import current_app

from rps_app import clock
from rps_app.commandline import fail, rps

MISFIRE_GRACE_SECONDS = 3600
HEARTBEAT_MINUTES = 5


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now tidak valid: {value!r} (contoh: 2026-11-06T07:30:00+07:00).")
    if moment.tzinfo is None:  # a bare time is local time
        moment = moment.replace(tzinfo=clock.local_zone())
    return moment


def _report(outcome) -> None:
    for run in outcome.done:
        if "report_run_id" in (run.summary or {}):  # a report (or check) archived
            click.echo(f"selesai  {run.kind} {run.period_from}..{run.period_to}")
        else:  # another domain's job: what it reported
            facts = ", ".join(f"{key}={value}" for key, value in (run.summary or {}).items())
            click.echo(f"tugas    {run.kind} {run.period_from}..{run.period_to}"
                       + (f": {facts}" if facts else ""))
    for run in outcome.failed:
        click.echo(f"GAGAL    {run.kind} {run.period_from}..{run.period_to}: {run.error}", err=True)
    click.echo(f"{len(outcome.done)} selesai, {len(outcome.failed)} gagal, "
               f"{outcome.skipped} sudah ada atau dikerjakan proses lain.")


@rps.command("scheduler")
@click.option("--once", is_flag=True, help="Run every due occurrence, then exit.")
@click.option("--now", "now_text", metavar="ISO-TIMESTAMP",
              help="Take this moment as 'now' (with --once).")
def scheduler_command(once: bool, now_text: str | None):
    """Run the scheduled jobs: daily report 07:00, monthly report on the 1st at 01:00, the
    nightly check of stays past the limit, and the jobs other domains register."""
    from .runner import installed_at, run_due

    now = _parse_now(now_text)
    if now_text and not once:
        fail("--now hanya dapat dipakai bersama --once.")
    if installed_at() is None:
        fail("Instalasi belum diinisialisasi: jalankan `rps init` terlebih dahulu.")
    if now is not None:
        clock.freeze(now)
    try:
        outcome = run_due(now)
    finally:
        clock.freeze(None)
    _report(outcome)
    if once:
        if outcome.failed:
            raise SystemExit(1)
        return
    serve(current_app._get_current_object())


def serve(app) -> None:
    """The long-running scheduler (blocks until interrupted)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from .runner import beat, registered_jobs, run_due

    zone = app.config["RPS_TIMEZONE"]
    scheduler = BlockingScheduler(timezone=zone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})

    def fire(job):
        def run():
            with app.app_context():
                # Its own occurrence and any missed one of this job (idempotent; a
                # failure is logged and recorded on its run).
                run_due(jobs=(job,))
        return run

    def heartbeat():
        with app.app_context():
            beat()

    for job in registered_jobs():
        trigger = CronTrigger(hour=job.hour, minute=job.minute,
                              day=job.day if job.day is not None else "*", timezone=zone)
        scheduler.add_job(fire(job), trigger, id=job.name, name=job.name)
    scheduler.add_job(heartbeat, IntervalTrigger(minutes=HEARTBEAT_MINUTES, timezone=zone),
                      id="heartbeat", next_run_time=clock.now())
    click.echo(f"Penjadwal berjalan ({zone}). Hentikan dengan Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
