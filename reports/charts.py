"""Charts for the periodic reports, drawn with ReportLab's own graphics (no images, no
other library): daily occupancy against capacity, and the length-of-stay buckets."""
from datetime import date

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import cm

from .base import FONT, register_fonts

BAR = colors.Color(0.25, 0.45, 0.70)
CAPACITY = colors.Color(0.80, 0.20, 0.15)


def _axis_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if top / step <= 8:
            return step
    return max(1, top // 8)


def _bar_chart(values: list[int], labels: list[str], width: float, height: float,
               top: int) -> tuple[Drawing, VerticalBarChart]:
    register_fonts()
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 1.1 * cm, 0.9 * cm
    chart.width, chart.height = width - 1.4 * cm, height - 1.4 * cm
    chart.data = [values or [0]]
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0.5
    chart.valueAxis.valueMin = 0
    step = _axis_step(max(top, 1))
    chart.valueAxis.valueMax = max(step, -(-max(top, 1) // step) * step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.boxAnchor = "n"
    drawing.add(chart)
    return drawing, chart


def daily_occupancy(daily: list[dict], width: float, height: float = 6 * cm) -> Drawing:
    """Bars of clients per night, and the line of beds in service.
    `daily`: [{date, occupied, capacity}] (date as a date or YYYY-MM-DD)."""
    days = [d["date"] if isinstance(d["date"], date) else date.fromisoformat(d["date"])
            for d in daily]
    occupied = [int(d["occupied"]) for d in daily]
    capacity = [int(d["capacity"]) for d in daily]
    every = max(1, -(-len(days) // 16))  # at most ~16 labels, so that they stay legible
    labels = [str(day.day) if i % every == 0 else "" for i, day in enumerate(days)]
    drawing, chart = _bar_chart(occupied, labels, width, height,
                                max(occupied + capacity + [1]))
    if days:
        # The capacity as a step line across each day's slot.
        scale = chart.height / chart.valueAxis.valueMax
        slot = chart.width / len(days)
        for i, beds in enumerate(capacity):
            y = chart.y + beds * scale
            drawing.add(Line(chart.x + i * slot, y, chart.x + (i + 1) * slot, y,
                             strokeColor=CAPACITY, strokeWidth=1.2))
    drawing.add(String(chart.x, height - 0.35 * cm, "Klien per malam (batang) dan tempat tidur "
                       "tersedia (garis merah)", fontName=FONT, fontSize=7.5))
    return drawing


def buckets(buckets: dict[str, int], width: float, height: float = 5 * cm) -> Drawing:
    """Bars of exited stays per length-of-stay bucket (nights)."""
    labels = [f"{name} malam" for name in buckets]
    values = [int(v) for v in buckets.values()]
    drawing, chart = _bar_chart(values, labels, width, height, max(values + [1]))
    drawing.add(String(chart.x, height - 0.35 * cm, "Klien keluar menurut lama tinggal",
                       fontName=FONT, fontSize=7.5))
    return drawing
