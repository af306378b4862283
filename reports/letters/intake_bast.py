"""BAST penerimaan: the berita acara serah terima in which the sending officer (Satpol PP, the
police, ...) hands a whole raid's people over to the RPS."""
from reportlab.lib.units import cm

from ..base import Letterhead, Signatory, build_document, grid_table, markup, para, styles
from ..indonesian import berita_acara_opening, count_with_words, full_date, long_date, time_of_day
from . import parts
from .data import IntakeBastData
from .handover import closing_and_signatures, party_section

TITLE = "BERITA ACARA SERAH TERIMA"
HEADER = ["No", "Nama", "L/P", "Umur", "Asal", "Keterangan"]
WIDTHS = [1.0 * cm, 4.6 * cm, 1.1 * cm, 1.5 * cm, 3.8 * cm]
CLOSING = ("Sejak berita acara ini ditandatangani, orang-orang tersebut di atas menjadi tanggung "
           "jawab PIHAK KEDUA untuk mendapatkan pelayanan sesuai ketentuan. Demikian berita acara "
           "serah terima ini dibuat dengan sebenarnya dalam rangkap 2 (dua) untuk dipergunakan "
           "sebagaimana mestinya.")


def _people_table(data: IntakeBastData):
    on = data.received_at.date()
    rows = [[str(i), row.name_or_alias + ("" if row.identity_known else " (alias)"), row.sex,
             parts.describe_age(row.birth_date, row.estimated_age, on), row.origin or "-",
             row.remarks or "-"]
            for i, row in enumerate(data.clients, start=1)]
    widths = WIDTHS + [parts.WIDTH - sum(WIDTHS)]
    return grid_table(HEADER, rows, widths, align={0: "CENTER", 2: "CENTER", 3: "CENTER"})


def _belongings(data: IntakeBastData) -> list:
    st = styles()
    holders = [(i, row) for i, row in enumerate(data.clients, start=1) if row.belongings]
    if not holders:
        return [para("Tidak ada barang bawaan yang dititipkan.", st.body)]
    rows = [[str(i), row.name_or_alias,
             "; ".join(f"{b.description} ({b.quantity} {b.unit})".replace(" )", ")")
                       for b in row.belongings)]
            for i, row in holders]
    widths = [1.8 * cm, 4.6 * cm, parts.WIDTH - 6.4 * cm]
    return [para("Barang bawaan yang dititipkan kepada PIHAK KEDUA:", st.body), parts.gap(0.15),
            grid_table(["No. Urut", "Nama", "Barang"], rows, widths, align={0: "CENTER"})]


def _story(data: IntakeBastData, lh: Letterhead) -> list:
    st = styles()
    tz = data.timezone_label
    men = sum(1 for row in data.clients if row.sex == "L")
    women = len(data.clients) - men
    story = parts.document_title(TITLE, data.number)
    story += [
        markup("{opening} ({date}) pukul {time} {tz}, bertempat di {issuer}, kami yang bertanda "
               "tangan di bawah ini:", st.body, opening=berita_acara_opening(data.received_at),
               date=long_date(data.received_at), time=time_of_day(data.received_at), tz=tz,
               issuer=lh.issuer),
        parts.gap(0.25)]
    story += party_section(1, "PIHAK PERTAMA", parts.party_rows(data.sender))
    story += party_section(2, "PIHAK KEDUA", parts.party_rows(data.receiver))
    story += [
        markup("<b>PIHAK PERTAMA</b> menyerahkan kepada <b>PIHAK KEDUA</b> orang-orang hasil "
               "penertiban di {place} pada {when} pukul {time} {tz} sebanyak <b>{count}</b>, "
               "terdiri atas {men} dan {women}, dengan rincian sebagai berikut:", st.body,
               place=data.operation_place, when=full_date(data.operation_at),
               time=time_of_day(data.operation_at), tz=tz,
               count=count_with_words(len(data.clients), "orang"),
               men=count_with_words(men, "laki-laki"), women=count_with_words(women, "perempuan")),
        parts.gap(0.2), _people_table(data), parts.gap(0.1),
        markup("Jumlah: {count}.", st.left, count=count_with_words(len(data.clients), "orang")),
        parts.gap(0.3)]
    story += _belongings(data) + [parts.gap(0.3)]
    if data.notes:
        story += [markup("<b>Catatan:</b> {notes}", st.body, notes=data.notes), parts.gap(0.3)]
    return story


def build(data: IntakeBastData, letterhead: Letterhead, signatory: Signatory | None = None, *,
          invariant: bool = False) -> bytes:
    """The BAST; `signatory` (the head of the RPS), when given, signs as `Mengetahui`."""
    first = parts.party_signature("PIHAK PERTAMA", "Yang Menyerahkan", data.sender)
    second = parts.party_signature("PIHAK KEDUA", "Yang Menerima", data.receiver)
    story = _story(data, letterhead) + [
        closing_and_signatures(CLOSING, first, second, signatory, data.verify_url)]
    return build_document(story, title=f"Berita Acara Serah Terima {data.number}",
                          letterhead=letterhead, footer_note=f"Nomor {data.number}",
                          invariant=invariant)
