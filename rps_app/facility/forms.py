"""Forms of the rooms and beds admin.

Shapes only: every rule (lengths, choices, numbers) lives in facility.services, which names
the field in Indonesian; select fields therefore do not check their own choices.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice  # tuples are deprecated in WTForms 3.3


from ..web import translated
from .vocabulary import ROOM_KIND_LABELS
from .models import ROOM_KINDS, ROOM_TAGS

KIND_LABELS = translated(ROOM_KIND_LABELS)
SEX_LABELS = {"L": _l("Laki-laki (Putra)"), "P": _l("Perempuan (Putri)")}
TAG_LABELS = {"anak": _l("Anak"), "lansia": _l("Lansia")}

TAG_CHOICES = [SelectChoice("", _l("Tanpa tanda"))] + [SelectChoice(tag, TAG_LABELS[tag])
                                                        for tag in ROOM_TAGS]
KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in ROOM_KINDS]
SEX_CHOICES = [SelectChoice("", "—")] + [SelectChoice(sex, label) for sex, label in SEX_LABELS.items()]


class RoomRenameForm(FlaskForm):
    name = StringField(_l("Nama ruang"))
    tag = SelectField(_l("Tanda"), choices=TAG_CHOICES, default="", validate_choice=False)


class RoomAddForm(FlaskForm):
    code = StringField(_l("Kode"))
    name = StringField(_l("Nama ruang"))
    kind = SelectField(_l("Jenis"), choices=KIND_CHOICES,
                       validate_choice=False)
    sex = SelectField(_l("Jenis kelamin (shelter)"),
                      choices=SEX_CHOICES, default="",
                      validate_choice=False)
    tag = SelectField(_l("Tanda"), choices=TAG_CHOICES, default="", validate_choice=False)
    beds = StringField(_l("Jumlah tempat tidur (shelter)"), default="0")


class BedAddForm(FlaskForm):
    label = StringField(_l("Label (kosongkan untuk nomor berikutnya)"))


class OutageForm(FlaskForm):
    reason = StringField(_l("Alasan"))


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for actions that need nothing but a yes."""
