"""Pieces shared by the periodic reports (harian, bulanan, hunian, lama tinggal): labels,
Indonesian number formats, and the sections each report composes.

Input is plain data (dicts and lists as `rps_app.reporting.documents` collects them); dates
may be `date` objects or ISO texts. Names and other user text go through `para()`/`cell`
escaping in reports.base, never into markup directly.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.numbers import format_decimal, format_percent
from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from . import charts
from .letters import parts  # the letters' signature block: one look for every document
from .base import (Letterhead, Signatory, build_document, escape, frame_width, grid_table,
                   para, prose_case, styles)
from .indonesian import long_date, month_year
from .pmks import PMKS_CATEGORIES


@dataclass(frozen=True)
class Labels:
    """The Indonesian names of the codes a report prints, given by the application (each
    domain keeps its own vocabulary); a code without a label is printed as it is."""
    sex: dict = field(default_factory=dict)      # L, P
    agency: dict = field(default_factory=dict)   # the intake's sending agency
    exit: dict = field(default_factory=dict)     # exit types
    unit: dict = field(default_factory=dict)     # L, P, isolation, shelter, unplaced
    spm: dict = field(default_factory=dict)      # SPM component number -> name

    def of(self, kind: str, code) -> str:
        return str(getattr(self, kind).get(code, code))


@dataclass(frozen=True)
class Meta:
    """What every periodic report carries besides its figures."""
    period_from: date
    period_to: date
    generated_at: datetime  # local time
    max_stay_days: int = 7
    zone_label: str = "WIB"
    labels: Labels = field(default_factory=Labels)


# ------------------------------------------------------------------ formats

def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def number(value) -> str:
    return "-" if value is None else format_decimal(value, locale="id")


def decimal(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return format_decimal(round(float(value), digits), format="#,##0." + "0" * digits, locale="id")


def percent(value) -> str:
    return "-" if value is None else format_percent(value, format="#,##0.0%", locale="id")


def period_text(meta: Meta) -> str:
    start, end = meta.period_from, meta.period_to
    if start == end:
        return long_date(start)
    return f"{long_date(start)} s.d. {long_date(end)}"


def generated_note(meta: Meta) -> str:
    at = meta.generated_at
    return f"Dibuat {long_date(at)} pukul {at.hour:02d}.{at.minute:02d} {meta.zone_label}"


# ------------------------------------------------------------------ blocks

def title_block(title: str, subtitle: str) -> list:
    st = styles()
    return [para(title, st.title), para(subtitle, st.center), Spacer(1, 0.4 * cm)]


def heading(text: str) -> list:
    """A section title; it starts a new page rather than stand alone at the foot of one."""
    return [CondPageBreak(3 * cm), Spacer(1, 0.25 * cm), para(text, styles().heading),
            Spacer(1, 0.15 * cm)]


def note(text: str) -> Paragraph:
    return para(text, styles().small)


def table(header: list[str], rows: list[list], widths_cm: list[float], *, numeric=None):
    """A grid whose `numeric` columns (default: all but the first) are right-aligned
    figures; widths are scaled to the frame."""
    total = sum(widths_cm)
    width = frame_width()
    widths = [w / total * width for w in widths_cm]
    numeric = range(1, len(header)) if numeric is None else numeric
    align = {i: "RIGHT" for i in numeric}
    return grid_table(header, rows, widths, align=align)


# ------------------------------------------------------------------ sections

def occupancy_section(occ: dict, labels: Labels, letter: str = "A") -> list:
    kinds = occ["by_room_kind"]
    rows = [[labels.of("unit", k), number(kinds[k]["bed_nights"]),
             number(kinds[k]["available_bed_nights"]), percent(kinds[k]["occupancy_rate"])]
            for k in ("shelter", "isolation")]
    rows.append([labels.of("unit", "unplaced"), number(kinds["unplaced"]["bed_nights"]), "-", "-"])
    rows.append(["Jumlah (termasuk malam belum ditempatkan)", number(occ["bed_nights"]),
                 number(occ["available_bed_nights"]), percent(occ["occupancy_rate"])])
    sexes = [[labels.of("sex", s), number(occ["by_sex"][s]["bed_nights"])] for s in ("L", "P")]
    return [
        *heading(f"{letter}. Tingkat Hunian"),
        table(["Unit", "Malam terisi", "Malam tersedia", "Tingkat hunian"], rows, [6, 3, 3, 3]),
        Spacer(1, 0.2 * cm),
        table(["Jenis kelamin", "Malam terisi"], sexes, [6, 3]),
        Spacer(1, 0.3 * cm),
        charts.daily_occupancy(occ["daily"], frame_width()),
        note("Satu malam terisi: klien berada di RPS pada malam itu (tanggal masuk <= tanggal "
             "< tanggal keluar). Malam tersedia: tempat tidur shelter dan isolasi yang "
             "berfungsi pada malam itu. Baris Jumlah menghitung juga malam klien yang belum "
             "ditempatkan di tempat tidur (mis. diterima larut malam), sedangkan malam "
             "tersedia hanya menghitung tempat tidur; karena itu tingkat hunian total dapat "
             "lebih tinggi daripada tingkat hunian shelter dan isolasi."),
    ]


def daily_table(occ: dict) -> list:
    rows = [[long_date(as_date(d["date"])), number(d["occupied"]), number(d["capacity"]),
             percent(d["occupied"] / d["capacity"] if d["capacity"] else None)]
            for d in occ["daily"]]
    return [*heading("Rincian per malam"),
            table(["Tanggal", "Klien", "Tempat tidur", "Hunian"], rows, [6, 3, 3, 3])]


def length_of_stay_section(los: dict, meta: Meta, letter: str = "B") -> list:
    ex = los["exited"]
    summary = [["Klien keluar", number(ex["count"])],
               ["Rata-rata lama tinggal (malam)", decimal(ex["mean"])],
               ["Median lama tinggal (malam)", decimal(ex["median"])],
               ["Lama tinggal terpanjang (malam)", number(ex["max"])],
               ["Klien masih tinggal pada akhir periode", number(los["active"]["count"])],
               [f"... di antaranya melewati batas {meta.max_stay_days} malam",
                number(len(los["active"]["over_limit"]))],
               ["Klien kembali (dalam 180 hari setelah keluar)", number(los["returns"])]]
    buckets = [[f"{name} malam", number(n)] for name, n in ex["buckets"].items()]
    return [
        *heading(f"{letter}. Lama Tinggal"),
        table(["Uraian", "Jumlah"], summary, [10, 3]),
        Spacer(1, 0.2 * cm),
        KeepTogether([table(["Lama tinggal", "Klien keluar"], buckets, [6, 3]),
                      Spacer(1, 0.2 * cm), charts.buckets(ex["buckets"], frame_width())]),
        note("Lama tinggal = tanggal keluar - tanggal masuk (malam); bagi klien yang masih "
             "tinggal dihitung sampai malam terakhir periode."),
    ]


def exits_section(exits_by_type: dict, labels: Labels, letter: str) -> list:
    rows = [[labels.of("exit", kind), number(n)] for kind, n in exits_by_type.items()]
    rows.append(["Jumlah", number(sum(exits_by_type.values()))])
    return [*heading(f"{letter}. Terminasi (Klien Keluar)"),
            table(["Jenis terminasi", "Klien"], rows, [10, 3])]


def admissions_section(adm: dict, labels: Labels, letter: str) -> list:
    agency = [[labels.of("agency", k), number(n)] for k, n in adm["by_agency"].items()]
    agency.append(["Jumlah", number(adm["total"])])
    pmks = [[f"{code}. {PMKS_CATEGORIES.get(int(code), code)}", number(n)]
            for code, n in adm["by_pmks"].items()]
    sexes = [[labels.of("sex", s), number(adm["by_sex"].get(s, 0))] for s in ("L", "P")]
    groups = adm.get("by_age_group") or {}
    ages = [[label, number(groups.get(key, 0))] for key, label in AGE_GROUP_LABELS.items()]
    return [*heading(f"{letter}. Penerimaan Klien"),
            table(["Pengirim", "Klien"], agency, [10, 3]), Spacer(1, 0.2 * cm),
            table(["Kategori PMKS", "Klien"], pmks or [["-", "0"]], [10, 3]),
            Spacer(1, 0.2 * cm), table(["Jenis kelamin", "Klien"], sexes, [10, 3]),
            Spacer(1, 0.2 * cm), table(["Kelompok umur (saat masuk)", "Klien"], ages, [10, 3])]


AGE_GROUP_LABELS = {"anak": "Anak (di bawah 18 tahun)", "dewasa": "Dewasa (18\u201359 tahun)",
                    "lansia": "Lanjut usia (60 tahun ke atas)"}


def signature_section(meta: Meta, signatory: Signatory, place: str) -> list:
    """The head's signature under the report, kept on one page with the closing sentence
    before it (a signature never stands alone at the top of a page)."""
    st = styles()
    closing = para("Demikian laporan ini dibuat untuk dipergunakan sebagaimana mestinya.",
                   st.body)
    dated = para(f"{place}, {long_date(meta.generated_at)}", st.center)
    block = parts.columns(["", [dated, *parts.signatory_block(signatory)]],
                          [frame_width() - 9 * cm, 9 * cm])
    return [Spacer(1, 0.5 * cm), KeepTogether([closing, Spacer(1, 0.4 * cm), block])]


def services_section(services: dict, labels: Labels, letter: str) -> list:
    rows = []
    codes = labels.spm or {int(code): code for code in services}
    for code in sorted(codes):
        counts = services.get(code) or services.get(str(code)) or {"records": 0, "stays": 0}
        rows.append([f"{code}. {labels.of('spm', code)}", number(counts["records"]),
                     number(counts["stays"])])
    return [*heading(f"{letter}. Layanan Standar Pelayanan Minimal (SPM)"),
            table(["Komponen layanan", "Layanan", "Klien"], rows, [10, 2.5, 2.5])]


def long_stays_section(long_exits: list[dict], over_limit: list[dict], meta: Meta,
                       letter: str) -> list:
    rows = []
    for item in over_limit:
        rows.append([item["name"], item.get("registration_number") or "-",
                     long_date(as_date(item["entry_date"])), "-", number(item["nights"]),
                     "Masih tinggal"])
    for item in long_exits:
        rows.append([item["name"], item.get("registration_number") or "-",
                     long_date(as_date(item["entry_date"])), long_date(as_date(item["exit_date"])),
                     number(item["nights"]), meta.labels.of("exit", item["exit_type"])])
    numbered = [[str(i)] + row for i, row in enumerate(rows, start=1)]
    body = (table(["No", "Nama", "No. Registrasi", "Masuk", "Keluar", "Malam", "Keterangan"],
                  numbered, [1.1, 3.7, 3.4, 2.8, 2.8, 1.9, 3.5], numeric=(0, 5))
            if numbered else note("Tidak ada klien yang tinggal melewati batas."))
    return [*heading(f"{letter}. Klien dengan Lama Tinggal melewati {meta.max_stay_days} Malam"),
            body]


def extra_sections(sections: list[dict], first_letter: str) -> list:
    """Sections other parts of the application add as plain tables, in their `order`:
    {"title", "header": [...], "rows": [[...]], "widths": [cm...], "numeric"?: [col...],
    "note"?: text under the table, "empty"?: text when there are no rows}."""
    story = []
    letter = ord(first_letter)
    for section in sorted(sections, key=lambda s: (s.get("order", 100), s["title"])):
        story += heading(f"{chr(letter)}. {section['title']}")
        if section["rows"]:
            story.append(table(section["header"], section["rows"], section["widths"],
                               numeric=section.get("numeric")))
        else:
            story.append(note(section.get("empty") or "Tidak ada data."))
        if section.get("note"):
            story += [Spacer(1, 0.15 * cm), note(section["note"])]
        letter += 1
    return story


def render(title: str, subtitle: str, story: list, meta: Meta, letterhead: Letterhead, *,
           running: str | None = None, invariant: bool = False) -> bytes:
    """`running`: what later pages' header says after the title (default: the subtitle)."""
    full_title = f"{title} \u2013 {subtitle}"
    return build_document(title_block(title, subtitle) + story, title=full_title,
                          letterhead=letterhead, footer_note=generated_note(meta),
                          running_title=f"{prose_case(title)} \u2013 {running or subtitle}",
                          invariant=invariant)


def month_subtitle(meta: Meta) -> str:
    """"Periode November 2026" for a calendar month; the dates for any other range."""
    start, end = meta.period_from, meta.period_to
    next_day = end + timedelta(days=1)
    if start.day == 1 and next_day.day == 1 and (start.year, start.month) == (end.year, end.month):
        return f"Periode {month_year(start)}"
    return f"Periode {period_text(meta)}"


__all__ = ["Meta", "escape", "render"]
