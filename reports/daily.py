"""Laporan Harian: the census of one date at the morning count (07.00 local time): who is
in the RPS and where, beds per unit, and the admissions and exits of the 24 hours before.
Plain data in, PDF bytes out.

`data`: {"census_at": datetime (local), "capacity": {L, P, isolation},
"residents": [{name, registration_number, sex, room_kind, room_name, bed, entry_date,
nights, limit}], "admissions": [{name, registration_number, sex, agency, operation_place,
entered_at (local)}], "exits": [{name, registration_number, exit_type, exited_at (local),
nights}]}.
"""
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Spacer

from .base import Letterhead
from .indonesian import full_date, long_date
from .periodic import (Labels, Meta, as_date, heading, note, number, percent, period_text, render,
                       table)

TITLE = "LAPORAN HARIAN"


def _unit(resident: dict) -> str:
    kind = resident.get("room_kind")
    if kind is None:
        return "unplaced"
    return "isolation" if kind == "isolation" else resident["sex"]


def _time(value) -> str:
    return f"{long_date(value)} {value.hour:02d}.{value.minute:02d}"


def census_rows(data: dict, labels: Labels) -> list[list[str]]:
    counts = {"L": 0, "P": 0, "isolation": 0, "unplaced": 0}
    for resident in data["residents"]:
        counts[_unit(resident)] += 1
    rows = []
    for key in ("L", "P", "isolation"):
        beds = data["capacity"].get(key, 0)
        rows.append([labels.of("unit", key), number(counts[key]), number(beds),
                     number(max(beds - counts[key], 0)), percent(counts[key] / beds if beds else None)])
    rows.append([labels.of("unit", "unplaced"), number(counts["unplaced"]), "-", "-", "-"])
    beds = sum(data["capacity"].values())
    total = sum(counts.values())
    rows.append(["Jumlah", number(total), number(beds), number(max(beds - total + counts["unplaced"], 0)),
                 percent(total / beds if beds else None)])
    return rows


def day_story(data: dict, meta: Meta) -> list:
    """The census of one morning: its flowables."""
    at = data["census_at"]
    residents = [[str(i), r["name"], r["registration_number"], r["sex"],
                  f"{r['room_name']} / {r['bed']}" if r.get("room_name") else "Belum ditempatkan",
                  long_date(as_date(r["entry_date"])), number(r["nights"]),
                  "Melewati batas" if r["nights"] > (r.get("limit") or meta.max_stay_days) else ""]
                 for i, r in enumerate(data["residents"], start=1)]
    admissions = [[str(i), a["name"], a["registration_number"], a["sex"],
                   meta.labels.of("agency", a["agency"]), a["operation_place"],
                   _time(a["entered_at"])] for i, a in enumerate(data["admissions"], start=1)]
    exits = [[str(i), e["name"], e["registration_number"], meta.labels.of("exit", e["exit_type"]),
              _time(e["exited_at"]), number(e["nights"])] for i, e in enumerate(data["exits"], start=1)]
    story = [
        *heading(f"A. Keadaan Hunian pukul {at.hour:02d}.{at.minute:02d} {meta.zone_label}"),
        table(["Unit", "Klien", "Tempat tidur", "Kosong", "Hunian"], census_rows(data, meta.labels),
              [6, 2, 2.5, 2, 2.5]),
        *heading("B. Penerimaan dalam 24 jam terakhir"),
        table(["No", "Nama", "No. Registrasi", "L/P", "Pengirim", "Lokasi penertiban", "Diterima"],
              admissions, [1.1, 3.8, 3.6, 1.2, 2.4, 3.3, 3.2], numeric=(0,))
        if admissions else note("Tidak ada penerimaan."),
        *heading("C. Klien keluar dalam 24 jam terakhir"),
        table(["No", "Nama", "No. Registrasi", "Terminasi", "Keluar", "Malam"],
              exits, [1.1, 4.2, 3.6, 4, 3.3, 1.6], numeric=(0, 5))
        if exits else note("Tidak ada klien keluar."),
        *heading("D. Daftar Klien"),
        table(["No", "Nama", "No. Registrasi", "L/P", "Ruang / TT", "Masuk", "Malam", "Ket."],
              residents, [1.2, 3.6, 3.4, 1.2, 2.9, 3.3, 1.9, 2.3], numeric=(0, 6))
        if residents else note("Tidak ada klien."),
        Spacer(1, 0.3 * cm),
        note(f"Batas lama tinggal {meta.max_stay_days} malam kecuali diperpanjang."),
    ]
    return story


def build(data: dict, meta: Meta, letterhead: Letterhead, *, invariant: bool = False) -> bytes:
    """The census of one morning (`data` as collected for one date)."""
    at = data["census_at"]
    return render(TITLE, f"Sensus klien {full_date(at)}", day_story(data, meta), meta,
                  letterhead, running=full_date(at), invariant=invariant)


def build_days(days: list[dict], meta: Meta, letterhead: Letterhead, *,
               invariant: bool = False) -> bytes:
    """The censuses of several mornings (a range asked for on demand), one page each."""
    story = []
    for number_, data in enumerate(days):
        if number_:
            story.append(PageBreak())
        story += [*heading(f"Sensus klien {full_date(data['census_at'])}"), *day_story(data, meta)]
    return render(TITLE, f"Sensus klien {period_text(meta)}", story, meta, letterhead,
                  invariant=invariant)
