"""Forms of the stock pages. Shapes only: the services check every value and name the
field; the field names are those of the JSON API, so their messages land on the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.widgets import Select

from ..clients.forms import choices
from ..web import translated
from .vocabulary import CATEGORY_LABELS, SOURCE_LABELS

CATEGORIES = translated(CATEGORY_LABELS)
SOURCES = translated(SOURCE_LABELS)


class OptionList(Select):
    """WTForms' select, its plain options written directly: the same markup (html_params
    puts `selected` before `value`) without building and sorting attributes per option,
    which the stock page's lists of items and residents paid option by option."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        return Markup(f'<option{selected} value="{escape(choice.value)}">'
                      f"{escape(choice.label or choice.value)}</option>")


class ItemForm(FlaskForm):
    code = StringField(_l("Kode barang"))
    name = StringField(_l("Nama barang"))
    unit = StringField(_l("Satuan"))
    category = SelectField(_l("Kategori"), choices=choices(CATEGORIES, "—"),
                           validate_choice=False, widget=OptionList())
    min_level = StringField(_l("Stok minimum"), default="0")
    per_head_per_day = StringField(_l("Pemakaian per orang per hari (pangan, boleh kosong)"))


class MovementForm(FlaskForm):
    """Receipt, issue and disposal share one form; `kind` says which."""
    kind = HiddenField()
    item_id = SelectField(_l("Barang"), choices=[], validate_choice=False, widget=OptionList())
    quantity = StringField(_l("Jumlah"))
    lot = StringField(_l("Lot"))
    expiry_date = StringField(_l("Kedaluwarsa (TTTT-BB-HH)"))
    source = SelectField(_l("Sumber"), choices=choices(SOURCES, "—"), validate_choice=False,
                         widget=OptionList())
    document_number = StringField(_l("Nomor dokumen"))
    stay_id = SelectField(_l("Untuk klien (layanan SPM, boleh kosong)"), choices=[],
                          validate_choice=False, widget=OptionList())
    at = StringField(_l("Waktu (kosong: sekarang)"))
    note = StringField(_l("Keterangan"))

    FIELDS = {"receipt": ("item_id", "quantity", "lot", "expiry_date", "source",
                          "document_number", "at", "note"),
              "issue": ("item_id", "quantity", "lot", "stay_id", "at", "note"),
              "disposal": ("item_id", "quantity", "lot", "at", "note")}

    def body(self) -> dict:
        """The JSON body of POST /stock/movements for this form's kind."""
        kind = self.kind.data
        body = {"kind": kind}
        for name in self.FIELDS.get(kind, ()):
            value = (getattr(self, name).data or "").strip()
            if value:
                body[name] = value
        return body


class ReverseForm(FlaskForm):
    note = StringField(_l("Alasan pembatalan"))


class CountForm(FlaskForm):
    """The counted quantities arrive as fields `counted-<item id>-<lot id or 0>`."""
    at = StringField(_l("Waktu penghitungan (kosong: sekarang)"))
    counters = TextAreaField(_l("Petugas penghitung (satu nama per baris)"))
    note = TextAreaField(_l("Catatan"))
