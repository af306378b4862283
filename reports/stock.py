"""Logistics stock documents: the kartu stok of an item for a period, and the berita acara of
a stock count (opname). Plain data in (labels included), PDF bytes out."""
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether

from .base import Letterhead, Signatory, build_document, field_table, grid_table, markup, para, styles
from .indonesian import berita_acara_opening, count_with_words, long_date, time_of_day
from .letters import parts

CARD_TITLE = "KARTU STOK"
COUNT_TITLE = "BERITA ACARA STOCK OPNAME"


@dataclass(frozen=True)
class CardLine:
    at: datetime           # local time
    description: str       # e.g. "Penerimaan (APBD) No. 027/12"
    lots: str              # "A-1 (5), B-2 (3)" or "-"
    incoming: int
    outgoing: int
    balance: int


@dataclass(frozen=True)
class CardData:
    code: str
    name: str
    unit: str
    category: str          # its label
    min_level: int
    start: date
    end: date
    opening: int
    lines: tuple[CardLine, ...]
    closing: int
    printed_at: datetime   # local time
    printed_by: str = ""
    timezone_label: str = "WIB"


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _card_table(data: CardData):
    rows = [["", long_date(data.start), "Saldo awal", "", "", "", _number(data.opening)]]
    for i, line in enumerate(data.lines, start=1):
        rows.append([str(i), f"{line.at:%d/%m/%Y %H:%M}", line.description, line.lots,
                     _number(line.incoming) if line.incoming else "",
                     _number(line.outgoing) if line.outgoing else "", _number(line.balance)])
    total_in = sum(line.incoming for line in data.lines)
    total_out = sum(line.outgoing for line in data.lines)
    rows.append(["", long_date(data.end), "Jumlah dan saldo akhir", "", _number(total_in),
                 _number(total_out), _number(data.closing)])
    widths = [0.9 * cm, 2.6 * cm, 5.8 * cm, 2.6 * cm, 1.6 * cm, 1.6 * cm]
    widths.append(parts.WIDTH - sum(widths))
    return grid_table(["No", "Tanggal", "Uraian", "Lot", "Masuk", "Keluar", "Sisa"], rows,
                      widths, align={0: "CENTER", 4: "RIGHT", 5: "RIGHT", 6: "RIGHT"})


def build_card(data: CardData, letterhead: Letterhead, signatory: Signatory, *,
               invariant: bool = False) -> bytes:
    st = styles()
    period = f"{long_date(data.start)} s.d. {long_date(data.end)}"
    story = [para(CARD_TITLE, st.title, bold=True, underline=True), parts.gap(0.4),
             field_table([("Kode barang", data.code), ("Nama barang", data.name),
                          ("Satuan", data.unit), ("Kategori", data.category),
                          ("Stok minimum", f"{_number(data.min_level)} {data.unit}"),
                          ("Periode", period)], parts.WIDTH, label_width=3.6 * cm),
             parts.gap(0.3), _card_table(data), parts.gap(0.2),
             markup("Saldo awal {opening} {unit}, saldo akhir {closing} {unit}; waktu dalam {tz}.",
                    st.small, opening=_number(data.opening), closing=_number(data.closing),
                    unit=data.unit, tz=data.timezone_label),
             parts.gap(0.5)]
    left = parts.signatory_block(signatory, heading="Mengetahui,")
    right = parts.signature([f"{letterhead.place}, {long_date(data.printed_at)}",
                             "Petugas Logistik,"], data.printed_by, ["NIP. " + parts.HANDWRITTEN_NUMBER])
    half = parts.WIDTH / 2
    story.append(KeepTogether([parts.columns([left, right], [half, half])]))
    title = f"Kartu Stok {data.code} {period}"
    return build_document(story, title=title, letterhead=letterhead,
                          footer_note=f"Kartu stok {data.code} \u2013 {period}",
                          invariant=invariant, running_title=title)


@dataclass(frozen=True)
class CountLine:
    code: str
    name: str
    lot: str               # "-" for the whole item or stock without a lot
    unit: str
    expected: int
    counted: int

    @property
    def difference(self) -> int:
        return self.counted - self.expected


@dataclass(frozen=True)
class CountData:
    number: str
    at: datetime           # local time
    counters: tuple[str, ...]
    lines: tuple[CountLine, ...]
    note: str | None = None
    timezone_label: str = "WIB"
    recorded_by: str = ""
    extra: dict = field(default_factory=dict)


def _signed(n: int) -> str:
    return ("+" if n > 0 else "") + _number(n) if n else "0"


def _count_table(data: CountData):
    rows = [[str(i), line.code, line.name, line.lot, line.unit, _number(line.expected),
             _number(line.counted), _signed(line.difference)]
            for i, line in enumerate(data.lines, start=1)]
    widths = [0.9 * cm, 2.0 * cm, 4.6 * cm, 2.2 * cm, 1.6 * cm, 1.7 * cm, 1.7 * cm]
    widths.append(parts.WIDTH - sum(widths))
    return grid_table(["No", "Kode", "Nama barang", "Lot", "Satuan", "Tercatat", "Terhitung",
                       "Selisih"], rows, widths,
                      align={0: "CENTER", 5: "RIGHT", 6: "RIGHT", 7: "RIGHT"})


def build_count(data: CountData, letterhead: Letterhead, signatory: Signatory, *,
                invariant: bool = False) -> bytes:
    st = styles()
    differing = sum(1 for line in data.lines if line.difference)
    story = parts.document_title(COUNT_TITLE, data.number)
    story += [
        markup("{opening} ({date}) pukul {time} {tz}, bertempat di {issuer}, telah dilaksanakan "
               "pemeriksaan fisik persediaan barang logistik (stock opname) oleh petugas "
               "penghitung yang bertanda tangan di bawah ini, dengan hasil sebagai berikut:",
               st.body, opening=berita_acara_opening(data.at), date=long_date(data.at),
               time=time_of_day(data.at), tz=data.timezone_label, issuer=letterhead.issuer),
        parts.gap(0.25), _count_table(data), parts.gap(0.2),
        markup("Jumlah baris: {lines}; berselisih: {diff}. Setiap selisih dicatat sebagai "
               "penyesuaian (adjustment) pada kartu stok barang yang bersangkutan.", st.body,
               lines=count_with_words(len(data.lines)), diff=count_with_words(differing))]
    if data.note:
        story += [parts.gap(0.2), markup("<b>Catatan:</b> {note}", st.body, note=data.note)]
    story += [parts.gap(0.2),
              para("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
                   "sebagaimana mestinya.", st.body), parts.gap(0.3),
              parts.place_and_date(letterhead.place, data.at), parts.gap(0.2)]
    counters = list(data.counters) or [""]
    cells = [parts.signature([f"Petugas Penghitung {i}," if len(counters) > 1
                              else "Petugas Penghitung,"], name, [])
             for i, name in enumerate(counters, start=1)]
    signatures = []
    for start in range(0, len(cells), 3):
        row = cells[start:start + 3]
        signatures.append(parts.columns(row, [parts.WIDTH / len(row)] * len(row)))
        signatures.append(parts.gap(0.3))
    signatures.append(parts.columns([parts.signatory_block(signatory, heading="Mengetahui,")],
                                    [parts.WIDTH]))
    story.append(KeepTogether(signatures))
    return build_document(story, title=f"Berita Acara Stock Opname {data.number}",
                          letterhead=letterhead, footer_note=f"Nomor {data.number}",
                          invariant=invariant)
