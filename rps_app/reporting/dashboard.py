"""What the dashboard shows: today's census, stays near or past the limit, the last 7 days'
movements, and a 30-day occupancy chart drawn as SVG on the server (no JavaScript)."""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from flask_babel import format_percent, gettext as _
from sqlalchemy import Date, select

from .. import clock
from ..clients.models import Client
from ..reads import Query, rows
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


def census(groups, unplaced: int) -> dict:
    labels = {"L": _("Shelter Putra"), "P": _("Shelter Putri"), "isolation": _("Isolasi")}
    rows = [{"label": labels[g.key], "occupied": g.occupied, "capacity": g.capacity,
             "free": max(g.capacity - g.occupied, 0)} for g in groups]
    return {"rows": rows, "unplaced": unplaced,
            "occupied": sum(g.occupied for g in groups) + unplaced,
            "capacity": sum(g.capacity for g in groups)}


CENSUS = Query("dashboard_census", lambda param: rows(metrics.census_query()))
LONG_STAYS = Query("dashboard_long_stays", lambda param: rows(
    select(Stay.id, Stay.client_id, Stay.entry_date, Stay.exit_date, Stay.max_stay_days,
           Client.name, Client.registration_number)
    .join(Client, Client.id == Stay.client_id)
    .where(Stay.exit_date.is_(None), Stay.entry_date <= param("latest_entry", Date())),
    order_by=(Stay.entry_date, Stay.id)))


def ask_attention(reads, today):
    """Asks `reads` for the open stays near or past their limit (an extension's, else
    RPS_MAX_STAY_DAYS), with what is awaited; the answer is a list of Attention. Open stays
    are few (the beds), so this reads only them."""
    default = metrics.max_stay_days()
    latest_entry = today - timedelta(days=max(default - stays.WARNING_DAYS_BEFORE_LIMIT, 0))
    found = reads.ask(LONG_STAYS, latest_entry=latest_entry)
    return found.then(lambda found_rows: attention(found_rows, today))


def attention(rows, today) -> list[Attention]:
    result = []
    for stay in rows:
        nights = stays.days_in_shelter(stay, today)
        limit = stays.stay_limit(stay)
        level = stays.warning_level(nights, limit)
        if level is None:
            continue
        if level == "over":
            action = _("Terminasi/rujukan segera, atau perpanjangan dengan alasan")
        else:
            action = _("Siapkan rujukan atau penelusuran keluarga (batas %(n)s malam)", n=limit)
        result.append(Attention(stay.id, stay.client_id, stay.name, stay.registration_number,
                                nights, limit, level, stay.max_stay_days is not None, action))
    result.sort(key=lambda a: (a.level != "over", -a.nights))
    return result


class Bar(NamedTuple):
    """A night's bar (a tuple: the template reads its fields as attributes, directly)."""
    x: float
    y: float
    w: float
    h: float
    date: date
    occupied: int
    capacity: int


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
        bars.append(Bar(round(x + slot * 0.15, 1), round(CHART_PAD + inner_h - height, 1),
                        round(slot * 0.7, 1), round(height, 1), day.date, day.occupied,
                        day.capacity))
        y = round(CHART_PAD + inner_h - day.capacity * scale, 1)
        line += [f"{round(x, 1)},{y}", f"{round(x + slot, 1)},{y}"]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD, "top": top,
            "base": CHART_PAD + inner_h, "bars": bars, "line": " ".join(line),
            "label_every": 5}


def prepare(reads):
    """Asks `reads` (rps_app.reads) for what the dashboard's own panels show; returns the
    function that builds the template's variables once the reads have run."""
    today = clock.local_today()
    first, week_from = today - timedelta(days=CHART_DAYS - 1), today - timedelta(days=6)
    nights, moves = metrics.ask_nights(reads, first, today)
    counts = reads.ask(CENSUS)
    waiting = ask_attention(reads, today)
    check = services.ask_latest_check(reads)

    def build() -> dict:
        daily = nights.value
        rate = metrics.rate(sum(d.occupied for d in daily), sum(d.capacity for d in daily))
        week = {day: counts_ for day, counts_ in moves.value.items() if day >= week_from}
        return {
            "census": census(*metrics.census_of(counts.value)),
            "attention": waiting.value,
            "week": week,
            "week_totals": {"admissions": sum(d["admissions"] for d in week.values()),
                            "exits": sum(d["exits"] for d in week.values())},
            "chart": chart(daily),
            "occupancy_text": (None if rate is None else format_percent(rate, "#,##0.0%")),
            "latest_check": check.value,
            "today": today,
        }
    return build
