"""Pages of referrals asked and answered: the panel on the stay page (ask, record the
answer), the /referrals list (waiting ones oldest first), the dashboard panel and the
referral report (page and PDF). No rules here: forms become the API's dicts."""
from datetime import date
from functools import cache
from types import SimpleNamespace

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, select

from .. import batch, clock
from ..audit.services import note_shown
from ..auth.permissions import Permission, can, requires
from ..errors import DomainError
from ..settings.models import Setting
from ..stays.models import INSTITUTION_EXIT_TYPES
from ..page_cache import cached
from ..web import current_actor, flash_refusal, page_number
from . import letter_settings, workflow
from .forms import KIND_LABELS, REFUSAL_LABELS, STATUS_LABELS, AskForm, ResponseForm
from .models import Institution, Letter, Referral
from .views import bp

PER_PAGE = 50


@cache
def stay_reads() -> dict:
    """The stay page's reads (batch parts, parameter `stay_id`): the stay's referrals with
    their institution and letter, newest first; the institutions a referral may go to, by
    name; the stored signatory (the ask form warns when it would sign as nobody)."""
    referrals = (select(*Referral.__table__.c, Institution.name.label("institution_name"),
                        Letter.number.label("letter_number"))
                 .join(Institution, Institution.id == Referral.institution_id)
                 .outerjoin(Letter, Letter.id == Referral.letter_id)
                 .where(Referral.stay_id == bindparam("stay_id", type_=Integer)))
    institutions = select(Institution.id, Institution.name, Institution.kind,
                          Institution.city).where(Institution.active.is_(True),
                                                  Institution.kind.in_(INSTITUTION_EXIT_TYPES))
    return {"referrals": batch.Part(referrals, (Referral.sent_at.desc(), Referral.id.desc())),
            "institutions": batch.Part(institutions, (func.lower(Institution.name),
                                                      Institution.id)),
            "signatory": batch.Part(select(Setting.value).where(
                Setting.key == letter_settings.SIGNATORY_KEY))}


def stay_section(stay, rows) -> dict:
    """The referrals panel of the stay page (rows: stay_reads)."""
    form = AskForm(formdata=None)
    form.institution_id.choices = [("", "—"), *(
        (str(i.id), f"{i.name} ({KIND_LABELS[i.kind]}, {i.city})")
        for i in rows["institutions"])]
    referrals = [workflow.Row(SimpleNamespace(**row._asdict(),
                                              letter=SimpleNamespace(number=row.letter_number)),
                              stay.client_id, stay.client.name, stay.client.registration_number,
                              row.institution_name, stay.exited_at is None)
                 for row in rows["referrals"]]
    stored = next((row.value for row in rows["signatory"]), None) or {}  # {}: read, unset
    return {"rows": referrals, "stay": stay, "ask_form": form,
            "response_form": ResponseForm(formdata=None,
                                          responded_at=clock.local_today().isoformat()),
            "today": clock.local_today(), "status_labels": STATUS_LABELS,
            "refusal_labels": REFUSAL_LABELS, "can_write": can(Permission.REFERRALS),
            # the ask form issues a signed letter: warn first when it would sign as nobody
            "signatory_missing": letter_settings.missing_signatory_fields(stored)}


def dashboard_section(reads):
    """A batched section: read with the rest of the dashboard."""
    found, total = workflow.waiting(reads)

    def build() -> dict | None:
        rows = found.value
        if not rows:
            return None
        note_shown(current_actor(), "referrals_waiting", [row.client_id for row in rows])
        return {"rows": rows, "total": total.value, "today": clock.local_today()}
    return build


def _back(stay_id: int):
    return redirect(url_for("stays.show", stay_id=stay_id) + "#referrals", 303)


@bp.post("/stays/<int:stay_id>/referrals")
@requires(Permission.REFERRALS)
def ask(stay_id: int):
    form = AskForm()
    form.validate_on_submit()
    value = form.institution_id.data or ""
    data = {"institution_id": int(value) if value.isdigit() else (value or None),
            "reason": form.reason.data}
    try:
        referral = workflow.ask(current_actor(), stay_id, data)
    except DomainError as error:
        flash_refusal(error, form)
        return _back(stay_id)
    flash(_("Rujukan dikirim; surat permohonan nomor %(number)s diterbitkan.",
            number=referral.letter.number), "success")
    return _back(stay_id)


@bp.post("/referrals/<int:referral_id>/response")
@requires(Permission.REFERRALS)
def respond(referral_id: int):
    referral = workflow.get_referral(referral_id)
    form = ResponseForm()
    form.validate_on_submit()
    data = {"outcome": form.outcome.data or None, "reason": form.reason.data or None,
            "note": form.note.data}
    when = (form.responded_at.data or "").strip()
    if when:
        # A date from the form means that day; today's answer is recorded as now.
        data["responded_at"] = (None if when == clock.local_today().isoformat()
                                else f"{when}T12:00:00" if len(when) == 10 else when)
    if data["outcome"] == "accepted":
        data["reason"] = None
    try:
        workflow.respond(current_actor(), referral_id, data)
    except DomainError as error:
        flash_refusal(error, form)
    else:
        flash(_("Jawaban rujukan dicatat."), "success")
    target = request.form.get("next")
    if target == "list":
        return redirect(url_for("referrals.referral_list"), 303)
    return _back(referral.stay_id)


@bp.get("/referrals")
@requires(Permission.REFERRALS)
@cached
def referral_list():
    status = request.args.get("status") or "sent"
    if status != "all":
        status = workflow.check_status(status)
    page = max(page_number(), 1)
    rows = workflow.rows(None if status == "all" else status, oldest_first=status == "sent",
                         limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    note_shown(current_actor(), "referrals", [row.client_id for row in rows[:PER_PAGE]])
    return render_template("referrals/list.html", rows=rows[:PER_PAGE], status=status,
                           page=page, has_next=len(rows) > PER_PAGE,
                           today=clock.local_today(), status_labels=STATUS_LABELS,
                           refusal_labels=REFUSAL_LABELS,
                           response_form=ResponseForm(
                               formdata=None, responded_at=clock.local_today().isoformat()))


def _period() -> tuple[date, date]:
    today = clock.local_today()
    args = {"from": request.args.get("from") or today.replace(day=1).isoformat(),
            "to": request.args.get("to") or today.isoformat()}
    return workflow.check_period(args)


@bp.get("/reports/referrals")
@requires(Permission.REPORTS)
def referral_report():
    try:
        start, end = _period()
    except DomainError as error:
        flash(error.message, "error")
        start = end = None
    report = workflow.report(start, end) if start else None
    return render_template("referrals/report.html", report=report, start=start, end=end,
                           refusal_labels=REFUSAL_LABELS), 200 if start else 422


@bp.get("/reports/referrals.pdf")
@requires(Permission.REPORTS)
def referral_report_pdf():
    start, end = _period()
    name = f"rujukan_{start.isoformat()}_{end.isoformat()}.pdf"
    return Response(workflow.report_pdf(start, end), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})

