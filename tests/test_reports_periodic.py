"""The PDF reports: built from the hand-computed month, read back with pypdf."""
import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from rps_app.reporting import documents

from .reporting_data import build_scenario


def text_of(pdf: bytes) -> str:
    """The text of every page, whitespace folded (table cells wrap long names)."""
    pages = (page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(" ".join(pages).split())


@pytest.fixture
def scenario(ctx):
    return build_scenario()


def test_monthly_report_names_its_period_and_escapes_names(scenario):
    pdf = documents.build("monthly", date(2026, 3, 1), date(2026, 3, 31))
    text = text_of(pdf)
    assert pdf.startswith(b"%PDF")
    assert "LAPORAN BULANAN" in text and "Periode Maret 2026" in text
    assert "Siti <b>Aminah</b>" in text  # printed literally, not as markup
    assert "Halaman 1 dari" in text
    for heading in ("Tingkat Hunian", "Penerimaan Klien", "Terminasi", "Lama Tinggal",
                    "Standar Pelayanan Minimal", "melewati 7 Malam"):
        assert heading in text


def test_daily_census_lists_residents_at_seven(scenario):
    # At 07:00 WIB on 6 March: D (isolation), E (arrived 01:00), F; B left on the 4th.
    text = text_of(documents.build("daily", date(2026, 3, 6), date(2026, 3, 6)))
    assert "LAPORAN HARIAN" in text and "Jumat, 6 Maret 2026" in text
    assert "Siti <b>Aminah</b>" in text
    data = documents.collect("daily", date(2026, 3, 6), date(2026, 3, 6))
    assert len(data["residents"]) == 3
    # Received since 5 March 07:00: D (10:00) and E (01:00).
    assert [a["stay_id"] for a in data["admissions"]] == [scenario["D"], scenario["E"]]
    assert data["exits"] == []


def test_occupancy_and_length_of_stay_reports(scenario):
    occ = text_of(documents.build("occupancy", date(2026, 3, 1), date(2026, 3, 10)))
    assert "LAPORAN TINGKAT HUNIAN" in occ and "1 Maret 2026 s.d. 10 Maret 2026" in occ
    assert "2,5%" in occ  # 22 of 893 bed nights
    los = text_of(documents.build("length-of-stay", date(2026, 3, 1), date(2026, 3, 10)))
    assert "LAPORAN LAMA TINGGAL KLIEN" in los and "Melarikan diri" in los


def test_a_section_heading_never_stands_alone_at_the_foot_of_a_page():
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer

    from reportlab.lib.pagesizes import A4

    from reports.base import (MARGIN_BOTTOM, MARGIN_TOP, Letterhead, build_document,
                              letterhead_height)
    from reports.periodic import heading, table

    # Filler that leaves about 2 cm on page 1: the heading moves to page 2 with its table.
    first_frame = A4[1] - MARGIN_TOP - letterhead_height(Letterhead()) - 0.2 * cm - MARGIN_BOTTOM
    filler = [Spacer(1, first_frame - 2.5 * cm)]
    story = filler + heading("E. Bagian Uji") + [table(["Uraian", "Jumlah"], [["a", "1"]], [6, 3])]
    pages = PdfReader(io.BytesIO(build_document(story, title="Uji", letterhead=Letterhead(),
                                                invariant=True))).pages
    assert len(pages) == 2
    assert "Bagian Uji" not in pages[0].extract_text()
    assert "Bagian Uji" in pages[1].extract_text() and "Uraian" in pages[1].extract_text()


def _later_page_header(pdf: bytes) -> str:
    """The text above the first table of page 2: the slim running header."""
    text = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    return " ".join(text.split("\n")[:3])


def test_the_running_header_of_later_pages_holds_the_longest_date_whole():
    from reports import daily
    from reports.base import Letterhead
    from reports.periodic import Meta

    at = datetime(2026, 9, 27, 7, 0)  # Minggu, 27 September: the longest day and month names
    resident = {"name": "Karyono", "registration_number": "RPS-2026-00001", "sex": "L",
                "room_kind": "shelter", "room_name": "Shelter Putra 1", "bed": "A",
                "entry_date": date(2026, 9, 25), "nights": 2}
    data = {"census_at": at, "capacity": {"L": 40, "P": 40, "isolation": 10},
            "residents": [resident] * 60, "admissions": [], "exits": []}
    meta = Meta(date(2026, 9, 27), date(2026, 9, 27), at)
    header = _later_page_header(daily.build(data, meta, Letterhead(), invariant=True))
    assert "Laporan Harian \u2013 Minggu, 27 September 2026" in header
    assert "\u2026" not in header


def test_a_running_title_too_long_for_one_line_wraps_onto_two():
    from reports.base import FONT, register_fonts, slim_header_lines
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    title = "Laporan Tingkat Hunian \u2013 Periode 1 September 2026 s.d. 30 September 2026"
    lines = slim_header_lines(title, 220)
    assert len(lines) == 2 and " ".join(lines) == title
    assert all(pdfmetrics.stringWidth(line, FONT, 8) <= 220 for line in lines)
    # Only what two lines cannot hold is cut, with an ellipsis.
    cut = slim_header_lines(title * 3, 220)
    assert len(cut) == 2 and cut[-1].endswith("\u2026")
    assert pdfmetrics.stringWidth(cut[-1], FONT, 8) <= 220


def test_daily_report_of_a_range_has_one_census_per_morning(scenario):
    pdf = documents.build("daily", date(2026, 3, 5), date(2026, 3, 7))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    text = "\n".join(pages)
    for day in ("Kamis, 5 Maret 2026", "Jumat, 6 Maret 2026", "Sabtu, 7 Maret 2026"):
        assert f"Sensus klien {day}" in text
    assert len(pages) >= 3  # each morning starts a page


def test_monthly_report_names_a_month_or_the_dates_of_another_range(scenario):
    assert "Periode Maret 2026" in text_of(documents.build("monthly", date(2026, 3, 1),
                                                           date(2026, 3, 31)))
    text = text_of(documents.build("monthly", date(2026, 3, 2), date(2026, 3, 8)))
    assert "Periode 2 Maret 2026 s.d. 8 Maret 2026" in text


def test_monthly_report_ages_signature_and_the_total_occupancy_line(scenario):
    from rps_app.extensions import db
    from rps_app.referrals.letter_settings import SIGNATORY_KEY
    from rps_app.settings import services as settings
    settings.put(SIGNATORY_KEY, {"name": "Drs. Bambang Sutrisno, M.Si.",
                                 "nip": "197203151998031004"})
    db.session.flush()
    pdf = documents.build("monthly", date(2026, 3, 1), date(2026, 3, 31))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    text = " ".join(pages)
    assert "Kelompok umur (saat masuk)" in text
    for group in ("Anak (di bawah 18 tahun)", "Dewasa (18–59 tahun)",
                  "Lanjut usia (60 tahun ke atas)"):
        assert group in text
    assert "Jumlah (termasuk malam belum ditempatkan)" in text
    assert "menghitung juga malam klien yang belum ditempatkan" in text
    # The head signs on the last page, with the closing sentence on that page too.
    assert "Drs. Bambang Sutrisno, M.Si." in pages[-1] and "NIP. 197203151998031004" in pages[-1]
    assert "Demikian laporan ini dibuat" in pages[-1]
    assert "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL" in pages[-1]


def test_monthly_report_prints_the_sections_other_domains_add(scenario):
    from rps_app import signals

    def incidents(kind, start, end):
        assert (kind, start, end) == ("monthly", date(2026, 3, 1), date(2026, 3, 31))
        return [{"title": "Kejadian menurut Jenis", "header": ["Jenis", "Jumlah"],
                 "rows": [["Medis", "3"], ["Konflik <b>antar</b> klien", "1"]],
                 "widths": [10, 3], "note": "Dicatat oleh petugas jaga.", "order": 10},
                {"title": "Rujukan per Lembaga", "header": ["Lembaga", "Dikirim"], "rows": [],
                 "widths": [10, 3], "empty": "Tidak ada rujukan.", "order": 20}]

    signals.report_collecting.connect(incidents)
    try:
        text = text_of(documents.build("monthly", date(2026, 3, 1), date(2026, 3, 31)))
    finally:
        signals.report_collecting.disconnect(incidents)
    assert "G. Kejadian menurut Jenis" in text and "Konflik <b>antar</b> klien" in text
    assert "Dicatat oleh petugas jaga." in text
    assert "H. Rujukan per Lembaga" in text and "Tidak ada rujukan." in text
    assert text.index("G. Kejadian") < text.index("H. Rujukan")
