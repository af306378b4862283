"""Forms of the institutions directory, letter corrections and letter settings.

Shapes only: the rules (required fields, kinds, NIP, number pattern, logo) live in the
services, which name the field in Indonesian; select fields do not check their own choices.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..web import translated
from . import vocabulary
from .models import INSTITUTION_KINDS

KIND_LABELS = translated(vocabulary.INSTITUTION_KIND_LABELS)
LETTER_KIND_LABELS = translated(vocabulary.LETTER_KIND_LABELS)


class InstitutionForm(FlaskForm):
    name = StringField(_l("Nama lembaga"))
    kind = SelectField(_l("Jenis"), choices=[SelectChoice(k, KIND_LABELS[k])
                                             for k in INSTITUTION_KINDS], validate_choice=False)
    address = StringField(_l("Alamat"))
    city = StringField(_l("Kota/Kabupaten"))
    phone = StringField(_l("Telepon (boleh kosong)"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for actions that need nothing but a yes."""


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("Alasan koreksi"))


class LetterSettingsForm(FlaskForm):
    government = StringField(_l("Pemerintah daerah"))
    office = StringField(_l("Dinas"))
    unit = StringField(_l("Unit"))
    address = TextAreaField(_l("Alamat (satu baris atau lebih)"))
    phone = StringField(_l("Telepon"))
    email = StringField(_l("Pos-el"))
    postal_code = StringField(_l("Kode pos"))
    place = StringField(_l("Tempat penandatanganan surat"))
    title = StringField(_l("Jabatan penanda tangan"))
    name = StringField(_l("Nama penanda tangan"))
    rank = StringField(_l("Pangkat dan golongan"))
    nip = StringField(_l("NIP (18 digit)"))
    kode = StringField(_l("Kode klasifikasi"))
    number_pattern = StringField(_l("Pola nomor surat"))
    tembusan = TextAreaField(_l("Tembusan (satu per baris)"))

    LETTERHEAD = ("government", "office", "unit", "address", "phone", "email", "postal_code",
                  "place")
    SIGNATORY = ("title", "name", "rank", "nip")


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG atau JPEG, paling besar 512 KB)"))


# ---------------------------------------------------------------- referrals asked and answered

STATUS_LABELS = translated(vocabulary.REFERRAL_STATUS_LABELS)
REFUSAL_LABELS = translated(vocabulary.REFUSAL_REASON_LABELS)


class AskForm(FlaskForm):
    """POST /stays/<id>/referrals from the stay page."""
    institution_id = SelectField(_l("Lembaga tujuan"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Alasan rujukan"))


class ResponseForm(FlaskForm):
    """The institution's answer, recorded by staff."""
    outcome = SelectField(_l("Jawaban"), validate_choice=False, choices=[
        SelectChoice("", "—"), SelectChoice("accepted", _l("Diterima")),
        SelectChoice("refused", _l("Ditolak"))])
    reason = SelectField(_l("Alasan penolakan"), validate_choice=False,
                         choices=[SelectChoice("", "—")] + [SelectChoice(k, v)
                                                            for k, v in REFUSAL_LABELS.items()])
    responded_at = StringField(_l("Tanggal jawaban"))
    note = TextAreaField(_l("Catatan"))
