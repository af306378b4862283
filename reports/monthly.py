"""Laporan Bulanan: occupancy, admissions, exits, length of stay, returns, SPM services and
the long stays of one calendar month. Plain data in, PDF bytes out.

`data`: {"occupancy": {...}, "length_of_stay": {...}, "admissions": {...},
"services": {component: {records, stays}}, "long_exits": [...], "extra_sections"?: [...]}
as collected by rps_app.reporting.documents (extra sections: tables other domains add, see
periodic.extra_sections); `meta` names the month and the stay limit.
"""
from .base import Letterhead, Signatory
from .periodic import (Meta, admissions_section, exits_section, extra_sections,
                       length_of_stay_section,
                       long_stays_section, month_subtitle, occupancy_section, render,
                       services_section, signature_section)

TITLE = "LAPORAN BULANAN"


def build(data: dict, meta: Meta, letterhead: Letterhead, *, invariant: bool = False,
          signatory: Signatory | None = None) -> bytes:
    """With `signatory` (the head of the RPS), the report ends with their signature block."""
    los = data["length_of_stay"]
    story = [
        *occupancy_section(data["occupancy"], meta.labels, "A"),
        *admissions_section(data["admissions"], meta.labels, "B"),
        *exits_section(los["exits_by_type"], meta.labels, "C"),
        *length_of_stay_section(los, meta, "D"),
        *services_section(data["services"], meta.labels, "E"),
        *long_stays_section(data["long_exits"], los["active"]["over_limit"], meta, "F"),
        *extra_sections(data.get("extra_sections", []), "G"),
    ]
    if signatory is not None:
        story += signature_section(meta, signatory, letterhead.place)
    return render(TITLE, month_subtitle(meta), story, meta, letterhead, invariant=invariant)
