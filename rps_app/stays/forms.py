"""Forms of the client-flow pages, and their conversion to the dicts the services take.

Shapes only: every rule lives in stays.services / stays.notes, which answer with field
keys (`clients.<i>.<field>` for intake rows). Select fields therefore do not check their
own choices, and the conversion functions build exactly the bodies of contract.md.
"""
import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, FormField, HiddenField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


from .. import clock
from ..fields import parse_id
from ..clients.forms import PMKS_LABELS, SEX_LABELS, IdentityFields, SelectField, choices
from ..clients.nik import decode as decode_nik
from ..web import lazy_gettext as _l
from ..web import translated
from . import vocabulary
from .models import NOTE_KINDS, SCREENING_FLAGS, SPM_COMPONENTS

AGENCY_LABELS = translated(vocabulary.AGENCY_LABELS)
SCREENING_LABELS = translated(vocabulary.SCREENING_LABELS)
# The screening flags that call for isolation (domain.md); the form pre-ticks it, the
# officer decides.
ISOLATION_FLAGS = ("psychotic", "intoxicated", "aggressive", "contagious")
EXIT_LABELS = translated(vocabulary.EXIT_LABELS)
NOTE_LABELS = translated(vocabulary.NOTE_LABELS)
# The 18 kecamatan of Kabupaten Tegal and the neighbours clients often come from.
REGENCY_SUGGESTIONS = (
    "Adiwerna", "Balapulang", "Bojong", "Bumijawa", "Dukuhturi", "Dukuhwaru", "Jatinegara",
    "Kedungbanteng", "Kramat", "Lebaksiu", "Margasari", "Pagerbarang", "Pangkah", "Slawi",
    "Suradadi", "Talang", "Tarub", "Warureja",
    "Kota Tegal", "Kabupaten Brebes", "Kabupaten Pemalang", "Kabupaten Banyumas",
    "Kabupaten Cirebon",
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- intake ---------------------------------------------------------------------------

class ClientRowForm(IdentityFields):
    """One client of an intake. `client_id` set: a returning client (a new stay)."""
    client_id = HiddenField()
    returning_label = HiddenField()  # shown again when the form comes back with errors
    identity_unknown = BooleanField(_l("Identitas tidak diketahui"))
    sick_injured = BooleanField(SCREENING_LABELS["sick_injured"])
    psychotic = BooleanField(SCREENING_LABELS["psychotic"])
    intoxicated = BooleanField(SCREENING_LABELS["intoxicated"])
    aggressive = BooleanField(SCREENING_LABELS["aggressive"])
    contagious = BooleanField(SCREENING_LABELS["contagious"])
    needs_isolation = BooleanField(_l("Perlu ruang isolasi"))
    belongings = TextAreaField(_l("Barang bawaan (satu per baris: uraian x jumlah)"))
    photo = FileField(_l("Foto (JPEG/PNG, opsional)"))
    # A photo attached to a refused submit, kept server-side (clients.pending) until the
    # intake is saved, so that the officer need not choose the file again.
    photo_token = HiddenField()

    # Fields folded under "Data lain" (the row stays short; errors unfold it).
    MORE = ("birth_place", "origin_regency", "origin_address", "description", "photo",
            "belongings")

    def has_more_errors(self) -> bool:
        return any(self[name].errors for name in self.MORE)

    def has_errors(self) -> bool:
        return any(field.errors for field in self)


class IntakeForm(FlaskForm):
    agency = SelectField(_l("Instansi pengirim"), choices=choices(AGENCY_LABELS, "—"),
                         validate_choice=False)
    officer_name = StringField(_l("Nama petugas pengirim"))
    officer_id_number = StringField(_l("NRP / NIP"))
    bast_number = StringField(_l("Nomor BAST"))
    operation_place = StringField(_l("Tempat penertiban"))
    operation_at = StringField(_l("Waktu penertiban"))
    received_at = StringField(_l("Waktu diterima"))
    notes = TextAreaField(_l("Catatan"))
    # Batch defaults: what a new row takes (and an empty row is saved with).
    default_sex = SelectField(_l("Jenis kelamin"), choices=choices(SEX_LABELS, "—"),
                              validate_choice=False)
    default_pmks_category = SelectField(_l("Kategori PMKS"), validate_choice=False,
                                        choices=choices(PMKS_LABELS, "—"))
    place_all = BooleanField(_l("Tempatkan semua saat menyimpan"), default=True)
    clients = FieldList(FormField(ClientRowForm), min_entries=1)


BELONGING_RE = re.compile(r"^(?P<description>.*?)\s*[xX×]\s*(?P<quantity>[0-9]{1,9})$")


def parse_belongings(text: str | None) -> list[dict]:
    """Free lines "uraian x jumlah" (no "x n": one piece) -> [{description, quantity}]."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = BELONGING_RE.match(line)
        if match and match["description"]:
            items.append({"description": match["description"], "quantity": int(match["quantity"])})
        else:
            items.append({"description": line, "quantity": 1})
    return items


def _stay_part(row: ClientRowForm) -> dict:
    return {"needs_isolation": bool(row.needs_isolation.data),
            "screening": {flag: bool(row[flag].data) for flag in SCREENING_FLAGS},
            "belongings": parse_belongings(row.belongings.data)}


def client_row_data(row: ClientRowForm, defaults: dict | None = None) -> dict:
    """A client row of contract.md from one row of the form. An empty sex or PMKS category
    takes the batch default; an empty sex or birth date (with no estimated age) takes what
    a well-formed NIK says (the page's script fills them as the NIK is typed; this is the
    same for a browser without it)."""
    if (row.client_id.data or "").strip():
        client_id = row.client_id.data.strip()
        return {"client_id": parse_id(client_id) or client_id,
                **_stay_part(row)}
    defaults = defaults or {}
    data = {"name": row.name.data, "identity_known": not row.identity_unknown.data,
            "nik": (row.nik.data or "").strip() or None,
            "sex": row.sex.data or defaults.get("sex") or None,
            "pmks_category": row.pmks_category.data or defaults.get("pmks_category") or None}
    for name in ("birth_date", "estimated_age", "birth_place", "origin_regency",
                 "origin_address", "description"):
        data[name] = (row[name].data or "").strip() or None
    decoded = decode_nik(data["nik"], clock.local_today()) if data["nik"] else None
    if decoded:
        if not row.sex.data:
            data["sex"] = decoded["sex"]
        if not data["birth_date"] and not data["estimated_age"] and decoded["birth_date"]:
            data["birth_date"] = decoded["birth_date"].isoformat()
    return {**data, **_stay_part(row)}


def intake_data(form: IntakeForm) -> dict:
    """The body of POST /intakes from the form."""
    data = {name: (form[name].data or "").strip() or None
            for name in ("agency", "officer_name", "officer_id_number", "bast_number",
                         "operation_place", "operation_at", "received_at", "notes")}
    defaults = {"sex": form.default_sex.data, "pmks_category": form.default_pmks_category.data}
    data["clients"] = [client_row_data(entry.form, defaults) for entry in form.clients.entries]
    return data


def row_photos(form: IntakeForm) -> list:
    """The uploaded photo of each row (None where none was chosen)."""
    return [entry.form.photo.data if getattr(entry.form.photo.data, "filename", "") else None
            for entry in form.clients.entries]


def local_input(moment) -> str:
    """A datetime for <input type=datetime-local> in RPS_TIMEZONE."""
    return clock.to_local(moment).strftime("%Y-%m-%dT%H:%M")


# --- placement, isolation, extension, exit --------------------------------------------

class PlacementForm(FlaskForm):
    bed_id = SelectField(_l("Tempat tidur"), choices=[], validate_choice=False)


class PlaceAllForm(FlaskForm):
    """Place the unplaced stays (of one intake, or the whole queue) automatically."""


class IsolationForm(FlaskForm):
    needs_isolation = SelectField(_l("Keputusan"), validate_choice=False,
                                  choices=choices([("1", _l("Perlu isolasi")),
                                                   ("0", _l("Tidak perlu isolasi"))]))
    reason = TextAreaField(_l("Alasan"))

    @classmethod
    def fresh(cls, needs_isolation: bool) -> "IsolationForm":
        """Preselect the opposite of the stay's decision: the one worth recording is a change."""
        return cls(formdata=None, needs_isolation="0" if needs_isolation else "1")

    def mark_current(self, needs_isolation: bool) -> "IsolationForm":
        """Name the stay's current decision in its option."""
        current = "1" if needs_isolation else "0"
        self.needs_isolation.choices = [
            SelectChoice(c.value, _("%(label)s (saat ini)", label=c.label) if c.value == current
                         else c.label) for c in self.needs_isolation.choices]
        return self


class ExtensionForm(FlaskForm):
    max_stay_days = StringField(_l("Batas tinggal baru (hari)"))
    reason = TextAreaField(_l("Alasan perpanjangan"))


class ExitForm(FlaskForm):
    exit_type = SelectField(_l("Jenis terminasi"), choices=choices(EXIT_LABELS, "—"),
                            validate_choice=False)
    exited_at = StringField(_l("Waktu keluar"))
    institution_id = SelectField(_l("Lembaga tujuan"), choices=[], validate_choice=False)
    # An accepted referral of this stay to the chosen institution (offered by exit.js).
    referral_id = SelectField(_l("Rujukan yang diterima"), choices=[], validate_choice=False)
    family_name = StringField(_l("Nama keluarga penjemput / penerima"))
    family_relation = StringField(_l("Hubungan dengan klien"))
    family_address = StringField(_l("Alamat keluarga"))
    family_phone = StringField(_l("Telepon keluarga"))
    escort_name = StringField(_l("Petugas pengantar"))
    notes = TextAreaField(_l("Catatan"))
    returned = MultiCheckboxField(_l("Barang bawaan dikembalikan"), choices=[],
                                  validate_choice=False)


def exit_data(form: ExitForm) -> dict:
    """The body of POST /stays/<id>/exit from the form (plus escort and belongings)."""
    data = {"exit_type": form.exit_type.data or None,
            "exited_at": (form.exited_at.data or "").strip() or None,
            "notes": (form.notes.data or "").strip() or None,
            "escort_name": (form.escort_name.data or "").strip() or None,
            "returned_belonging_ids": [number for number in map(parse_id, form.returned.data or [])
                                       if number is not None]}
    if form.institution_id.data:
        value = form.institution_id.data
        data["institution_id"] = parse_id(value) or value
    if form.referral_id.data:
        value = form.referral_id.data
        data["referral_id"] = parse_id(value) or value
    family = {key: (form[f"family_{key}"].data or "").strip() or None
              for key in ("name", "relation", "address", "phone")}
    if any(family.values()):
        data["family_contact"] = family
    return data


# --- notes and services ---------------------------------------------------------------

class NoteForm(FlaskForm):
    kind = SelectField(_l("Jenis catatan"), validate_choice=False,
                       choices=choices((kind, NOTE_LABELS[kind]) for kind in NOTE_KINDS))
    body = TextAreaField(_l("Isi catatan"))
    corrects_id = HiddenField()


class ServiceForm(FlaskForm):
    component = SelectField(_l("Komponen SPM"), validate_choice=False,
                            choices=choices((str(n), f"{n}. {name}")
                                            for n, name in SPM_COMPONENTS.items()))
    given_on = StringField(_l("Tanggal"))
    staff_id = SelectField(_l("Petugas"), choices=[], validate_choice=False)
    note = StringField(_l("Keterangan"))
