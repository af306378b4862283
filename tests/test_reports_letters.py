"""The letters (reports.letters) read back with pypdf: numbers, dates, names, pages, escaping,
non-Latin-1 names, repeated table headers and metadata."""
import io
import struct
import zlib
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from reports import letters, samples
from reports.base import FONT, Letterhead, build_document, escape, para, styles
from reports.letters import handover, intake_bast, referral
from reports.letters.data import Client, ClientRow, FamilyContact, Party

HOSTILE = ['<b>Tarjo & "Sri"</b>', "</para><font size=200>X</font>"]
UNICODE_NAME = "Śri Ñoto Ĝ"


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All text, with line breaks folded to spaces (wrapped sentences read as one)."""
    return " ".join(" ".join(pages(pdf)).split())


def build_referral(**changes) -> bytes:
    return referral.build(replace(samples.REFERRAL, **changes), samples.LETTERHEAD,
                          samples.SIGNATORY, invariant=True)


def build_handover(**changes) -> bytes:
    return handover.build(replace(samples.HANDOVER, **changes), samples.LETTERHEAD,
                          samples.SIGNATORY, invariant=True)


def build_bast(**changes) -> bytes:
    return intake_bast.build(replace(samples.INTAKE, **changes), samples.LETTERHEAD,
                             samples.SIGNATORY, invariant=True)


def largest_font_size(pdf: bytes) -> float:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.append(size * tm[3]))
    return max(sizes)


def assert_has_parts(pdf: bytes, parts: list[str]) -> str:
    """Every part is in the text (in full, across line breaks) and every page is numbered."""
    text = flat(pdf)
    missing = [part for part in parts if part not in text]
    assert not missing, missing
    assert_page_numbers(pdf)
    return text


def assert_page_numbers(pdf: bytes) -> None:
    texts = pages(pdf)
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {len(texts)}" in text


def test_referral_letter_has_its_parts():
    text = assert_has_parts(build_referral(), [
                 "PEMERINTAH KABUPATEN TEGAL", "DINAS SOSIAL", "UPTD RUMAH PERLINDUNGAN SOSIAL",
                 "Slawi, 28 November 2026", "Nomor : 460/012/RPS/XI/2026", "Sifat : Biasa",
                 "Lampiran : 1 (satu) berkas", "Hal : Rujukan Klien", "Yth. Kepala Panti",
                 "di -", "SEMARANG", "Dengan hormat,", "Nama : Sutarjo",
                 "NIK : 3328051203700002", "Jenis Kelamin : Laki-laki",
                 "Tempat/Tgl. Lahir : Pemalang, 12 Maret 1970", "Kategori PMKS : Gelandangan",
                 "Tanggal Masuk RPS : 21 November 2026", "Lama Tinggal : 7 (tujuh) hari",
                 "Tas ransel berisi pakaian", "terima kasih",
                 "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL", "Drs. Bambang Sutrisno, M.Si.",
                 "Penata Tingkat I (III/d)", "NIP. 197203151998031004", "Tembusan:",
                 "1. Kepala Dinas Sosial Kabupaten Tegal;", "2. Arsip.",
                 "Pindai untuk memeriksa keaslian surat"])
    assert text.index("Dengan hormat,") < text.index("Hasil asesmen") < text.index("Tembusan:")


def test_referral_for_unknown_identity_and_hospital():
    client = replace(samples.CLIENT, name_or_alias="Mbah Gimbal", identity_known=False, nik=None,
                     birth_date=None, birth_place=None, estimated_age=70, nights=0)
    hospital = replace(samples.REFERRAL.institution, name="RSUD dr. Soeselo", kind="hospital",
                       city="Slawi")
    text = flat(build_referral(client=client, institution=hospital, belongings=()))
    assert "Nama (alias) : Mbah Gimbal (identitas belum diketahui)" in text
    assert "NIK : belum diketahui" in text
    assert "Perkiraan Umur : ± 70 tahun" in text
    assert "Lama Tinggal : kurang dari 1 (satu) hari" in text
    assert "Yth. Direktur RSUD dr. Soeselo" in text
    assert "perawatan kesehatan" in text
    assert "Tidak ada barang titipan." in text


def test_handover_letter_has_its_parts():
    assert_has_parts(build_handover(), [
                 "BERITA ACARA PENYERAHAN", "Nomor: 460/015/RPS/XI/2026",
                 "Pada hari ini Senin tanggal tiga puluh bulan November tahun dua ribu dua puluh "
                 "enam (30 November 2026)", "PIHAK PERTAMA", "Siti Nurjanah, S.Tr.Sos.",
                 "NIP : 198804122011012003", "PIHAK KEDUA", "Nama : Wahyudi",
                 "Hubungan Keluarga : Anak kandung", "No. Telepon : 0812-2761-4420",
                 "dikembalikan kepada keluarganya", "Nama : Darsih", "Perkiraan Umur : ± 68 tahun",
                 "Dompet berisi KTP", "Yang Menyerahkan,", "Yang Menerima,", "Mengetahui,",
                 "Drs. Bambang Sutrisno, M.Si."])


def test_handover_to_home_region_says_so():
    receiver = FamilyContact(name="Bambang Hermanto", relation="Dinas Sosial Kabupaten Brebes",
                             address="Brebes")
    text = flat(build_handover(exit_type="home_region", receiver=receiver))
    assert "dipulangkan ke daerah asalnya" in text
    assert "Jabatan/Instansi : Dinas Sosial Kabupaten Brebes" in text


def test_intake_bast_lists_everyone_with_the_count_in_words():
    text = assert_has_parts(build_bast(), [
                 "BERITA ACARA SERAH TERIMA", "Nomor: 300/087/SATPOLPP/XI/2026",
                 "Pada hari ini Senin tanggal dua bulan November tahun dua ribu dua puluh enam "
                 "(2 November 2026) pukul 22.15 WIB", "Agus Priyanto",
                 "Satuan Polisi Pamong Praja Kabupaten Tegal", "Eko Prasetyo",
                 "Alun-alun Slawi dan Terminal Dukuhsalam pada Senin, 2 November 2026 pukul "
                 "20.30 WIB", "9 (sembilan) orang", "5 (lima) laki-laki", "4 (empat) perempuan",
                 "No Nama L/P Umur Asal Keterangan", "Gondrong (alias)",
                 "Tas plastik berisi pakaian (1 buah)", "Yang Menyerahkan,", "Yang Menerima,",
                 "NIP. 198107232006041009"])
    for row in samples.INTAKE.clients:
        assert row.name_or_alias in text


def test_intake_bast_age_from_birth_date_and_no_belongings():
    rows = (ClientRow(name_or_alias="Ratmi", sex="P", birth_date=date(1990, 11, 3)),)
    text = flat(build_bast(clients=rows))
    assert "1 Ratmi P 35" in text  # 35 on 2 November 2026, the day before her birthday
    assert "1 (satu) orang" in text
    assert "Tidak ada barang bawaan yang dititipkan." in text


def test_sixty_client_bast_repeats_its_header_on_every_page():
    clients = samples.intake_clients(60)
    pdf = build_bast(clients=clients)
    texts = pages(pdf)
    assert len(texts) >= 3
    assert_page_numbers(pdf)
    table_pages = [t for t in texts if any(f"{c.name_or_alias} " in t for c in clients[9:])]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert "No Nama L/P Umur Asal Keterangan" in " ".join(text.split())
    text = flat(pdf)
    assert "60 (enam puluh) orang" in text
    for client in clients:
        assert client.name_or_alias in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_prints_literally_on_every_document(hostile):
    client = replace(samples.CLIENT, name_or_alias=hostile, origin_address=hostile)
    institution = replace(samples.REFERRAL.institution, name=hostile)
    documents = {
        "referral": build_referral(client=client, institution=institution, summary=hostile),
        "handover": build_handover(client=client, receiver=FamilyContact(name=hostile),
                                   officer=Party(name=hostile), notes=hostile),
        "bast": build_bast(clients=(ClientRow(name_or_alias=hostile, sex="L", origin=hostile,
                                              remarks=hostile),) + samples.intake_clients(8),
                           operation_place=hostile, notes=hostile),
    }
    for kind, pdf in documents.items():
        assert hostile in flat(pdf), kind
        # The markup did not take effect: nothing is larger than the letterhead's DINAS SOSIAL.
        assert largest_font_size(pdf) <= 17, kind
        assert_page_numbers(pdf)


def test_non_latin1_names_print_with_real_glyphs():
    from reportlab.pdfbase import pdfmetrics
    face = pdfmetrics.getFont(FONT).face
    assert all(ord(ch) in face.charToGlyph for ch in UNICODE_NAME if ch != " ")
    client = replace(samples.CLIENT, name_or_alias=UNICODE_NAME)
    assert UNICODE_NAME in flat(build_referral(client=client))
    assert UNICODE_NAME in flat(build_handover(receiver=FamilyContact(name=UNICODE_NAME)))
    assert UNICODE_NAME in flat(build_bast(clients=(ClientRow(UNICODE_NAME, "P"),)))


def test_metadata_names_the_document_and_its_author():
    info = PdfReader(io.BytesIO(build_referral())).metadata
    assert info.title == "Surat Rujukan 460/012/RPS/XI/2026"
    assert "DINAS SOSIAL KABUPATEN TEGAL" in info.author
    info = PdfReader(io.BytesIO(build_bast())).metadata
    assert info.title == "Berita Acara Serah Terima 300/087/SATPOLPP/XI/2026"


def test_invariant_builds_are_byte_identical():
    assert build_referral() == build_referral()
    assert build_bast() == build_bast()


def test_dispatch_by_data_type():
    for data in (samples.REFERRAL, samples.HANDOVER, samples.INTAKE):
        pdf = letters.build(data, samples.LETTERHEAD, samples.SIGNATORY, invariant=True)
        assert data.number in flat(pdf)
    with pytest.raises(TypeError):
        letters.build(object(), samples.LETTERHEAD, samples.SIGNATORY)


def test_data_is_checked():
    with pytest.raises(ValueError, match="jenis kelamin"):
        replace(samples.CLIENT, sex="X")
    with pytest.raises(ValueError, match="PMKS"):
        replace(samples.CLIENT, pmks_category=0)
    with pytest.raises(ValueError, match="family atau home_region"):
        replace(samples.HANDOVER, exit_type="panti")
    assert isinstance(samples.CLIENT, Client)


def _png(width: int, height: int) -> bytes:
    """A small red PNG, made by hand so the test needs no imaging library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_letterhead_logo_and_landscape_document():
    letterhead = Letterhead(logo=_png(40, 48), government="PEMERINTAH KABUPATEN TEGAL")
    pdf = build_document([para("Isi", styles().body)], title="Uji", letterhead=letterhead,
                         landscape=True, invariant=True)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    assert len(page.images) == 1
    assert "Halaman 1 dari 1" in page.extract_text()


def test_escape_makes_markup_inert():
    assert escape('<b>&"\'') == "&lt;b&gt;&amp;&quot;&#39;"
    assert escape("baris satu\nbaris dua") == "baris satu<br/>baris dua"
    assert escape(None) == ""


def test_signatures_without_a_name_leave_dotted_lines_to_write_on():
    from reports.base import Signatory
    from reports.letters.parts import HANDWRITTEN_NAME, HANDWRITTEN_NUMBER

    unsigned = Signatory()  # letter settings with no name and no NIP yet
    officer = replace(samples.HANDOVER.officer, name="", id_number=None)
    receiver = replace(samples.HANDOVER.receiver, name="")
    text = flat(handover.build(replace(samples.HANDOVER, officer=officer, receiver=receiver),
                               samples.LETTERHEAD, unsigned, invariant=True))
    assert "Mengetahui, KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL," in text
    # The head, the officer and the family receiver: a dotted name each; two NIP lines.
    assert text.count(HANDWRITTEN_NAME) == 3
    assert text.count(f"NIP. {HANDWRITTEN_NUMBER}") == 2
    sender = replace(samples.INTAKE.sender, name="", id_number=None)
    bast = flat(intake_bast.build(replace(samples.INTAKE, sender=sender), samples.LETTERHEAD,
                                  unsigned, invariant=True))
    assert bast.count(HANDWRITTEN_NAME) == 2 and f". {HANDWRITTEN_NUMBER}" in bast
