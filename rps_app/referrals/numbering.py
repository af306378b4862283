"""Letter numbers: a pattern set by the administrator, a sequence that restarts each year.

The sequence comes from the gap-free counter `letter:<year>` (rps_app.sequences): taken
inside the issuing transaction, so two letters issued at the same moment get two
consecutive numbers, and a letter that fails to be stored gives its number back.
"""
import string
from dataclasses import dataclass
from datetime import date

from reports.indonesian import roman_month

from ..errors import ValidationError
from ..sequences import current_value, next_value
from ..settings import services as settings

PATTERN_KEY = "letters.number_pattern"
KODE_KEY = "letters.kode"
DEFAULT_PATTERN = "{kode}/{nomor:03d}/RPS/{bulan_romawi}/{tahun}"
DEFAULT_KODE = "460"  # classification code of social affairs
# The only names a pattern may use (no attribute or index access: the pattern is user text).
FIELDS = ("kode", "nomor", "bulan_romawi", "bulan", "tahun")
SAMPLE_DATE = date(2026, 11, 6)
SAMPLE_SEQUENCE = 12


@dataclass(frozen=True)
class Number:
    text: str
    year: int
    sequence: int


def counter_key(year: int) -> str:
    return f"letter:{year}"


def pattern() -> str:
    return settings.get(PATTERN_KEY) or DEFAULT_PATTERN


def kode() -> str:
    return settings.get(KODE_KEY) or DEFAULT_KODE


def render(pattern_text: str, kode_text: str, sequence: int, day: date) -> str:
    """The number `pattern_text` gives for `sequence` on `day` (pattern assumed valid)."""
    return pattern_text.format(kode=kode_text, nomor=sequence, tahun=day.year,
                               bulan=f"{day.month:02d}", bulan_romawi=roman_month(day.month))


def validate(pattern_text: str, kode_text: str) -> str:
    """Check a pattern; returns the sample number it gives, or raises ValidationError."""
    pattern_text = (pattern_text or "").strip()
    names = []
    try:
        for _literal, name, _spec, conversion in string.Formatter().parse(pattern_text):
            if name is None:
                continue
            if name not in FIELDS or conversion:
                raise ValueError(name)
            names.append(name)
    except ValueError:
        raise ValidationError(
            "Pola nomor surat hanya boleh memakai {kode}, {nomor}, {bulan_romawi}, {bulan} "
            "dan {tahun}.", fields={"number_pattern": "Bagian pola tidak dikenal."}) from None
    if "nomor" not in names:
        raise ValidationError("Pola nomor surat harus memuat {nomor}.",
                              fields={"number_pattern": "Pola harus memuat {nomor}."})
    if "tahun" not in names:
        # The sequence restarts each year: without the year, numbers would repeat.
        raise ValidationError("Pola nomor surat harus memuat {tahun}.",
                              fields={"number_pattern": "Pola harus memuat {tahun}."})
    try:
        sample = render(pattern_text, kode_text, SAMPLE_SEQUENCE, SAMPLE_DATE)
    except (ValueError, TypeError):
        raise ValidationError("Format pada pola nomor surat tidak dapat dipakai.",
                              fields={"number_pattern": "Format tidak valid, misalnya "
                                                        "{nomor:03d}."}) from None
    if len(sample) > 100:
        raise ValidationError("Nomor surat terlalu panjang (paling banyak 100 karakter).",
                              fields={"number_pattern": "Nomor terlalu panjang."})
    return sample


def take(day: date) -> Number:
    """Take the next number of `day`'s year (inside the caller's transaction)."""
    sequence = next_value(counter_key(day.year))
    return Number(text=render(pattern(), kode(), sequence, day), year=day.year,
                  sequence=sequence)


def last_sequence(year: int) -> int:
    return current_value(counter_key(year))
