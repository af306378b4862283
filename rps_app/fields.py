"""Checking plain values (a JSON body, a form turned into a dict) field by field.

`FieldErrors` collects every problem under its field key (with a prefix for rows of a
batch, e.g. `clients.2.`) so that a caller can report all of them in one DomainError
instead of stopping at the first.

It is also the one place where text from outside becomes a number, a date or a timestamp
(JSON bodies, forms, query strings, URL ids): `parse_int`, `parse_date` and `parse_moment`
return None for anything they cannot read safely, so that no caller meets a ValueError or
OverflowError later (a "²" that passes str.isdigit(), a 5,000-digit number, an id beyond
what the database stores, a date whose next day does not exist).
"""
import json
import re
from datetime import date, datetime, timedelta, timezone

from . import clock

# 64-bit integers (SQLite's INTEGER, PostgreSQL's BIGINT), and the 32 bits of PostgreSQL's
# INTEGER, the type of every id and number column of the schema: a number outside them
# would make the database fail (a 500), so readers refuse it as they refuse "abc".
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
# Dates the shelter can mean: birth dates from 1900, plans to 2199. Outside them date
# arithmetic (a day after, a local midnight) could leave the calendar, so they are refused.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_int(value, low: int = INT64_MIN, high: int = INT64_MAX) -> int | None:
    """An int from an int or from ASCII digits (optional sign), within [low, high]; else None.
    Booleans, floats (1e20), "²", "--1" and numbers too large for the database are None."""
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER_TEXT.fullmatch(text):
            return None
        value = int(text)
    elif isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def parse_id(value) -> int | None:
    """A row id: 1 .. 2^31-1 (an INTEGER column)."""
    return parse_int(value, 1, INT32_MAX)


def in_calendar(day: date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def parse_date(value) -> date | None:
    """A date from YYYY-MM-DD text (or a date) between MIN_DATE and MAX_DATE, else None."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _DATE_TEXT.fullmatch(text):
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return None
    if not isinstance(value, date):
        return None
    return value if in_calendar(value) else None


def date_message(label: str) -> str:
    return (f"{label} harus berupa tanggal YYYY-MM-DD antara {MIN_DATE.isoformat()} dan "
            f"{MAX_DATE.isoformat()}.")


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
        """Form fields arrive as text, JSON as numbers; both go through parse_int, so the
        value always fits an INTEGER column even when no `low`/`high` is given."""
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        number = parse_int(value, INT32_MIN, INT32_MAX)
        if number is None:
            self.add(field, f"{label} harus berupa bilangan bulat.")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{low} sampai {high}" if high is not None else f"minimal {low}"
            self.add(field, f"{label} harus {bounds}.")
            return None
        return number

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
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.add(field, date_message(label))
        return parsed

    def moment(self, data: dict, field: str, required: bool = False,
               label: str | None = None) -> datetime | None:
        """An ISO 8601 timestamp; without an offset it is read in RPS_TIMEZONE."""
        value, label = data.get(field), label or field
        if self._missing(value, field, required, label):
            return None
        parsed = parse_moment(value)
        if parsed is None:
            self.add(field, f"{label} harus berupa waktu ISO 8601 antara tahun "
                            f"{MIN_DATE.year} dan {MAX_DATE.year}, "
                            "mis. 2026-11-06T21:30:00+07:00.")
        return parsed


def parse_moment(value) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (naive: local time), or None; also None
    outside MIN_DATE .. MAX_DATE (0001-01-01T00:00 would not survive a time zone)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if not in_calendar(parsed.date()):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.local_zone())
    try:
        parsed = parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return parsed if in_calendar(parsed.date()) else None


def day_after(day: date) -> date:
    """The next date, clamped at MAX_DATE (the calendar of this module has no end to fall off)."""
    return day + timedelta(days=1) if day < MAX_DATE else day


# ------------------------------------------------------------------ JSON bodies

MAX_JSON_DEPTH = 64


def check_json_value(value) -> None:
    """Raise ValueError when a parsed JSON document is nested deeper than MAX_JSON_DEPTH or
    holds a string (key or value) that is not valid Unicode text for a database: a lone
    surrogate ("\\ud800") or NUL. Iterative: no recursion however deep the document."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (list, dict)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key, inner in item.items():
                    _check_text(key)
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("NUL character in text")
    text.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate


def loads_json(data, **kwargs):
    """json.loads for requests: every failure is a ValueError (a 400), never a
    RecursionError (50,000 "[") or a string the database cannot store."""
    kwargs.setdefault("parse_constant", _not_json)
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    check_json_value(value)
    return value


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")  # Python's json reads NaN and Infinity


def clean_text(text: str) -> bool:
    """True when `text` (a query or form value, a header) may reach the database."""
    try:
        _check_text(text)
    except ValueError:
        return False
    return True


def local_date(moment: datetime) -> date:
    return clock.to_local(moment).date()


def iso(moment: datetime | None) -> str | None:
    """A timestamp for JSON: ISO 8601 in RPS_TIMEZONE, with its offset."""
    return None if moment is None else clock.to_local(moment).isoformat()


# ------------------------------------------------------------------ wiring into Flask

def init_app(app) -> None:
    """Every request body, query string, form and URL id goes through the readers above:
    - JSON: app.json loads with `loads_json` (a failure is a ValueError, so Flask's
      get_json(silent=True) answers None and the API 400 bad_request);
    - the `int` URL converter takes ASCII digits up to the largest id (beyond: no route,
      404: 2^63 and more fit no database, 2^31 and more no INTEGER column);
    - query and form values holding NUL are refused with 400 before any view runs
      (PostgreSQL cannot store or compare them)."""
    from flask import request
    from flask.json.provider import DefaultJSONProvider
    from werkzeug.exceptions import BadRequest

    class JSONProvider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            return loads_json(s, **kwargs)

    app.json = JSONProvider(app)

    @app.before_request
    def refuse_unreadable_input():
        if not clean_text(request.path):
            raise BadRequest()
        values = [*request.args.items(multi=True)]
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.items(multi=True)
        for key, value in values:
            if not (clean_text(key) and clean_text(value)):
                raise BadRequest()


def init_url_map(app) -> None:
    """Before any blueprint: the `int` converter of every route reads ids as the database
    stores them (called by create_app first, since rules compile when they are added)."""
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        regex = r"[0-9]{1,19}"

        def __init__(self, map, fixed_digits=0, min=None, max=INT32_MAX, signed=False):
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    app.url_map.converters["int"] = IdConverter
