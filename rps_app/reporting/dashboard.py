"""What the dashboard shows: today's census, stays near or past the limit, the last 7 days'
movements, and a 30-day occupancy chart drawn as SVG on the server (no JavaScript)."""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import format_percent, gettext as _
from sqlalchemy import select

from .. import clock
from ..clients.models import Client
from ..extensions import db
from ..stays import services as stays
from ..stays.models import Stay
from . import metrics, services

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 200, 28


@dataclass
class Attention:
    stay_id: int
    client_id: int
    name: str
    registration_number: str
    nights: int
    limit: int
    level: str   # warning | over
    extended: bool
    action: str


def census() -> dict:
    groups, unplaced = metrics.census_now()
    labels = {"L": _("Shelter Putra"), "P": _("Shelter Putri"), "isolation": _("Isolasi")}
    rows = [{"label": labels[g.key], "occupied": g.occupied, "capacity": g.capacity,
             "free": max(g.capacity - g.occupied, 0)} for g in groups]
    return {"rows": rows, "unplaced": unplaced,
            "occupied": sum(g.occupied for g in groups) + unplaced,
            "capacity": sum(g.capacity for g in groups)}


def attention(today) -> list[Attention]:
    """Open stays near or past their limit (an extension's, else RPS_MAX_STAY_DAYS), with
    what is awaited. Open stays are few (the beds), so this reads only them."""
    default = metrics.max_stay_days()
    latest_entry = today - timedelta(days=max(default - stays.WARNING_DAYS_BEFORE_LIMIT, 0))
    rows = db.session.execute(
        select(Stay, Client.name, Client.registration_number)
        .join(Client, Client.id == Stay.client_id)
        .where(Stay.exit_date.is_(None), Stay.entry_date <= latest_entry)
        .order_by(Stay.entry_date, Stay.id))
    result = []
    for stay, name, number in rows:
        nights = stays.days_in_shelter(stay, today)
        limit = stays.stay_limit(stay)
        level = stays.warning_level(nights, limit)
        if level is None:
            continue
        if level == "over":
            action = _("Terminasi/rujukan segera, atau perpanjangan dengan alasan")
        else:
            action = _("Siapkan rujukan atau penelusuran keluarga (batas %(n)s malam)", n=limit)
        result.append(Attention(stay.id, stay.client_id, name, number, nights, limit, level,
                                stay.max_stay_days is not None, action))
    result.sort(key=lambda a: (a.level != "over", -a.nights))
    return result


def chart(daily: list) -> dict:
    """Bars and a capacity step line, in SVG user units, for the template to draw."""
    top = max([d.capacity for d in daily] + [d.occupied for d in daily] + [1])
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    slot = inner_w / max(len(daily), 1)
    scale = inner_h / top
    bars, line = [], []
    for i, day in enumerate(daily):
        x = CHART_PAD + i * slot
        height = day.occupied * scale
        bars.append({"x": round(x + slot * 0.15, 1), "y": round(CHART_PAD + inner_h - height, 1),
                     "w": round(slot * 0.7, 1), "h": round(height, 1), "date": day.date,
                     "occupied": day.occupied, "capacity": day.capacity})
        y = round(CHART_PAD + inner_h - day.capacity * scale, 1)
        line += [f"{round(x, 1)},{y}", f"{round(x + slot, 1)},{y}"]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD, "top": top,
            "base": CHART_PAD + inner_h, "bars": bars, "line": " ".join(line),
            "label_every": 5}


def collect() -> dict:
    today = clock.local_today()
    occupancy = metrics.occupancy(today - timedelta(days=CHART_DAYS - 1), today)
    week = metrics.movements(today - timedelta(days=6), today)
    return {
        "census": census(),
        "attention": attention(today),
        "week": week,
        "week_totals": {"admissions": sum(d["admissions"] for d in week.values()),
                        "exits": sum(d["exits"] for d in week.values())},
        "chart": chart(occupancy.daily),
        "occupancy_text": (None if occupancy.occupancy_rate is None
                           else format_percent(occupancy.occupancy_rate, "#,##0.0%")),
        "latest_check": services.latest_check(),
        "today": today,
    }
