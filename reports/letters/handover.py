"""Berita acara penyerahan: the record of handing a client over to the family (`family`) or
to the home region (`home_region`) on exit."""
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether

from ..base import Letterhead, Signatory, build_document, markup, para, styles
from ..indonesian import berita_acara_opening, long_date
from . import parts
from .data import FamilyContact, HandoverLetterData

TITLE = "BERITA ACARA PENYERAHAN"
PURPOSES = {"family": "untuk dikembalikan kepada keluarganya",
            "home_region": "untuk dipulangkan ke daerah asalnya"}
RELATION_LABELS = {"family": "Hubungan Keluarga", "home_region": "Jabatan/Instansi"}
CLOSING = ("Sejak berita acara ini ditandatangani, klien tersebut menjadi tanggung jawab PIHAK "
           "KEDUA. Demikian berita acara ini dibuat dalam rangkap 2 (dua) untuk dipergunakan "
           "sebagaimana mestinya.")


def _receiver_rows(receiver: FamilyContact, exit_type: str) -> list[tuple[str, str]]:
    return [("Nama", receiver.name), (RELATION_LABELS[exit_type], receiver.relation or "-"),
            ("Alamat", receiver.address or "-"), ("No. Telepon", receiver.phone or "-")]


def party_section(number: int, label: str, rows: list[tuple[str, str]],
                  after: float = 0.25) -> list:
    """`1. PIHAK PERTAMA`, the party's aligned list, `selanjutnya disebut PIHAK PERTAMA.`"""
    st = styles()
    return [parts.numbered([label], style=st.heading, start=number),
            parts.identity_table(rows, indent=0.6 * cm),
            markup("selanjutnya disebut <b>{label}</b>.",
                   st.left.clone("after", leftIndent=0.6 * cm), label=label), parts.gap(after)]


def _story(data: HandoverLetterData, lh: Letterhead, signatory: Signatory) -> list:
    st = styles()
    story = parts.document_title(TITLE, data.number, data.verify_url)
    story += [markup("{opening} ({date}), bertempat di {issuer}, kami yang bertanda tangan di "
                     "bawah ini:", st.body, opening=berita_acara_opening(data.date),
                     date=long_date(data.date), issuer=lh.issuer), parts.gap(0.25)]
    story += party_section(1, "PIHAK PERTAMA", parts.party_rows(data.officer), after=0.1)
    story += party_section(2, "PIHAK KEDUA", _receiver_rows(data.receiver, data.exit_type),
                           after=0.1)
    story += [
        markup("<b>PIHAK PERTAMA</b> menyerahkan kepada <b>PIHAK KEDUA</b>, dan <b>PIHAK KEDUA"
               "</b> menerima dari <b>PIHAK PERTAMA</b>, seorang klien {issuer} {purpose}, "
               "dengan identitas sebagai berikut:", st.body, issuer=lh.issuer,
               purpose=PURPOSES[data.exit_type]),
        parts.gap(0.15), *parts.identity_columns(parts.client_rows(data.client)),
        parts.gap(0.25),
        parts.belongings_line("Barang milik klien yang dititipkan di RPS dan dikembalikan "
                              "kepada PIHAK KEDUA", data.belongings),
        parts.gap(0.25),
    ]
    if data.notes:
        story += [markup("<b>Catatan:</b> {notes}", st.body, notes=data.notes), parts.gap(0.3)]
    return story


def closing_and_signatures(closing: str, first: list, second: list,
                           signatory: Signatory | None, verify_url: str | None) -> KeepTogether:
    """The closing sentence, both parties side by side, then `Mengetahui` centred below with
    the QR code on the left: one block, never split over two pages."""
    rows = [para(closing, styles().body), parts.gap(0.5), parts.two_party_signatures(first, second)]
    if signatory or verify_url:
        middle = parts.signatory_block(signatory, heading="Mengetahui,") if signatory else ""
        centre = 9 * cm
        side = (parts.WIDTH - centre) / 2
        qr = parts.qr_block(verify_url, size=2 * cm, width=side) if verify_url else ""
        rows += [parts.gap(0.3), parts.columns([qr, middle, ""], [side, centre, side])]
    return KeepTogether(rows)


def one_page_closing(closing: str, first: list, second: list,
                     signatory: Signatory | None) -> KeepTogether:
    """The closing sentence, then the two parties with the head of the RPS (`Mengetahui`)
    between them on one row (the QR code sits beside the title): the handover of one
    person fits one page. The closing sentence is part of the block, so the signatures
    never stand alone on a page."""
    text = para(closing, styles().body)
    middle = parts.signatory_block(signatory, heading="Mengetahui,",
                                   space=ONE_PAGE_SIGN_SPACE) if signatory else []
    return KeepTogether([text, parts.gap(0.3), parts.three_signatures(first, middle, second)])


ONE_PAGE_SIGN_SPACE = 1.2 * cm  # still room for a signature and the stamp beside it


def build(data: HandoverLetterData, letterhead: Letterhead, signatory: Signatory, *,
          invariant: bool = False) -> bytes:
    first = parts.party_signature("PIHAK PERTAMA", "Yang Menyerahkan", data.officer,
                                  space=ONE_PAGE_SIGN_SPACE)
    second = parts.signature(["PIHAK KEDUA,", "Yang Menerima,"], data.receiver.name, [],
                             space=ONE_PAGE_SIGN_SPACE)
    story = _story(data, letterhead, signatory) + [
        one_page_closing(CLOSING, first, second, signatory)]
    return build_document(story, title=f"Berita Acara Penyerahan {data.number}",
                          letterhead=letterhead, footer_note=f"Nomor {data.number}",
                          invariant=invariant)
