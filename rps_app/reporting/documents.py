"""Gather a report's data from metrics and hand it to its builder in reports/ (which knows
nothing of Flask or the database)."""
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from flask import current_app

from reports import daily, length_of_stay, monthly, occupancy
from reports.periodic import Meta

from .. import clock, signals
from . import metrics
from .vocabulary import REPORT_LABELS

DAILY_CENSUS_TIME = time(7, 0)  # the morning count; the scheduled daily job runs then
BUILDERS = {"daily": daily, "monthly": monthly, "occupancy": occupancy,
            "length-of-stay": length_of_stay}


def census_moment(day: date) -> datetime:
    return datetime.combine(day, DAILY_CENSUS_TIME, tzinfo=clock.local_zone())


def zone_label() -> str:
    name = current_app.config["RPS_TIMEZONE"]
    return {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(name, name)


def meta(start: date, end: date) -> Meta:
    return Meta(period_from=start, period_to=end, generated_at=clock.to_local(clock.now()),
                max_stay_days=metrics.max_stay_days(), zone_label=zone_label(),
                labels=REPORT_LABELS)


def _local(rows: list[dict], key: str) -> list[dict]:
    return [{**row, key: clock.to_local(row[key])} for row in rows]


def census(day: date) -> dict:
    """The morning count of `day` and the 24 hours before it."""
    moment = census_moment(day)
    before = moment - timedelta(days=1)
    return {"census_at": clock.to_local(moment),
            "capacity": metrics.capacity_at(moment),
            "residents": metrics.residents_at(moment),
            "admissions": _local(metrics.admitted_between(before, moment), "entered_at"),
            "exits": _local(metrics.exited_between(before, moment), "exited_at")}


def collect(kind: str, start: date, end: date) -> dict:
    """The plain data the kind's builder takes."""
    if kind == "daily" and start == end:
        return census(start)
    if kind == "daily":  # a range asked for on demand: one census per morning
        return {"days": [census(start + timedelta(days=n)) for n in range((end - start).days + 1)]}
    limit = metrics.max_stay_days()
    data: dict = {}
    if kind in ("monthly", "occupancy"):
        data["occupancy"] = asdict(metrics.occupancy(start, end))
    if kind in ("monthly", "length-of-stay"):
        los = metrics.length_of_stay(start, end)
        data["length_of_stay"] = asdict(los)
        data["long_exits"] = metrics.long_exits(start, end, limit)
        # The active list with registration numbers (metrics gives ids and names).
        numbers = _registration_numbers([o.client_id for o in los.active["over_limit"]])
        for item in data["length_of_stay"]["active"]["over_limit"]:
            item["registration_number"] = numbers.get(item["client_id"])
    if kind == "monthly":
        data["admissions"] = asdict(metrics.admissions(start, end))
        data["services"] = metrics.service_counts(start, end).by_component
        data["extra_sections"] = [section for sections in signals.values_from(
            signals.report_collecting, kind, start=start, end=end) for section in sections]
    return data


def _registration_numbers(client_ids: list[int]) -> dict[int, str]:
    if not client_ids:
        return {}
    from sqlalchemy import select

    from ..clients.models import Client
    from ..extensions import db
    rows = db.session.execute(select(Client.id, Client.registration_number)
                              .where(Client.id.in_(client_ids)))
    return dict(rows.all())


def render(kind: str, start: date, end: date, data: dict) -> bytes:
    from ..referrals.letter_settings import letterhead, signatory
    if "days" in data:
        return daily.build_days(data["days"], meta(start, end), letterhead())
    if kind == "monthly":  # the head signs the monthly report
        return monthly.build(data, meta(start, end), letterhead(), signatory=signatory())
    return BUILDERS[kind].build(data, meta(start, end), letterhead())


def build(kind: str, start: date, end: date) -> bytes:
    return render(kind, start, end, collect(kind, start, end))


def summary(kind: str, data: dict) -> dict:
    """A few figures kept with an archived run (shown in the archive list)."""
    if kind == "daily":
        return {"residents": len(data["residents"]), "admissions": len(data["admissions"]),
                "exits": len(data["exits"])}
    result = {}
    if "occupancy" in data:
        result["bed_nights"] = data["occupancy"]["bed_nights"]
        result["occupancy_rate"] = data["occupancy"]["occupancy_rate"]
    if "length_of_stay" in data:
        result["exits"] = data["length_of_stay"]["exited"]["count"]
        result["mean_nights"] = data["length_of_stay"]["exited"]["mean"]
    if "admissions" in data:
        result["admissions"] = data["admissions"]["total"]
    return result


def shown_client_ids(data) -> list[int]:
    """The clients whose names a report's data shows (items with a name and a client or
    stay id), for the audit log: reading a report with names is reading those records."""
    client_ids, stay_ids = set(), set()

    def walk(value):
        if isinstance(value, dict):
            if "name" in value and value.get("client_id") is not None:
                client_ids.add(value["client_id"])
            elif "name" in value and value.get("stay_id") is not None:
                stay_ids.add(value["stay_id"])
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(data)
    if stay_ids:
        from sqlalchemy import select

        from ..extensions import db
        from ..stays.models import Stay
        client_ids.update(db.session.scalars(select(Stay.client_id).where(Stay.id.in_(stay_ids))))
    return sorted(client_ids)
