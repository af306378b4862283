"""The document base every PDF of the project stands on: A4 pages, the letterhead (kop surat),
"Halaman x dari y" footers, embedded fonts, PDF metadata, and escaping of user text.

Fonts: ReportLab's bundled Bitstream Vera covers only Latin-1 and a few more letters
(no `Ś`, `Ĝ`, `ă`, `ș`), so names outside it would print as empty boxes. The package ships
DejaVu Sans instead (Vera's own extension, same licence, same look), cut down to the Latin
scripts and punctuation to stay small (reports/assets/).

User text must go through `para()` (or `escape()`): a Paragraph parses markup, so a name
such as `</para><font size=200>` would otherwise break the document or restyle it.
"""
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape as _landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

ASSETS = os.path.join(os.path.dirname(__file__), "assets")
FONT = "RpsSans"
FONT_BOLD = "RpsSans-Bold"
FONT_ITALIC = "RpsSans-Italic"
FONT_BOLD_ITALIC = "RpsSans-BoldItalic"

# Tata naskah dinas margins, a little tighter at the top where the letterhead sits.
MARGIN_LEFT = 2.5 * cm
MARGIN_RIGHT = 2 * cm
MARGIN_TOP = 1.2 * cm
MARGIN_BOTTOM = 1.8 * cm
FOOTER_Y = 1.0 * cm
SLIM_HEADER_HEIGHT = 1.0 * cm
SLIM_LEADING = 9.5  # points between the two lines of a wrapped running title


@lru_cache(maxsize=None)
def register_fonts() -> str:
    """Register the embedded TrueType family once; return its regular face's name."""
    files = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
             FONT_ITALIC: "DejaVuSans-Oblique.ttf", FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}
    for name, filename in files.items():
        pdfmetrics.registerFont(TTFont(name, os.path.join(ASSETS, filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    return FONT


@dataclass(frozen=True)
class Letterhead:
    """The kop surat. Defaults are those of the RPS of Kabupaten Tegal; settings override."""
    government: str = "PEMERINTAH KABUPATEN TEGAL"
    office: str = "DINAS SOSIAL"
    unit: str = "UPTD RUMAH PERLINDUNGAN SOSIAL"
    address_lines: tuple[str, ...] = ("Slawi, Kabupaten Tegal, Jawa Tengah",)
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    postal_code: str | None = "52411"
    place: str = "Slawi"  # where letters are dated: "Slawi, 6 November 2026"
    logo: bytes | None = None  # PNG or JPEG of the regency's emblem

    def contact_line(self) -> str:
        parts = []
        if self.phone:
            parts.append(f"Telepon {self.phone}")
        if self.email:
            parts.append(f"Pos-el {self.email}")
        if self.website:
            parts.append(f"Laman {self.website}")
        if self.postal_code:
            parts.append(f"Kode Pos {self.postal_code}")
        return " \u2022 ".join(parts)

    @property
    def author(self) -> str:
        """`UPTD RUMAH PERLINDUNGAN SOSIAL, DINAS SOSIAL KABUPATEN TEGAL` (PDF metadata)."""
        return f"{self.unit}, {self.office} {self.region}"

    @property
    def region(self) -> str:
        return self.government.removeprefix("PEMERINTAH ").strip()

    @property
    def issuer(self) -> str:
        """The unit as running text names it: `UPTD Rumah Perlindungan Sosial Dinas Sosial
        Kabupaten Tegal`."""
        return prose_case(f"{self.unit} {self.office} {self.region}")


@dataclass(frozen=True)
class Signatory:
    """Who signs: the office title, the name, rank and grade, and the 18-digit NIP."""
    title: str = "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL"
    name: str = ""
    rank: str | None = None  # e.g. "Penata Tingkat I (III/d)"
    nip: str | None = None


# ---------------------------------------------------------------- text and styles

_ACRONYMS = {"UPTD", "UPT", "RPS", "RSUD", "RSJ", "DKI", "DIY", "PMKS", "NAPZA", "II", "III", "IV"}
_SMALL_WORDS = {"DAN", "DI", "DARI", "KE", "YANG", "UNTUK"}


def prose_case(upper: str) -> str:
    """`UPTD RUMAH PERLINDUNGAN SOSIAL` -> `UPTD Rumah Perlindungan Sosial` for running text."""
    words = []
    for i, word in enumerate(upper.split()):
        if word in _ACRONYMS:
            words.append(word)
        elif i and word in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append(word.capitalize())
    return " ".join(words)


def escape(text: object) -> str:
    """User text made safe for a Paragraph: markup characters escaped, quotes too, and line
    breaks kept as <br/>. Anything that is not a string is printed through str()."""
    safe = _xml_escape("" if text is None else str(text), {'"': "&quot;", "'": "&#39;"})
    return safe.replace("\r\n", "\n").replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    left: ParagraphStyle
    center: ParagraphStyle
    right: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle


@lru_cache(maxsize=None)
def styles(size: float = 10) -> Styles:
    """The paragraph styles of a document with body text of `size` points."""
    register_fonts()
    leading = size * 1.35
    left = ParagraphStyle("left", fontName=FONT, fontSize=size, leading=leading,
                          alignment=TA_LEFT, splitLongWords=1)
    small_size = size - 2
    cell = ParagraphStyle("cell", parent=left, fontSize=small_size, leading=small_size * 1.25)
    return Styles(
        body=ParagraphStyle("body", parent=left, alignment=TA_JUSTIFY),
        left=left,
        center=ParagraphStyle("center", parent=left, alignment=TA_CENTER),
        right=ParagraphStyle("right", parent=left, alignment=TA_RIGHT),
        small=ParagraphStyle("small", parent=left, fontSize=small_size,
                             leading=small_size * 1.3),
        cell=cell,
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=FONT_BOLD,
                                 alignment=TA_CENTER),
        title=ParagraphStyle("title", parent=left, fontName=FONT_BOLD, fontSize=size + 1,
                             leading=(size + 1) * 1.3, alignment=TA_CENTER),
        heading=ParagraphStyle("heading", parent=left, fontName=FONT_BOLD),
    )


def para(text: object, style: ParagraphStyle, *, bold: bool = False,
         underline: bool = False) -> Paragraph:
    """A Paragraph of user text, always escaped; `bold`/`underline` wrap the whole text."""
    markup = escape(text)
    if bold:
        markup = f"<b>{markup}</b>"
    if underline:
        markup = f"<u>{markup}</u>"
    return Paragraph(markup, style)


def markup(template: str, style: ParagraphStyle, **values: object) -> Paragraph:
    """A Paragraph from our own markup `template` with user `values` escaped into it:
    `markup("<b>{name}</b> menerima", st.body, name=client_name)`."""
    return Paragraph(template.format(**{key: escape(value) for key, value in values.items()}),
                     style)


def field_table(rows: list[tuple[str, object]], width: float, *, label_width: float = 4.2 * cm,
                style: ParagraphStyle | None = None, indent: float = 0) -> Table:
    """An aligned list `Label : value` (labels are ours, values are user text, escaped)."""
    style = style or styles().left
    colon = 0.4 * cm
    data = [[para(label, style), para(":", style), para(value, style)] for label, value in rows]
    widths = [label_width, colon, width - indent - label_width - colon]
    if indent:
        data = [[""] + row for row in data]
        widths = [indent] + widths
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def grid_table(header: list[str], rows: list[list[object]], col_widths: list[float], *,
               align: dict[int, str] | None = None) -> Table:
    """A ruled table whose header repeats on every page; every cell is escaped user text.
    `align` maps a column index to LEFT/CENTER/RIGHT for its body cells."""
    st = styles()
    aligned = {"CENTER": st.cell.clone("cell_c", alignment=TA_CENTER),
               "RIGHT": st.cell.clone("cell_r", alignment=TA_RIGHT)}
    align = align or {}
    body = [[para(value, aligned.get(align.get(i, "LEFT"), st.cell)) for i, value in enumerate(row)]
            for row in rows]
    table = Table([[para(h, st.cell_head) for h in header]] + body, colWidths=col_widths,
                  repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


# ---------------------------------------------------------------- page furniture

def _fitted_size(text: str, font: str, size: float, width: float) -> float:
    """Shrink a letterhead line until it fits the width (settings may hold long names)."""
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _letterhead_lines(lh: Letterhead) -> list[tuple[str, str, float]]:
    lines = [(lh.government, FONT, 13), (lh.office, FONT_BOLD, 17), (lh.unit, FONT_BOLD, 13)]
    small = [line for line in (*lh.address_lines, lh.contact_line()) if line]
    return lines + [(line, FONT, 8.5) for line in small]


def letterhead_height(lh: Letterhead) -> float:
    """Height of the kop surat from the top margin down to below its double rule."""
    text = sum(size * 1.22 for _, _, size in _letterhead_lines(lh))
    return max(text, 2.3 * cm if lh.logo else 0) + 0.45 * cm


def draw_letterhead(canvas: Canvas, lh: Letterhead, page_width: float) -> None:
    top = canvas._pagesize[1] - MARGIN_TOP
    width = page_width - MARGIN_LEFT - MARGIN_RIGHT
    logo_width = 2.2 * cm if lh.logo else 0
    text_width = width - 2 * (logo_width + 0.2 * cm) if lh.logo else width
    centre = MARGIN_LEFT + width / 2
    lines = _letterhead_lines(lh)
    block = sum(size * 1.22 for _, _, size in lines)
    body_height = letterhead_height(lh) - 0.45 * cm
    y = top - (body_height - block) / 2  # centre the text on the logo when that is taller
    for text, font, size in lines:
        size_fit = _fitted_size(text, font, size, text_width)
        y -= size * 1.22
        canvas.setFont(font, size_fit)
        canvas.drawCentredString(centre, y + size * 0.25, text)
    if lh.logo:
        image = ImageReader(io.BytesIO(lh.logo))
        canvas.drawImage(image, MARGIN_LEFT, top - body_height, width=logo_width,
                         height=body_height, preserveAspectRatio=True, anchor="c", mask="auto")
    rule = top - body_height - 0.15 * cm
    canvas.setLineWidth(2.2)
    canvas.line(MARGIN_LEFT, rule, MARGIN_LEFT + width, rule)
    canvas.setLineWidth(0.7)
    canvas.line(MARGIN_LEFT, rule - 3, MARGIN_LEFT + width, rule - 3)


def slim_header_lines(title: str, room: float, size: float = 8, max_lines: int = 2) -> list[str]:
    """The running title in lines of at most `room` points: whole words, two lines at most,
    and an ellipsis only when even two lines cannot hold it."""
    lines = simpleSplit(title, FONT, size, room) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += "\u2026"
    last = lines[-1]
    while len(last) > 1 and pdfmetrics.stringWidth(last, FONT, size) > room:
        last = last.rstrip("\u2026")[:-1].rstrip() + "\u2026"
    return lines[:-1] + [last]


def draw_slim_header(canvas: Canvas, lh: Letterhead, title: str, page_width: float) -> None:
    """Unit on the left, the running title on the right (wrapped onto a second line above the
    rule when it does not fit beside the unit), a thin rule under both."""
    y = canvas._pagesize[1] - MARGIN_TOP - 0.45 * cm
    right = page_width - MARGIN_RIGHT
    canvas.setFont(FONT, 8)
    unit = f"{lh.office} \u2013 {lh.unit}"
    room = right - MARGIN_LEFT - pdfmetrics.stringWidth(unit, FONT, 8) - 1 * cm
    lines = slim_header_lines(title, room)
    top = y + (len(lines) - 1) * SLIM_LEADING
    canvas.drawString(MARGIN_LEFT, top, unit)
    for i, line in enumerate(lines):
        canvas.drawRightString(right, top - i * SLIM_LEADING, line)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_LEFT, y - 0.15 * cm, right, y - 0.15 * cm)


def _numbered_canvas(footer_note: str):
    """A canvas class that holds pages back until the end, so each can say `dari y`."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width = self._pagesize[0]
            self.saveState()
            self.setFont(FONT, 8)
            self.drawRightString(width - MARGIN_RIGHT, FOOTER_Y, f"Halaman {number} dari {total}")
            if footer_note:
                self.drawString(MARGIN_LEFT, FOOTER_Y, footer_note)
            self.restoreState()

    return NumberedCanvas


def build_document(story: list, *, title: str, letterhead: Letterhead,
                   author: str | None = None, subject: str | None = None,
                   footer_note: str = "", landscape: bool = False,
                   invariant: bool = False, running_title: str | None = None) -> bytes:
    """Lay out `story` on A4 (portrait, or landscape for wide tables) with the kop surat on
    the first page, a slim header on later ones (with `running_title`, else `title`), and
    "Halaman x dari y" on every page. `invariant=True` gives byte-identical output for identical input (tests)."""
    register_fonts()
    pagesize = _landscape(A4) if landscape else A4
    page_width, page_height = pagesize
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=pagesize, title=title, author=author or letterhead.author,
        subject=subject or title, creator="RPS Kabupaten Tegal", invariant=int(invariant),
        leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM)
    frame_width = page_width - MARGIN_LEFT - MARGIN_RIGHT
    first_top = page_height - MARGIN_TOP - letterhead_height(letterhead) - 0.2 * cm
    later_top = page_height - MARGIN_TOP - SLIM_HEADER_HEIGHT

    def frame(name: str, top: float) -> Frame:
        return Frame(MARGIN_LEFT, MARGIN_BOTTOM, frame_width, top - MARGIN_BOTTOM, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    doc.addPageTemplates([
        PageTemplate(id="first", frames=[frame("first", first_top)], autoNextPageTemplate="later",
                     onPage=lambda c, d: draw_letterhead(c, letterhead, page_width)),
        PageTemplate(id="later", frames=[frame("later", later_top)],
                     onPage=lambda c, d: draw_slim_header(c, letterhead, running_title or title,
                                                          page_width)),
    ])
    doc.build(story, canvasmaker=_numbered_canvas(footer_note))
    return buffer.getvalue()


def frame_width(landscape: bool = False) -> float:
    """The width a story may use."""
    page_width = (_landscape(A4) if landscape else A4)[0]
    return page_width - MARGIN_LEFT - MARGIN_RIGHT
