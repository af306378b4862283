"""The forms of the reports page: generate a report now, and filter the archive."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

KIND_LABELS = {"daily": _l("Harian (sensus satu tanggal)"), "monthly": _l("Bulanan"),
               "occupancy": _l("Tingkat hunian"), "length-of-stay": _l("Lama tinggal")}
RUN_KIND_LABELS = {**KIND_LABELS, "overdue-check": _l("Pemeriksaan lama tinggal (malam)")}
STATUS_LABELS = {"running": _l("Sedang dibuat"), "done": _l("Selesai"), "failed": _l("Gagal")}


class GenerateForm(FlaskForm):
    kind = SelectField(_l("Jenis laporan"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
                       validators=[InputRequired(_l("Pilih jenis laporan."))])
    date_from = DateField(_l("Dari tanggal"), validators=[InputRequired(_l("Tanggal awal wajib diisi."))])
    date_to = DateField(_l("Sampai tanggal"), validators=[Optional()],
                        description=_l("Harian: kosongkan. Bulanan: kosongkan (bulan dari tanggal awal)."))
