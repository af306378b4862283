"""The duty roster (jadwal piket) of a week: a grid of dates by shift and post with the
names on duty, on the letterhead, signed by the head of the RPS. Plain data in, bytes out."""
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from .base import Letterhead, Signatory, build_document, frame_width, grid_table, para, styles
from .indonesian import day_name, long_date
from .letters.parts import columns, place_and_date, signatory_block


@dataclass(frozen=True)
class RosterData:
    start: date
    end: date
    issued_on: date
    shifts: tuple[tuple[str, str], ...]          # (code, label with hours)
    posts: tuple[str, ...]                       # post names in column order
    # (date, shift code, post name) -> names on duty
    cells: dict = field(default_factory=dict)
    days: tuple[date, ...] = ()
    notes: tuple[str, ...] = ()                  # gaps left, as sentences


def build(data: RosterData, letterhead: Letterhead, signatory: Signatory, *,
          invariant: bool = False) -> bytes:
    st = styles()
    width = frame_width(landscape=True)
    title = f"JADWAL PIKET PETUGAS {long_date(data.start)} s.d. {long_date(data.end)}"
    header = ["Hari, tanggal", "Giliran"] + list(data.posts)
    first, second = 4.2 * cm, 3.6 * cm
    post_width = (width - first - second) / max(len(data.posts), 1)
    rows = []
    for day in data.days:
        for index, (code, label) in enumerate(data.shifts):
            rows.append([f"{day_name(day)}, {long_date(day)}" if index == 0 else "", label]
                        + [", ".join(data.cells.get((day, code, post), ())) or "\u2013"
                           for post in data.posts])
    story = [para(title, st.title, bold=True), Spacer(1, 0.3 * cm),
             grid_table(header, rows, [first, second] + [post_width] * len(data.posts))]
    if data.notes:
        story += [Spacer(1, 0.3 * cm), para("Catatan: giliran yang belum terisi", st.left,
                                            bold=True)]
        story += [para(f"\u2022 {line}", st.left) for line in data.notes]
    story += [Spacer(1, 0.5 * cm),
              columns([[], [place_and_date(letterhead.place, data.issued_on)]
                       + signatory_block(signatory, "Mengetahui,")],
                      [width / 2, width / 2])]
    return build_document(story, title=title, letterhead=letterhead, landscape=True,
                          footer_note="Jadwal piket UPTD Rumah Perlindungan Sosial",
                          invariant=invariant)
