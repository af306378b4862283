"""The parts official letters share (letters.md): date line, number block, identity lists,
signature blocks, belongings, tembusan and the verification QR code."""
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..base import Signatory, escape, field_table, frame_width, para, styles
from ..indonesian import age_on, count_with_words, long_date
from ..pmks import pmks_name
from .data import Belonging, Client, Party

WIDTH = frame_width()
UNKNOWN = "belum diketahui"
SIGN_SPACE = 1.6 * cm  # room for the signature and the stamp


def gap(height: float = 0.35) -> Spacer:
    return Spacer(1, height * cm)


def _plain_table(rows: list[list], widths: list[float], valign: str = "TOP") -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), valign),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def place_and_date(place: str, when) -> Paragraph:
    """`Slawi, 28 November 2026` on the right."""
    return para(f"{place}, {long_date(when)}", styles().right)


def document_title(title: str, number: str, verify_url: str | None = None) -> list:
    """A berita acara's title, centred, bold and underlined, with its number under it; with
    `verify_url`, the verification QR code at the right of the title (a compact page)."""
    st = styles()
    heading = [para(title, st.title, bold=True, underline=True),
               para(f"Nomor: {number}", st.center)]
    if not verify_url:
        return heading + [gap(0.5)]
    side = 4.6 * cm
    return [columns(["", heading, qr_inline(verify_url, size=1.5 * cm, width=side)],
                    [side, WIDTH - 2 * side, side], "MIDDLE"), gap(0.3)]


def numbered(items: list[str], *, style=None, indent: float = 0.6 * cm,
             width: float = WIDTH, start: int = 1) -> Table:
    """`1. ...` lines with the text aligned after the numbers."""
    style = style or styles().left
    rows = [[para(f"{i}.", style), para(text, style)] for i, text in enumerate(items, start=start)]
    return _plain_table(rows, [indent, width - indent])


def belongings_line(intro: str, items: tuple[Belonging, ...]) -> Paragraph:
    """`intro` and the belongings in one sentence ("...: Dompet – 1 buah; Kain – 2 lembar.")."""
    if not items:
        return para(f"{intro} tidak ada.", styles().body)
    texts = [f"{item.description} \u2013 {item.quantity} {item.unit}".rstrip() for item in items]
    return para(f"{intro}: " + "; ".join(texts) + ".", styles().body)


def belongings_list(items: tuple[Belonging, ...], indent: float = 1 * cm) -> Table | Paragraph:
    if not items:
        return para("Tidak ada barang titipan.", styles().left)
    texts = [f"{item.description} \u2013 {item.quantity} {item.unit}".rstrip() for item in items]
    return _indented(numbered(texts, indent=0.7 * cm, width=WIDTH - indent), indent)


def _indented(flowable, indent: float) -> Table:
    return _plain_table([["", flowable]], [indent, WIDTH - indent])


def describe_age(birth_date, estimated_age, on) -> str:
    if birth_date:
        return str(age_on(birth_date, on))
    return f"\u00b1 {estimated_age}" if estimated_age is not None else "-"


def client_rows(client: Client) -> list[tuple[str, str]]:
    """The identity list of letters.md, in its order."""
    rows = []
    if client.registration_number:
        rows.append(("No. Registrasi", client.registration_number))
    if client.identity_known:
        rows.append(("Nama", client.name_or_alias))
    else:
        rows.append(("Nama (alias)", f"{client.name_or_alias} (identitas belum diketahui)"))
    rows.append(("NIK", client.nik or UNKNOWN))
    rows.append(("Jenis Kelamin", client.sex_label or client.sex))
    if client.birth_date:
        place = client.birth_place or "-"
        rows.append(("Tempat/Tgl. Lahir", f"{place}, {long_date(client.birth_date)}"))
    else:
        if client.birth_place:
            rows.append(("Tempat Lahir", client.birth_place))
        known = client.estimated_age is not None
        age = f"\u00b1 {client.estimated_age} tahun" if known else UNKNOWN
        rows.append(("Perkiraan Umur", age))
    origin = ", ".join(p for p in (client.origin_address, client.origin_regency) if p)
    rows.append(("Alamat Asal", origin or UNKNOWN))
    rows.append(("Kategori PMKS", pmks_name(client.pmks_category)))
    rows.append(("Tanggal Masuk RPS", long_date(client.entered_at)))
    if client.nights is not None:
        stay = (count_with_words(client.nights, "hari") if client.nights
                else "kurang dari 1 (satu) hari")
        rows.append(("Lama Tinggal", stay))
    return rows


def identity_table(rows: list[tuple[str, object]], indent: float = 1 * cm) -> Table:
    return field_table(rows, WIDTH, indent=indent, label_width=4.3 * cm)


def party_rows(party: Party) -> list[tuple[str, str]]:
    rows = [("Nama", party.name), (party.id_label, party.id_number or "-")]
    if party.position:
        rows.append(("Jabatan", party.position))
    if party.office:
        rows.append(("Instansi", party.office))
    return rows


HANDWRITTEN_NAME = "(" + "." * 40 + ")"  # a name left to be written by hand
HANDWRITTEN_NUMBER = "." * 20


def signature(lines_above: list[str], name: str, lines_below: list[str], *,
              align: str = "center", space: float = SIGN_SPACE) -> list:
    """A signature block: who signs (office), space, the name bold and underlined, then rank
    and NIP. The office lines are ours or settings; the name is escaped like any text.
    Without a name, a dotted line where the signer writes it by hand."""
    st = styles()
    style = st.center if align == "center" else st.left
    block = [para(line, style) for line in lines_above]
    block.append(Spacer(1, space))
    if name:
        block.append(para(name, style, bold=True, underline=True))
    else:
        block.append(para(HANDWRITTEN_NAME, style))
    block += [para(line, style) for line in lines_below if line]
    return block


def signatory_block(signatory: Signatory, heading: str | None = None,
                    space: float = SIGN_SPACE) -> list:
    """The head of the RPS; with no name or NIP in the settings, dotted lines to fill in."""
    above = ([heading] if heading else []) + [signatory.title + ","]
    below = [signatory.rank or "", f"NIP. {signatory.nip or HANDWRITTEN_NUMBER}"]
    return signature(above, signatory.name, below, space=space)


def party_signature(role: str, verb: str, party: Party, space: float = SIGN_SPACE) -> list:
    """`PIHAK PERTAMA, / Yang Menyerahkan,`, space, name, `NIP. ...` (dotted when unknown)."""
    id_line = f"{party.id_label}. {party.id_number or HANDWRITTEN_NUMBER}"
    return signature([role + ",", verb + ","], party.name, [id_line], space=space)


def qr_block(url: str, size: float = 2.1 * cm, width: float = 5.5 * cm) -> Table:
    """The verification QR code with its caption."""
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    caption = Paragraph("Pindai untuk memeriksa keaslian surat:<br/>" + escape(url),
                        styles(9).small)
    return _plain_table([[drawing], [caption]], [max(size, width)])


def qr_inline(url: str, size: float = 1.8 * cm, width: float = 5 * cm) -> Table:
    """The verification QR code with its caption beside it (a compact block)."""
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    caption = Paragraph("Pindai untuk memeriksa keaslian surat:<br/>" + escape(url),
                        styles(8).small)
    return _plain_table([[drawing, caption]], [size + 0.2 * cm, width - size - 0.2 * cm],
                        "MIDDLE")


def identity_columns(rows: list[tuple[str, object]], indent: float = 0.6 * cm,
                     full_width: tuple[str, ...] = ("Alamat Asal",)) -> list:
    """An identity list in two columns (the first half left), the long rows (`full_width`)
    on lines of their own below: about half the height of one column."""
    short = [row for row in rows if row[0] not in full_width]
    long = [row for row in rows if row[0] in full_width]
    half = (len(short) + 1) // 2
    width = (WIDTH - indent) / 2
    left = field_table(short[:half], width, label_width=3.8 * cm)
    right = field_table(short[half:], width, label_width=3.8 * cm)
    block = [columns(["", left, right], [indent, width, width])]
    if long:
        block.append(field_table(long, WIDTH, indent=indent, label_width=3.8 * cm))
    return block


def three_signatures(first: list, middle: list, last: list) -> Table:
    """PIHAK PERTAMA left, `Mengetahui` (the head of the RPS) in the wider middle, PIHAK
    KEDUA right: one row, for a record that must fit one page."""
    side = 0.3 * WIDTH
    return columns([first, middle, last], [side, WIDTH - 2 * side, side])


def columns(cells: list, widths: list[float], valign: str = "TOP") -> Table:
    return _plain_table([cells], widths, valign)


def tembusan(items: tuple[str, ...]) -> list:
    if not items:
        return []
    st = styles(10)
    last = len(items)
    texts = [text.rstrip(" .;") + ("." if i == last else ";")
             for i, text in enumerate(items, start=1)]
    return [gap(0.3), KeepTogether([para("Tembusan:", st.left, underline=True),
                                    numbered(texts, style=st.left)])]


def two_party_signatures(first: list, second: list) -> Table:
    """PIHAK PERTAMA left, PIHAK KEDUA right."""
    half = WIDTH / 2
    return columns([first, second], [half, half])
