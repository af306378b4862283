"""The PDF reports: built from the hand-computed month, read back with pypdf."""
import io
from datetime import date, datetime, timezone

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
