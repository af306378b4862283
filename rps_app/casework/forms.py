"""Forms of case work (shapes only: the services check and name the fields)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class AssessmentForm(FlaskForm):
    situation = TextAreaField(_l("Situasi dan kondisi klien"))
    health = TextAreaField(_l("Kesehatan"))
    family_origin = TextAreaField(_l("Keluarga dan daerah asal"))
    needs = TextAreaField(_l("Kebutuhan"))
    plan = TextAreaField(_l("Rencana penanganan"))


class ConferenceForm(FlaskForm):
    held_on = StringField(_l("Tanggal konferensi"))
    participants = TextAreaField(_l("Peserta"))
    decision = TextAreaField(_l("Keputusan"))


class NikNoteForm(FlaskForm):
    note = StringField(_l("Alasan NIK belum ada"))


class MergeForm(FlaskForm):
    into = HiddenField()
