"""Laporan Tingkat Hunian for any range: bed nights against beds in service, by unit and
by sex, with the night-by-night table and chart. Plain data in, PDF bytes out.

`data`: {"occupancy": the GET /reports/occupancy body (dates as date or ISO text)}.
"""
from .base import Letterhead
from .periodic import Meta, daily_table, occupancy_section, period_text, render

TITLE = "LAPORAN TINGKAT HUNIAN"


def build(data: dict, meta: Meta, letterhead: Letterhead, *, invariant: bool = False) -> bytes:
    occ = data["occupancy"]
    story = [*occupancy_section(occ, meta.labels, "A"), *daily_table(occ)]
    return render(TITLE, f"Periode {period_text(meta)}", story, meta, letterhead,
                  invariant=invariant)
