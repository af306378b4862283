"""The dashboard (/) and the reports page (/reports): generate now, archive, scheduler."""
from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from .. import clock
from ..audit import services as audit
from ..auth.permissions import Permission, can, requires
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..navigation import prepare_sections
from ..reads import Reads
from ..page_cache import cached
from ..web import current_actor, page_number
from . import dashboard as board
from . import services
from .forms import KIND_LABELS, RUN_KIND_LABELS, STATUS_LABELS, GenerateForm
from .models import RUN_KINDS, ReportRun
from .schedule import JOBS, next_fire

bp = Blueprint("reporting", __name__)


@bp.get("/")
@requires(Permission.ACCOUNT)
@cached
def dashboard():
    """The dashboard's own panels and every domain's section read in one statement."""
    reads = Reads()
    own = None
    if can(Permission.CLIENTS_READ) or can(Permission.REPORTS):
        own = board.prepare(reads)
    sections = prepare_sections("dashboard", reads)
    reads.run()
    data = {}
    if own is not None:
        data = own()
        audit.note_shown(current_actor(), "dashboard",
                         [item.client_id for item in data["attention"]])
    return render_template("reporting/dashboard.html", sections=sections()[1], **data)


# ------------------------------------------------------------------ /reports

def _filters() -> dict:
    kind = request.args.get("kind") or None
    month = request.args.get("month") or None
    if kind not in RUN_KINDS:
        kind = None
    if month:
        try:
            services.parse_date(f"{month}-01", "month")
        except ValidationError:
            flash(_("Bulan tidak valid (format YYYY-MM)."), "error")
            month = None
    return {key: value for key, value in (("kind", kind), ("month", month)) if value}


def _scheduler_status() -> dict:
    zone = clock.local_zone()
    now = clock.now()
    last = services.last_runs([job.name for job in JOBS])
    return {"jobs": [{"job": job, "last": last[job.name], "next": next_fire(job, now, zone)}
                     for job in JOBS],
            "failed": services.failed_runs(),
            "heartbeat": services.heartbeat(),
            "latest_check": services.latest_check()}


@bp.get("/reports")
@requires(Permission.REPORTS)
@cached
def reports(form: GenerateForm | None = None):
    filters = _filters()
    page = db.paginate(services.runs_query(**filters), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    today = clock.local_today()
    form = form or GenerateForm(formdata=None, kind="daily", date_from=today)
    watched = request.args.get("run", type=int)
    watched_run = db.session.get(ReportRun, watched) if watched else None
    running = any(run.status == "running" for run in page.items) or (
        watched_run is not None and watched_run.status == "running")
    return render_template("reporting/reports.html", page=page, filters=filters, form=form,
                           kinds=RUN_KIND_LABELS, report_kinds=KIND_LABELS,
                           statuses=STATUS_LABELS, watched=watched_run, refresh=running,
                           status=_scheduler_status(), today=today,
                           month_start=today.replace(day=1))


@bp.post("/reports/generate")
@requires(Permission.REPORTS)
def generate():
    form = GenerateForm()
    if not form.validate():
        return reports(form), 422
    kind = form.kind.data
    start, end = services.check_period(kind, form.date_from.data.isoformat(),
                                       form.date_to.data.isoformat() if form.date_to.data else None)
    actor = current_actor()
    run = services.claim(kind, start, end, actor.username, actor.user_id)
    if run is None:
        existing = db.session.scalar(services.runs_query(kind=kind).where(
            ReportRun.period_from == start, ReportRun.period_to == end))
        flash(_("Laporan untuk periode ini sudah ada di arsip."), "warning")
        return redirect(url_for(".reports", run=existing.id if existing else None), 303)
    services.start_in_background(current_app._get_current_object(), run.id, actor)
    return redirect(url_for(".reports", run=run.id), 303)  # its panel tells the progress


@bp.post("/reports/runs/<int:run_id>/retry")
@requires(Permission.REPORTS)
def retry(run_id: int):
    run = services.get_run(run_id)
    if run.status != "failed":
        raise ValidationError(_("Hanya laporan yang gagal yang dapat diulang."), {})
    actor = current_actor()
    claimed = services.claim(run.kind, run.period_from, run.period_to, actor.username, actor.user_id)
    if claimed is not None:
        services.start_in_background(current_app._get_current_object(), claimed.id, actor)
        flash(_("Laporan dibuat ulang."), "success")
    return redirect(url_for(".reports", run=run_id), 303)


@bp.get("/reports/runs/<int:run_id>.pdf")
@requires(Permission.REPORTS)
def run_pdf(run_id: int):
    run = services.get_run(run_id)
    pdf = services.read_run_file(current_actor(), run)
    return _pdf_response(pdf, f"{run.kind}_{run.period_from}_{run.period_to}.pdf")


def _pdf_response(pdf: bytes, name: str, disposition: str = "inline"):
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@bp.route("/reports/preview.pdf", methods=["GET", "POST"])
@requires(Permission.REPORTS)
def preview():
    """A report built now from current data, without archiving it (a read). The reports
    page's one form posts here ("see now", in a new tab) with the fields it posts to
    generate; a link may ask with ?kind=&from=&to=."""
    values = request.values
    kind = values.get("kind", "")
    try:
        start, end = services.check_period(kind, values.get("from") or values.get("date_from"),
                                           values.get("to") or values.get("date_to") or None)
    except DomainError as error:
        flash(error.message, "error")
        for field, message in error.fields.items():
            flash(f"{field}: {message}", "error")
        return redirect(url_for(".reports"), 303)
    pdf = services.build_pdf(kind, start, end, current_actor())
    return _pdf_response(pdf, f"{kind}_{start.isoformat()}_{end.isoformat()}.pdf")


@bp.app_template_global("url_if_exists")
def url_if_exists(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None while the page does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)
