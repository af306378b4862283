"""Filters of the audit log, for the page and the API: read from a query string, checked
here with Indonesian messages that name the field (a bad value is a 422, not a 500)."""
import re
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from .. import clock, fields
from ..fields import parse_int
from ..errors import ValidationError

DEFAULT_LIMIT, MAX_LIMIT = 500, 5000
# In a query string an unencoded "+07:00" arrives as " 07:00": put the sign back.
_LOST_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def local_midnight(day: date) -> datetime:
    """The start of `day` in RPS_TIMEZONE, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=clock.local_zone())


def parse_moment(value: str) -> datetime:
    """An ISO date (the start of that local day) or datetime (local time when it has no
    offset). Raises ValueError."""
    value = _LOST_PLUS.sub(r"\1+\2", value.strip())
    if len(value) == 10:
        return local_midnight(parse_date(value))
    moment = fields.parse_moment(value)
    if moment is None:
        raise ValueError(value)
    return moment


def parse_date(value: str) -> date:
    """YYYY-MM-DD (also DD/MM/YYYY as typed by hand). Raises ValueError."""
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", value):
        day, month, year = (int(part) for part in value.split("/"))
        value = date(year, month, day)
    parsed = fields.parse_date(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def api_filters(args) -> dict:
    """The API's query (entity, entity_id, since, limit) as keyword arguments."""
    problems, since, limit = {}, None, DEFAULT_LIMIT
    if args.get("since"):
        try:
            since = parse_moment(args["since"])
        except ValueError:
            problems["since"] = ("Tanggal atau waktu ISO 8601, misalnya 2026-11-06 atau "
                                 "2026-11-06T08:00:00+07:00.")
    if args.get("limit"):
        limit = parse_int(args["limit"], 1, MAX_LIMIT)
        if limit is None:
            problems["limit"] = f"Bilangan bulat 1 sampai {MAX_LIMIT}."
    if problems:
        raise ValidationError("Parameter tidak valid.", problems)
    return {"entity": args.get("entity") or None, "entity_id": args.get("entity_id") or None,
            "since": since, "limit": limit}


class AuditFilterForm(FlaskForm):
    """The page's filters: a GET form (nothing changes), so no CSRF token."""

    class Meta:
        csrf = False

    entity = StringField(_l("Entitas"))
    entity_id = StringField(_l("ID entitas"))
    username = StringField(_l("Pengguna"))
    action = StringField(_l("Tindakan"))
    date_from = StringField(_l("Dari tanggal"))
    date_to = StringField(_l("Sampai tanggal"))

    def period(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) of the chosen local dates; a bad date is put on its field."""
        bounds = []
        for field in (self.date_from, self.date_to):
            day = None
            if (field.data or "").strip():
                try:
                    day = parse_date(field.data)
                except ValueError:
                    field.errors = [*field.errors, _l("Tanggal tidak valid (format YYYY-MM-DD).")]
            bounds.append(day)
        start, end = bounds
        if start and end and end < start:
            self.date_to.errors = [*self.date_to.errors,
                                   _l("Sampai tanggal tidak boleh sebelum dari tanggal.")]
            return local_midnight(start), None
        return (local_midnight(start) if start else None,
                local_midnight(end + timedelta(days=1)) if end else None)

    def query_args(self) -> dict:
        """The filters to carry over to other pages of the result."""
        return {name: field.data.strip() for name, field in self._fields.items()
                if (field.data or "").strip()}
