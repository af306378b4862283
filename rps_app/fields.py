"""Checking plain values (a JSON body, a form turned into a dict) field by field.

`FieldErrors` collects every problem under its field key (with a prefix for rows of a
batch, e.g. `clients.2.`) so that a caller can report all of them in one DomainError
instead of stopping at the first.
"""
from datetime import date, datetime, timezone

from . import clock


class FieldErrors:
    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.fields: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # key -> a specific error code (e.g. invalid_nik)

    def add(self, field: str, message: str, code: str = "validation_error") -> None:
        key = self.prefix + field
        self.fields.setdefault(key, message)
        self.codes.setdefault(key, code)

    def merge(self, other: "FieldErrors") -> None:
        """Take in the problems of a nested part (its keys already carry its prefix)."""
        for key, message in other.fields.items():
            self.fields.setdefault(self.prefix + key, message)
            self.codes.setdefault(self.prefix + key, other.codes[key])

    def __bool__(self) -> bool:
        return bool(self.fields)

    def code(self) -> str:
        """One code for all the problems: a specific one only when every problem has it."""
        codes = set(self.codes.values())
        return codes.pop() if len(codes) == 1 else "validation_error"

    def _missing(self, value, field: str, required: bool, label: str) -> bool:
        """No value (None or blank text); a problem only when the field is required."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, f"{label} wajib diisi.")
            return True
        return False

    # --- readers: each returns the clean value, or None after recording a problem ---

    def text(self, data: dict, field: str, max_length: int, required: bool = False,
             label: str | None = None) -> str | None:
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        if not isinstance(value, str):
            self.add(field, f"{label} harus berupa teks.")
            return None
        value = value.strip()
        if len(value) > max_length:
            self.add(field, f"{label} terlalu panjang (maks. {max_length} karakter).")
            return None
        return value

    def integer(self, data: dict, field: str, low: int | None = None, high: int | None = None,
                required: bool = False, label: str | None = None) -> int | None:
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())  # form fields arrive as text
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, f"{label} harus berupa bilangan bulat.")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{low} sampai {high}" if high is not None else f"minimal {low}"
            self.add(field, f"{label} harus {bounds}.")
            return None
        return value

    def boolean(self, data: dict, field: str, default: bool = False,
                label: str | None = None) -> bool:
        value = data.get(field)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.add(field, f"{label or field} harus bernilai true atau false.")
        return default

    def choice(self, data: dict, field: str, choices, required: bool = True,
               label: str | None = None) -> str | None:
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        if value not in choices:
            self.add(field, f"{label} harus salah satu dari: {', '.join(choices)}.")
            return None
        return value

    def date(self, data: dict, field: str, required: bool = False,
             label: str | None = None) -> date | None:
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.add(field, f"{label} harus berupa tanggal YYYY-MM-DD.")
            return None

    def moment(self, data: dict, field: str, required: bool = False,
               label: str | None = None) -> datetime | None:
        """An ISO 8601 timestamp; without an offset it is read in RPS_TIMEZONE."""
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        parsed = parse_moment(value)
        if parsed is None:
            self.add(field, f"{label} harus berupa waktu ISO 8601, mis. 2026-11-06T21:30:00+07:00.")
        return parsed


def parse_moment(value) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (naive: local time), or None."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.local_zone())
    return parsed.astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    return clock.to_local(moment).date()


def iso(moment: datetime | None) -> str | None:
    """A timestamp for JSON: ISO 8601 in RPS_TIMEZONE, with its offset."""
    return None if moment is None else clock.to_local(moment).isoformat()
