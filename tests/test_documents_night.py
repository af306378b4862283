"""Documents that print right (issue 13): the family handover of one person on one page,
and a signature block that never stands alone on a page."""
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from reports import letters, samples
from reports.letters.data import Belonging, FamilyContact


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def build(data) -> bytes:
    return letters.build(data, samples.LETTERHEAD, samples.SIGNATORY, invariant=True)


LONG_ADDRESS = ("Dusun Karangjati RT 011/RW 004, Desa Kluwut, Kecamatan Bulakamba, "
                "Kabupaten Brebes, Jawa Tengah 52253")


@pytest.mark.parametrize("changes", [
    {},
    {"notes": "Klien dijemput oleh anak kandungnya setelah penelusuran keluarga melalui "
              "pemerintah desa; keluarga bersedia merawat."},
    {"client": replace(samples.HANDOVER.client, origin_address=LONG_ADDRESS),
     "receiver": FamilyContact(name="Wahyudi bin Darsono", relation="Anak kandung",
                               address=LONG_ADDRESS, phone="0812-2761-4420"),
     "belongings": tuple(Belonging(f"Barang bawaan nomor {i}", 1) for i in range(4))},
], ids=["sample", "with-notes", "long-texts"])
def test_family_handover_of_one_person_fits_one_page(changes):
    text = pages(build(replace(samples.HANDOVER, **changes)))
    assert len(text) == 1, [len(t) for t in text]
    page = text[0]
    for part in ("BERITA ACARA PENYERAHAN", "PIHAK PERTAMA", "PIHAK KEDUA", "Mengetahui",
                 samples.SIGNATORY.name, samples.SIGNATORY.nip, "Halaman 1 dari 1"):
        assert part in page


@pytest.mark.parametrize("data", [samples.REFERRAL, samples.INTAKE],
                         ids=["referral", "intake-bast"])
def test_a_signature_block_shares_its_page_with_the_closing_text(data):
    text = pages(build(data))
    signed = [page for page in text if samples.SIGNATORY.nip in page]
    assert len(signed) == 1
    # The sentence before the signatures is on the same page (never a signature alone).
    assert "Demikian" in signed[0], signed[0][:400]


def test_every_pdf_link_in_the_templates_opens_a_new_tab():
    """Letters, BAST, reports, stock cards: a PDF never replaces the app in its tab."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "rps_app" / "templates"
    links = []
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag, body in re.findall(r"(<a\s[^>]*>)(.*?)</a>", text, flags=re.S):
            if "pdf" in (tag + body).lower():  # the link or its text names a PDF
                links.append((template.name, tag))
    assert len(links) >= 10
    for name, tag in links:
        assert 'target="_blank"' in tag and "noopener" in tag, (name, tag)
