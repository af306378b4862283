"""Forms of bookings, visits and maintenance. Shapes only: the services check every value
and name the field; select fields therefore do not check their own choices."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, SelectMultipleField, StringField,
                     TextAreaField)

from ..clients.forms import SelectField
from ..web import lazy_gettext as _l

DEFAULT_SESSION_PURPOSE = _l("Sesi konseling psikososial")


class BookingForm(FlaskForm):
    room_id = SelectField(_l("Ruang"), choices=[], validate_choice=False)
    starts_at = StringField(_l("Mulai"))
    ends_at = StringField(_l("Selesai"))
    purpose = StringField(_l("Keperluan"))
    staff_id = SelectField(_l("Konselor / petugas"), choices=[], validate_choice=False)
    stay_ids = SelectMultipleField(_l("Klien"), choices=[], validate_choice=False)
    next = HiddenField()


class CancelForm(FlaskForm):
    reason = StringField(_l("Alasan pembatalan (opsional)"))


class SessionNoteForm(FlaskForm):
    body = TextAreaField(_l("Catatan sesi"))


class VisitForm(FlaskForm):
    stay_id = SelectField(_l("Klien yang dikunjungi"), choices=[], validate_choice=False)
    visitor_name = StringField(_l("Nama pengunjung"))
    relation = StringField(_l("Hubungan dengan klien"))
    id_number = StringField(_l("Nomor identitas (KTP/SIM, opsional)"))
    phone = StringField(_l("Telepon (opsional)"))
    arrived_at = StringField(_l("Waktu datang"))


class MaintenanceForm(FlaskForm):
    # "r<room id>" for a room, "b<bed id>" for one of its beds (the view splits it).
    place = SelectField(_l("Ruang / tempat tidur"), choices=[], validate_choice=False)
    description = TextAreaField(_l("Uraian kerusakan"))
    bed_out_of_service = BooleanField(_l("Tempat tidur tidak dapat dipakai sampai selesai"))


class DoneForm(FlaskForm):
    note = StringField(_l("Keterangan (opsional)"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: actions that need nothing but a yes."""
