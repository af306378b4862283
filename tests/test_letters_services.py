"""Issuing letters: content snapshot, stored PDF and hash, corrections, the intake BAST."""
import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.errors import Conflict, ValidationError
from rps_app.extensions import db
from rps_app.referrals import documents, letter_settings, services
from rps_app.referrals.models import Letter

from .factories import TEST_ACTOR, make_client
from .letters_support import RECEIVED, exit_stay, intake_of, referred_stay

ISSUED = RECEIVED + timedelta(days=4, hours=2)  # 6 November 2026, 12.30 WIB


def pdf_text(data: bytes) -> str:
    """The PDF's text with every run of white space (line breaks too) made one space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def frozen(ctx):
    clock.freeze(ISSUED)
    yield
    clock.freeze(None)


def test_referral_letter_snapshot_and_pdf(frozen):
    stay = referred_stay()
    letter = services.issue_exit_letter(TEST_ACTOR, stay)
    db.session.commit()

    assert letter.kind == "referral" and letter.valid
    assert (letter.number, letter.year, letter.sequence) == ("460/001/RPS/XI/2026", 2026, 1)
    assert letter.stay_id == stay.id and letter.intake_id is None
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
    assert len(letter.verify_code) >= 20
    content = letter.content
    assert content["client"]["name"] == "Slamet Riyadi"
    assert content["client"]["nik"] == "3328011507800001"
    assert content["client"]["pmks_name"] == "Gelandangan"
    assert content["stay"] == {"id": stay.id, "entry_date": "2026-11-02",
                               "exit_date": "2026-11-06", "nights": 4,
                               "exited_at": content["stay"]["exited_at"]}
    assert content["assessment"] == "Klien hidup menggelandang sejak 2019."
    assert content["health"] == "Sehat, tekanan darah normal."
    assert content["belongings_returned"] == [{"description": "Tas ransel", "quantity": 1},
                                              {"description": "KTP lama", "quantity": 1}]
    assert content["institution"]["name"] == "Panti Sosial Bina Karya Pemalang"
    assert content["verify_url"].endswith("/verify/" + letter.verify_code)

    text = pdf_text(letter.pdf)
    assert "460/001/RPS/XI/2026" in text
    assert "Slawi, 6 November 2026" in text
    assert "Slamet Riyadi" in text and "3328011507800001" in text
    assert "Panti Sosial Bina Karya Pemalang" in text
    assert "Gelandangan" in text


def test_pdf_is_reproducible_from_its_snapshot(frozen):
    letter = services.issue_exit_letter(TEST_ACTOR, referred_stay())
    again = documents.build_pdf(letter.content, letter_settings.letterhead(),
                                letter_settings.signatory())
    assert hashlib.sha256(again).hexdigest() == letter.sha256


def test_asking_again_returns_the_same_letter(frozen):
    stay = referred_stay()
    first = services.issue_exit_letter(TEST_ACTOR, stay)
    db.session.commit()
    second = services.issue_exit_letter(TEST_ACTOR, stay)
    assert second.id == first.id and second.pdf == first.pdf
    assert db.session.scalar(select(db.func.count(Letter.id))) == 1


def test_unknown_identity_is_said_so(frozen):
    stay = referred_stay(name="Mbah Gondrong", nik=None)
    letter = services.issue_exit_letter(TEST_ACTOR, stay)
    assert letter.content["client"]["nik"] == "belum diketahui"
    assert "belum diketahui" in pdf_text(letter.pdf)


def test_handover_letter_to_family(frozen):
    client = make_client(name="Darsih", nik=None, sex="P")
    intake = intake_of([client], belongings=[("Dompet", 1)])
    stay = exit_stay(intake.stays[0], "family", ISSUED,
                     family_contact={"name": "Wahyudi", "relation": "Anak kandung",
                                     "address": "Desa Kluwut, Brebes", "phone": None})
    letter = services.issue_exit_letter(TEST_ACTOR, stay)
    assert letter.kind == "handover"
    assert letter.content["family_contact"]["name"] == "Wahyudi"
    text = pdf_text(letter.pdf)
    assert "BERITA ACARA PENYERAHAN" in text and "Wahyudi" in text and "Darsih" in text
    assert letter.number in text


@pytest.mark.parametrize("exit_type", ["absconded", "deceased", "other"])
def test_exits_without_a_letter(frozen, exit_type):
    intake = intake_of([make_client()])
    stay = exit_stay(intake.stays[0], exit_type, ISSUED)
    assert services.issue_exit_letter(TEST_ACTOR, stay) is None
    assert db.session.scalar(select(db.func.count(Letter.id))) == 0


def test_referral_needs_the_institution(frozen):
    stay = exit_stay(intake_of([make_client()]).stays[0], "balai", ISSUED)
    with pytest.raises(ValidationError) as refused:
        services.issue_exit_letter(TEST_ACTOR, stay)
    assert "institution_id" in refused.value.fields


def test_open_stay_has_no_exit_letter(frozen):
    stay = intake_of([make_client()]).stays[0]
    with pytest.raises(Conflict):
        services.issue_exit_letter(TEST_ACTOR, stay)


def test_correction_chain(frozen):
    stay = referred_stay()
    first = services.issue_exit_letter(TEST_ACTOR, stay)
    db.session.commit()
    stay.client.name = "Slamet Riyanto"
    db.session.flush()

    with pytest.raises(ValidationError) as refused:
        services.reissue(TEST_ACTOR, first.id, "  ")
    assert "reason" in refused.value.fields

    second = services.reissue(TEST_ACTOR, first.id, "Nama klien salah tulis")
    db.session.commit()
    assert second.replaces_id == first.id and second.valid
    assert first.status == "replaced" and not first.valid and first.replaced_by.id == second.id
    assert second.number == "460/002/RPS/XI/2026"
    assert "Slamet Riyanto" in pdf_text(second.pdf)
    assert "Slamet Riyadi" in pdf_text(first.pdf)  # the old letter is kept as it was
    assert second.content["replaces"] == {"number": first.number,
                                          "reason": "Nama klien salah tulis"}
    # The exit answer now names the correction; a replaced letter cannot be corrected again.
    assert services.issue_exit_letter(TEST_ACTOR, stay).id == second.id
    with pytest.raises(Conflict):
        services.reissue(TEST_ACTOR, first.id, "lagi")
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "letter")).all()
    assert actions.count("issue") == 2


def test_intake_bast_covers_the_batch_and_is_kept(frozen):
    clients = [make_client(name="Karyono"), make_client(name="Sumini", nik=None, sex="P",
                                                        birth_date=None, estimated_age=61)]
    intake = intake_of(clients, belongings=[("Tas plastik berisi pakaian", 1)])
    bast = services.issue_intake_bast(TEST_ACTOR, intake)
    db.session.commit()
    assert bast.kind == "intake_bast" and bast.intake_id == intake.id and bast.stay_id is None
    assert [p["name"] for p in bast.content["persons"]] == ["Karyono", "Sumini"]
    text = pdf_text(bast.pdf)
    assert "BERITA ACARA SERAH TERIMA" in text
    assert "Karyono" in text and "Sumini" in text and "Bripka Darsono" in text
    assert "BA/17/XI/2026" in text and bast.number in text
    assert services.issue_intake_bast(TEST_ACTOR, intake).id == bast.id

    fixed = services.reissue(TEST_ACTOR, bast.id, "Nama pengirim diperbaiki")
    assert fixed.kind == "intake_bast" and fixed.replaces_id == bast.id
    assert services.issue_intake_bast(TEST_ACTOR, intake).id == fixed.id


def test_letters_for_client(frozen):
    stay = referred_stay()
    exit_letter = services.issue_exit_letter(TEST_ACTOR, stay)
    bast = services.issue_intake_bast(TEST_ACTOR, stay.intake)
    other = intake_of([make_client(name="Orang Lain")])
    services.issue_intake_bast(TEST_ACTOR, other)
    found = services.letters_for_client(stay.client_id)
    assert {letter.id for letter in found} == {exit_letter.id, bast.id}


def test_letter_settings_are_printed(frozen):
    letter_settings.save(
        TEST_ACTOR, {**letter_settings.DEFAULT_LETTERHEAD, "place": "Slawi"},
        {"title": "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL", "name": "Drs. Bambang Sutrisno",
         "rank": "Penata Tingkat I (III/d)", "nip": "197203151998031004"},
        ["Kepala Dinas Sosial Kabupaten Tegal", "Arsip"], "{kode}/{nomor:04d}/RPS/{tahun}",
        "474")
    letter = services.issue_exit_letter(TEST_ACTOR, referred_stay())
    assert letter.number == "474/0001/RPS/2026"
    text = pdf_text(letter.pdf)
    assert "Drs. Bambang Sutrisno" in text and "NIP. 197203151998031004" in text
    assert "Tembusan" in text and "Arsip" in text
    assert letter.content["signatory"]["nip"] == "197203151998031004"
