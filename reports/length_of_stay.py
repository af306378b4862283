"""Laporan Lama Tinggal for any range: exits and their length of stay (HUD entry/exit
method), stays still open, those past the limit, returns. Plain data in, PDF bytes out.

`data`: {"length_of_stay": the GET /reports/length-of-stay body, "long_exits": [...]}.
"""
from .base import Letterhead
from .periodic import (Meta, exits_section, length_of_stay_section, long_stays_section,
                       period_text, render)

TITLE = "LAPORAN LAMA TINGGAL KLIEN"


def build(data: dict, meta: Meta, letterhead: Letterhead, *, invariant: bool = False) -> bytes:
    los = data["length_of_stay"]
    story = [*length_of_stay_section(los, meta, "A"), *exits_section(los["exits_by_type"], meta.labels, "B"),
             *long_stays_section(data["long_exits"], los["active"]["over_limit"], meta, "C")]
    return render(TITLE, f"Periode {period_text(meta)}", story, meta, letterhead,
                  invariant=invariant)
