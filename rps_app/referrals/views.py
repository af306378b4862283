"""Pages of referrals: the institutions directory, letters (download, correction, public
verification) and the letter settings of the administrator."""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from reports.indonesian import long_date

from .. import clock
from ..auth.permissions import Permission, can, public, requires
from ..errors import DomainError
from ..extensions import db
from ..page_cache import cached
from ..web import current_actor, page_number, submit
from . import letter_settings, numbering, services
from .downloads import bast_pdf, pdf_response
from .forms import (KIND_LABELS, LETTER_KIND_LABELS, ConfirmForm, InstitutionForm,
                    LetterSettingsForm, LogoForm, ReissueForm)

bp = Blueprint("referrals", __name__)


def local_date(moment) -> str:
    return long_date(clock.to_local(moment))


@bp.app_template_global()
def letter_kind_label(kind: str) -> str:
    return str(LETTER_KIND_LABELS.get(kind, kind))


# ---------------------------------------------------------------- institutions

def render_institutions(form: InstitutionForm):
    q = (request.args.get("q") or "").strip()
    show_all = request.args.get("all") == "1"
    kind = request.args.get("kind") or ""
    stmt = services.list_institutions(q, include_retired=show_all, kind=kind or None)
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("referrals/institutions.html", page=page, form=form, q=q,
                           show_all=show_all, kind=kind, kind_labels=KIND_LABELS)


@bp.get("/institutions")
@requires(Permission.INSTITUTIONS_READ)
@cached
def institutions():
    return render_institutions(InstitutionForm(formdata=None))


def _institution_action(form: InstitutionForm, institution_id: int | None = None):
    values = (form.name.data, form.kind.data, form.address.data, form.city.data,
              form.phone.data)
    if institution_id is None:
        return lambda: services.add_institution(current_actor(), *values)
    return lambda: services.edit_institution(current_actor(), institution_id, *values)


@bp.post("/institutions")
@requires(Permission.INSTITUTIONS_EDIT)
def institution_add():
    form = InstitutionForm()
    institution, status = submit(form, _institution_action(form))
    if status:
        return render_institutions(form), status
    flash(_("Lembaga %(name)s ditambahkan.", name=institution.name), "success")
    return redirect(url_for(".institutions"), 303)


def render_institution(institution, form: InstitutionForm | None = None):
    form = form or InstitutionForm(formdata=None, obj=institution)
    return render_template("referrals/institution.html", institution=institution, form=form,
                           kind_labels=KIND_LABELS, confirm_form=ConfirmForm(),
                           editable=can(Permission.INSTITUTIONS_EDIT))


@bp.get("/institutions/<int:institution_id>")
@requires(Permission.INSTITUTIONS_READ)
def institution(institution_id: int):
    return render_institution(services.get_institution(institution_id))


@bp.post("/institutions/<int:institution_id>")
@requires(Permission.INSTITUTIONS_EDIT)
def institution_edit(institution_id: int):
    found = services.get_institution(institution_id)
    form = InstitutionForm()
    _done, status = submit(form, _institution_action(form, institution_id))
    if status:
        return render_institution(found, form), status
    flash(_("Data lembaga disimpan."), "success")
    return redirect(url_for(".institution", institution_id=institution_id), 303)


@bp.get("/institutions/<int:institution_id>/retire")
@requires(Permission.INSTITUTIONS_EDIT)
def institution_retire_confirm(institution_id: int):
    """Asks first (also without JavaScript): a retired institution leaves the pick lists."""
    found = services.get_institution(institution_id)
    if not found.active:
        return redirect(url_for(".institution", institution_id=institution_id), 303)
    return render_template("referrals/retire.html", institution=found, form=ConfirmForm())


def _set_active(institution_id: int, active: bool, message: str):
    _done, status = submit(ConfirmForm(), lambda: services.set_institution_active(
        current_actor(), institution_id, active))
    if status:
        abort(400)
    found = services.get_institution(institution_id)
    flash(message % {"name": found.name}, "success")
    return redirect(url_for(".institution", institution_id=institution_id), 303)


@bp.post("/institutions/<int:institution_id>/retire")
@requires(Permission.INSTITUTIONS_EDIT)
def institution_retire(institution_id: int):
    return _set_active(institution_id, False, _("Lembaga %(name)s tidak lagi dipakai."))


@bp.post("/institutions/<int:institution_id>/reactivate")
@requires(Permission.INSTITUTIONS_EDIT)
def institution_reactivate(institution_id: int):
    return _set_active(institution_id, True, _("Lembaga %(name)s dipakai kembali."))


# ---------------------------------------------------------------- letters

@bp.get("/letters/<int:letter_id>.pdf")
@requires(Permission.CLIENTS_READ)
def letter_pdf(letter_id: int):
    return pdf_response(services.letter_pdf(current_actor(), letter_id))


@bp.get("/intakes/<int:intake_id>/bast.pdf")
@requires(Permission.CLIENTS_READ)
def intake_bast_pdf(intake_id: int):
    # The BAST is issued on its first download and kept from then on.
    return bast_pdf(intake_id)


def render_letter(letter, form: ReissueForm | None = None):
    chain = []
    older = letter.replaces
    while older is not None:
        chain.append(older)
        older = older.replaces
    return render_template("referrals/letter.html", letter=letter, chain=chain,
                           form=form or ReissueForm(formdata=None),
                           issued_on=local_date(letter.issued_at),
                           verify_url=services.verify_url(letter.verify_code))


@bp.get("/letters/<int:letter_id>")
@requires(Permission.CLIENTS_READ)
def letter(letter_id: int):
    return render_letter(services.get_letter(letter_id))


@bp.post("/letters/<int:letter_id>/reissue")
@requires(Permission.EXIT)
def letter_reissue(letter_id: int):
    old = services.get_letter(letter_id)
    form = ReissueForm()
    new, status = submit(form, lambda: services.reissue(current_actor(), letter_id,
                                                        form.reason.data))
    if status:
        return render_letter(old, form), status
    flash(_("Surat pengganti nomor %(number)s diterbitkan.", number=new.number), "success")
    return redirect(url_for(".letter", letter_id=new.id), 303)


@bp.get("/verify/<code>")
@public
def verify(code: str):
    """Public check of a printed letter: number, date, issuer and validity, nothing personal."""
    try:
        found = services.find_by_code(code)
    except DomainError:
        return render_template("referrals/verify.html", letter=None), 404
    head = found.content.get("letterhead", {})
    region = (head.get("government") or "").removeprefix("PEMERINTAH ").strip()
    issuer = f"{head.get('unit', '')}, {head.get('office', '')} {region}".strip(", ")
    response = current_app.make_response(render_template(
        "referrals/verify.html", letter=found, issued_on=local_date(found.issued_at),
        issuer=issuer, replaced_by=found.replaced_by))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------- settings

def settings_form() -> LetterSettingsForm:
    return LetterSettingsForm(
        formdata=None, **letter_settings.letterhead_values(), **letter_settings.signatory_values(),
        kode=numbering.kode(), number_pattern=numbering.pattern(),
        tembusan="\n".join(letter_settings.tembusan()))


def render_settings(form: LetterSettingsForm, logo_form: LogoForm | None = None):
    try:
        sample = numbering.validate(form.number_pattern.data, form.kode.data or "")
    except DomainError:
        sample = None
    return render_template("referrals/settings.html", form=form,
                           logo_form=logo_form or LogoForm(formdata=None), sample=sample,
                           has_logo=letter_settings.logo() is not None,
                           confirm_form=ConfirmForm(),
                           last_sequence=numbering.last_sequence(clock.local_today().year),
                           year=clock.local_today().year)


@bp.get("/admin/letters")
@requires(Permission.ADMIN)
def settings():
    return render_settings(settings_form())


@bp.post("/admin/letters")
@requires(Permission.ADMIN)
def settings_save():
    form = LetterSettingsForm()
    _done, status = submit(form, lambda: letter_settings.save(
        current_actor(), {name: form[name].data for name in form.LETTERHEAD},
        {name: form[name].data for name in form.SIGNATORY},
        (form.tembusan.data or "").splitlines(), form.number_pattern.data or "",
        form.kode.data or ""))
    if status:
        return render_settings(form), status
    flash(_("Pengaturan surat disimpan. Surat yang sudah terbit tidak berubah."), "success")
    return redirect(url_for(".settings"), 303)


@bp.post("/admin/letters/logo")
@requires(Permission.ADMIN)
def settings_logo():
    form = LogoForm()
    upload = request.files.get("logo")
    data = upload.read(letter_settings.LOGO_MAX_BYTES + 1) if upload else b""
    _done, status = submit(form, lambda: letter_settings.set_logo(current_actor(), data))
    if status:
        return render_settings(settings_form(), form), status
    flash(_("Logo disimpan."), "success")
    return redirect(url_for(".settings"), 303)


@bp.post("/admin/letters/logo/delete")
@requires(Permission.ADMIN)
def settings_logo_delete():
    _done, status = submit(ConfirmForm(), lambda: letter_settings.set_logo(current_actor(), None))
    if status:
        abort(400)
    flash(_("Logo dihapus."), "success")
    return redirect(url_for(".settings"), 303)


@bp.get("/admin/letters/preview.pdf")
@requires(Permission.ADMIN)
def settings_preview():
    """A referral letter with invented data and the settings as saved: to check the
    letterhead, logo, signatory and number before real letters go out. Not numbered."""
    from dataclasses import replace

    from reports import letters as builders
    from reports.samples import REFERRAL

    sample = replace(REFERRAL, number=numbering.validate(numbering.pattern(), numbering.kode()),
                     date=clock.local_today(), tembusan=tuple(letter_settings.tembusan()),
                     verify_url=services.verify_url("contoh"))
    pdf = builders.build(sample, letter_settings.letterhead(), letter_settings.signatory(),
                         invariant=True)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="contoh-surat.pdf"'
    return response


@bp.get("/admin/letters/logo")
@requires(Permission.ADMIN)
def settings_logo_image():
    data = letter_settings.logo()
    if data is None:
        abort(404)
    mimetype = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return current_app.response_class(data, mimetype=mimetype)
