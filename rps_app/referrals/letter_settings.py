"""What every letter prints from the settings: letterhead, signatory, tembusan, logo.

Kept as JSON under `letters.*` keys (rps_app.settings). The administrator changes them on
/admin/letters; a letter already issued keeps what it printed (its PDF and content snapshot).
"""
import base64
import re
from dataclasses import asdict

from reports.base import Letterhead, Signatory

from ..audit.services import Actor, record
from ..errors import ValidationError
from ..settings import services as settings
from . import numbering

LETTERHEAD_KEY = "letters.letterhead"
SIGNATORY_KEY = "letters.signatory"
TEMBUSAN_KEY = "letters.tembusan"
LOGO_KEY = "letters.logo"  # base64 of the PNG or JPEG
LOGO_MAX_BYTES = 512 * 1024
NIP_RE = re.compile(r"^\d{18}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTAL_RE = re.compile(r"^\d{5}$")

DEFAULT_LETTERHEAD = {
    "government": "PEMERINTAH KABUPATEN TEGAL", "office": "DINAS SOSIAL",
    "unit": "UPTD RUMAH PERLINDUNGAN SOSIAL",
    "address": "Slawi, Kabupaten Tegal, Jawa Tengah", "phone": "", "email": "",
    "postal_code": "52411", "place": "Slawi",
}
DEFAULT_SIGNATORY = {"title": "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL", "name": "",
                     "rank": "", "nip": ""}
DEFAULT_TEMBUSAN = ["Kepala Dinas Sosial Kabupaten Tegal", "Arsip"]


def letterhead_values() -> dict:
    return {**DEFAULT_LETTERHEAD, **(settings.get(LETTERHEAD_KEY) or {})}


def signatory_values(stored: dict | None = None) -> dict:
    """The signatory settings; `stored`, when given, is the stored value already read."""
    if stored is None:
        stored = settings.get(SIGNATORY_KEY)
    return {**DEFAULT_SIGNATORY, **(stored or {})}


def tembusan() -> list[str]:
    value = settings.get(TEMBUSAN_KEY)
    return list(DEFAULT_TEMBUSAN if value is None else value)


def logo() -> bytes | None:
    value = settings.get(LOGO_KEY)
    return base64.b64decode(value) if value else None


def letterhead() -> Letterhead:
    v = letterhead_values()
    lines = tuple(line.strip() for line in v["address"].splitlines() if line.strip())
    return Letterhead(government=v["government"], office=v["office"], unit=v["unit"],
                      address_lines=lines, phone=v["phone"] or None, email=v["email"] or None,
                      postal_code=v["postal_code"] or None, place=v["place"], logo=logo())


def signatory() -> Signatory:
    v = signatory_values()
    return Signatory(title=v["title"], name=v["name"], rank=v["rank"] or None,
                     nip=v["nip"] or None)


def missing_signatory_fields(stored: dict | None = None) -> list[str]:
    """What a signed letter would print as dotted lines: the head's name and/or NIP
    (`stored`: the stored signatory value, when already read)."""
    v = signatory_values(stored)
    return [label for key, label in (("name", "nama"), ("nip", "NIP")) if not v[key].strip()]


def exit_form_warning(stay=None) -> dict | None:
    """The exit form's panel (registry section "exit"): a warning before a letter is issued
    while the head's name or NIP is empty in the letter settings; None when both are set."""
    missing = missing_signatory_fields()
    return {"missing": missing} if missing else None


def snapshot() -> dict:
    """The settings part of a letter's content snapshot (the logo by its presence only)."""
    lh = asdict(letterhead())
    lh["logo"] = lh["logo"] is not None
    lh["address_lines"] = list(lh["address_lines"])
    return {"letterhead": lh, "signatory": asdict(signatory()), "tembusan": tembusan()}


# ---------------------------------------------------------------- changing them

def _required(values: dict, fields: dict[str, str]) -> dict:
    errors = {}
    for name, label in fields.items():
        if not (values.get(name) or "").strip():
            errors[name] = f"{label} wajib diisi."
    return errors


def _clean(values: dict, names) -> dict:
    return {name: (values.get(name) or "").strip() for name in names}


def save(actor: Actor, letterhead_in: dict, signatory_in: dict, tembusan_in: list[str],
         number_pattern: str, kode: str) -> None:
    """Validate and store every text setting at once (the settings form is one page)."""
    lh = _clean(letterhead_in, DEFAULT_LETTERHEAD)
    sg = _clean(signatory_in, DEFAULT_SIGNATORY)
    errors = _required(lh, {"government": "Pemerintah daerah", "office": "Nama dinas",
                            "unit": "Nama unit", "address": "Alamat", "place": "Tempat surat"})
    errors |= _required(sg, {"title": "Jabatan penanda tangan", "name": "Nama penanda tangan"})
    if sg["nip"] and not NIP_RE.match(sg["nip"]):
        errors["nip"] = "NIP harus 18 digit angka."
    if lh["email"] and not EMAIL_RE.match(lh["email"]):
        errors["email"] = "Alamat pos-el tidak valid."
    if lh["postal_code"] and not POSTAL_RE.match(lh["postal_code"]):
        errors["postal_code"] = "Kode pos harus 5 digit angka."
    kode = (kode or "").strip()
    if not kode:
        errors["kode"] = "Kode klasifikasi wajib diisi."
    try:
        numbering.validate(number_pattern, kode or numbering.DEFAULT_KODE)
    except ValidationError as error:
        errors |= error.fields
    tembusan_clean = [line.strip() for line in tembusan_in if line.strip()]
    if any(len(line) > 200 for line in tembusan_clean):
        errors["tembusan"] = "Setiap baris tembusan paling banyak 200 karakter."
    too_long = [name for name, value in {**lh, **sg}.items() if len(value) > 300]
    for name in too_long:
        errors.setdefault(name, "Paling banyak 300 karakter.")
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(f"Pengaturan surat belum dapat disimpan: {first}", fields=errors)
    settings.put(LETTERHEAD_KEY, lh)
    settings.put(SIGNATORY_KEY, sg)
    settings.put(TEMBUSAN_KEY, tembusan_clean)
    settings.put(numbering.PATTERN_KEY, number_pattern.strip())
    settings.put(numbering.KODE_KEY, kode)
    record(actor, "update", "letter_settings", None,
           {"fields": sorted({*lh, *sg, "tembusan", "number_pattern", "kode"})})


def _image_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def set_logo(actor: Actor, data: bytes | None) -> None:
    """Store the regency's logo (PNG or JPEG, size-checked); None removes it."""
    if data is None:
        settings.put(LOGO_KEY, None)
        record(actor, "delete", "letter_settings", None, {"logo": True})
        return
    if not data:
        raise ValidationError("Berkas logo kosong.", fields={"logo": "Pilih berkas logo."})
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError("Berkas logo terlalu besar (paling besar 512 KB).",
                              fields={"logo": "Paling besar 512 KB."})
    kind = _image_kind(data)
    if kind is None:
        raise ValidationError("Logo harus berupa gambar PNG atau JPEG.",
                              fields={"logo": "Hanya PNG atau JPEG."})
    _check_readable(data)
    settings.put(LOGO_KEY, base64.b64encode(data).decode("ascii"))
    record(actor, "update", "letter_settings", None, {"logo": kind, "bytes": len(data)})


def _check_readable(data: bytes) -> None:
    """ReportLab must be able to draw it, or every later letter would fail."""
    import io

    from reportlab.lib.utils import ImageReader
    try:
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # any decoder failure means: not an image we can print
        raise ValidationError("Berkas logo rusak atau tidak dapat dibaca.",
                              fields={"logo": "Gambar tidak dapat dibaca."}) from None
    if not (16 <= width <= 4000 and 16 <= height <= 4000):
        raise ValidationError("Ukuran logo harus antara 16 dan 4000 piksel.",
                              fields={"logo": "Ukuran gambar tidak sesuai."})
