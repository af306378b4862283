"""Forms of the client pages: identity changes and the photo. Rules: clients.services."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import BooleanField, Form, StringField, TextAreaField, widgets
from wtforms import SelectField as WTFormsSelectField
from wtforms.fields.choices import SelectChoice  # tuples are deprecated in WTForms 3.3

from reports.pmks import PMKS_CATEGORIES

from ..web import lazy_gettext as _l
from ..web import translated
from . import vocabulary

SEX_LABELS = translated(vocabulary.SEX_LABELS)
PMKS_LABELS = {str(code): f"{code}. {name}" for code, name in PMKS_CATEGORIES.items()}


class Select(widgets.Select):
    """WTForms' <select>, a plain option (no render_kw) written in one step: the same HTML
    (`<option selected value="...">label</option>`, attributes sorted and escaped as
    html_params does) without html_params and Markup.format for each option, which were
    most of the time of a page with a select of every bed or every client in residence."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">'
                      f'{escape(choice.label or choice.value)}</option>')


class SelectField(WTFormsSelectField):
    """WTForms' SelectField with the Select above."""
    widget = Select()


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select choices from (value, label) pairs or a dict, with an optional blank first."""
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in items]


class IdentityFields(Form):
    """Who the client is: the fields an intake row and the identity form share."""
    name = StringField(_l("Nama / nama panggilan"))
    nik = StringField(_l("NIK"))
    sex = SelectField(_l("Jenis kelamin"), choices=choices(SEX_LABELS, "—"),
                      validate_choice=False)
    birth_date = StringField(_l("Tanggal lahir"))
    estimated_age = StringField(_l("atau perkiraan umur (tahun)"))
    birth_place = StringField(_l("Tempat lahir"))
    origin_regency = StringField(_l("Daerah asal (kecamatan / kabupaten)"))
    origin_address = StringField(_l("Alamat asal"))
    pmks_category = SelectField(_l("Kategori PMKS"), choices=choices(PMKS_LABELS, "—"),
                                validate_choice=False)
    description = TextAreaField(_l("Ciri fisik"))


class IdentityForm(FlaskForm, IdentityFields):
    identity_known = BooleanField(_l("Identitas sudah diketahui"))
    guardian = StringField(_l("Wali (untuk anak / penyandang disabilitas)"))


IDENTITY_TEXT = ("name", "nik", "sex", "birth_date", "estimated_age", "birth_place",
                 "origin_regency", "origin_address", "pmks_category", "description", "guardian")


def identity_changes(form: IdentityForm) -> dict:
    """Every field of the form as the service takes it (unchanged ones are not logged)."""
    changes = {name: (form[name].data or "").strip() or None for name in IDENTITY_TEXT}
    changes["identity_known"] = bool(form.identity_known.data)
    return changes


def identity_form_for(client) -> IdentityForm:
    data = {name: getattr(client, name) or "" for name in IDENTITY_TEXT}
    data.update(identity_known=client.identity_known, pmks_category=str(client.pmks_category),
                birth_date=client.birth_date.isoformat() if client.birth_date else "",
                estimated_age="" if client.estimated_age is None else str(client.estimated_age))
    return IdentityForm(formdata=None, data=data)


class PhotoForm(FlaskForm):
    photo = FileField(_l("Foto baru (JPEG/PNG)"))


