"""Pages of referrals: institutions, letters, the public verification page, letter settings."""
import io
import re
from datetime import timedelta
from types import SimpleNamespace

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from rps_app import clock
from rps_app.extensions import db
from rps_app.referrals import letter_settings, services
from rps_app.referrals.models import Institution, Letter

from .conftest import csrf_token, login
from .factories import TEST_ACTOR, make_client
from .letters_support import RECEIVED, intake_of, make_institution, referred_stay

FORM = {"name": "Panti Sosial Bina Karya Pemalang", "kind": "panti",
        "address": "Jl. Gatot Subroto 10", "city": "Kabupaten Pemalang", "phone": ""}


def issued_letter(app) -> SimpleNamespace:
    """A referral letter on file, as plain values (id, number, verify_code, sha256, pdf)."""
    with app.app_context():
        clock.freeze(RECEIVED + timedelta(days=4, hours=2))
        letter = services.issue_exit_letter(TEST_ACTOR, referred_stay())
        db.session.commit()
        return SimpleNamespace(id=letter.id, number=letter.number, pdf=letter.pdf,
                               verify_code=letter.verify_code, sha256=letter.sha256)


def test_institutions_page_lists_and_searches(client, app):
    with app.app_context():
        make_institution()
        make_institution(name="RSUD dr. Soeselo Slawi", kind="hospital", city="Kabupaten Tegal")
        db.session.commit()
    login(client, app, "petugas")
    page = client.get("/institutions").get_data(as_text=True)
    assert "Panti Sosial Bina Karya Pemalang" in page and "RSUD dr. Soeselo Slawi" in page
    assert "Tambah lembaga" not in page  # petugas may read, not add
    found = client.get("/institutions?q=soeselo").get_data(as_text=True)
    assert "RSUD dr. Soeselo Slawi" in found and "Bina Karya" not in found


def test_add_edit_retire_and_reactivate(client, app):
    login(client, app, "staf")
    token = csrf_token(client, "/institutions")
    added = client.post("/institutions", data={**FORM, "csrf_token": token})
    assert added.status_code == 303
    with app.app_context():
        institution_id = db.session.scalar(select(Institution.id))

    edited = client.post(f"/institutions/{institution_id}",
                         data={**FORM, "city": "Kota Pemalang", "csrf_token": token})
    assert edited.status_code == 303

    confirm = client.get(f"/institutions/{institution_id}/retire").get_data(as_text=True)
    assert "Ya, hentikan pemakaian" in confirm
    retired = client.post(f"/institutions/{institution_id}/retire", data={"csrf_token": token})
    assert retired.status_code == 303
    listed = f'/institutions/{institution_id}">Panti Sosial Bina Karya Pemalang</a>'
    assert listed not in client.get("/institutions").get_data(as_text=True)
    assert listed in client.get("/institutions?all=1").get_data(as_text=True)
    client.post(f"/institutions/{institution_id}/reactivate", data={"csrf_token": token})
    with app.app_context():
        institution = db.session.get(Institution, institution_id)
        assert (institution.city, institution.active) == ("Kota Pemalang", True)


def test_a_refused_form_names_the_field(client, app):
    login(client, app, "kepala")
    token = csrf_token(client, "/institutions")
    response = client.post("/institutions", data={**FORM, "city": "", "csrf_token": token})
    assert response.status_code == 422
    assert "Kota/Kabupaten wajib diisi." in response.get_data(as_text=True)
    no_token = client.post("/institutions", data=FORM)
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Institution.id))) == 0


def test_petugas_cannot_change_institutions(client, app):
    login(client, app, "petugas")
    token = csrf_token(client, "/institutions")
    assert client.post("/institutions", data={**FORM, "csrf_token": token}).status_code == 403


def test_verify_page_shows_no_personal_data(client, app):
    letter = issued_letter(app)
    page = client.get(f"/verify/{letter.verify_code}")  # no login
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "460/001/RPS/XI/2026" in html and "6 November 2026" in html
    assert "UPTD RUMAH PERLINDUNGAN SOSIAL" in html and "sah dan berlaku" in html
    for personal in ("Slamet", "Riyadi", "3328011507800001", "Pemalang", "RPS-2026",
                     "menggelandang", "Tas ransel"):
        assert personal not in html
    assert client.get("/verify/tidak-ada-kode-seperti-ini-123").status_code == 404


def test_verify_page_of_a_replaced_letter(client, app):
    letter = issued_letter(app)
    with app.app_context():
        new = services.reissue(TEST_ACTOR, letter.id, "Salah tulis")
        db.session.commit()
        new_number = new.number
    html = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert "sudah diganti" in html and new_number in html


def test_letter_download_page(client, app):
    letter = issued_letter(app)
    assert client.get(f"/letters/{letter.id}.pdf").status_code == 302  # to the login page
    login(client, app, "staf")
    first = client.get(f"/letters/{letter.id}.pdf")
    second = client.get(f"/letters/{letter.id}.pdf")
    assert first.mimetype == "application/pdf" and first.data == second.data == letter.pdf
    assert first.headers["Cache-Control"].startswith("no-store")
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert letter.number in page and letter.sha256 in page
    assert "Terbitkan surat pengganti" in page


def test_admin_cannot_read_letters(client, app):
    letter = issued_letter(app)
    login(client, app, "admin")
    assert client.get(f"/letters/{letter.id}.pdf").status_code == 403
    assert client.get(f"/letters/{letter.id}").status_code == 403


def test_reissue_from_the_letter_page(client, app):
    letter = issued_letter(app)
    login(client, app, "petugas")
    token = csrf_token(client, f"/letters/{letter.id}")
    refused = client.post(f"/letters/{letter.id}/reissue", data={"reason": "", "csrf_token": token})
    assert refused.status_code == 422 and "Alasan koreksi wajib diisi." in refused.get_data(as_text=True)
    made = client.post(f"/letters/{letter.id}/reissue",
                       data={"reason": "Alamat asal salah", "csrf_token": token})
    assert made.status_code == 303
    with app.app_context():
        new = db.session.scalar(select(Letter).where(Letter.replaces_id == letter.id))
    assert made.headers["Location"].endswith(f"/letters/{new.id}")
    old_page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Sudah diganti" in old_page and "Terbitkan surat pengganti" not in old_page


def test_intake_bast_page(client, app):
    with app.app_context():
        clock.freeze(RECEIVED)
        intake_id = intake_of([make_client()]).id
        db.session.commit()
    login(client, app, "petugas")
    first = client.get(f"/intakes/{intake_id}/bast.pdf")
    assert first.status_code == 200 and first.data == client.get(f"/intakes/{intake_id}/bast.pdf").data


def test_settings_page_is_for_admins(client, app):
    login(client, app, "kepala")
    assert client.get("/admin/letters").status_code == 403


def settings_form(**changes) -> dict:
    return {**letter_settings.DEFAULT_LETTERHEAD, "title": "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL",
            "name": "Drs. Bambang Sutrisno", "rank": "Penata Tingkat I (III/d)",
            "nip": "197203151998031004", "kode": "460",
            "number_pattern": "{kode}/{nomor:03d}/RPS/{bulan_romawi}/{tahun}",
            "tembusan": "Kepala Dinas Sosial Kabupaten Tegal\nArsip", **changes}


def test_settings_are_saved_from_the_page(client, app):
    login(client, app, "admin")
    page = client.get("/admin/letters").get_data(as_text=True)
    assert "460/012/RPS/XI/2026" in page  # the sample number of the pattern
    token = csrf_token(client, "/admin/letters")
    bad = client.post("/admin/letters", data={**settings_form(nip="12345"), "csrf_token": token})
    assert bad.status_code == 422 and "NIP harus 18 digit angka." in bad.get_data(as_text=True)
    no_number = client.post("/admin/letters", data={**settings_form(number_pattern="{kode}/{tahun}"),
                                                    "csrf_token": token})
    assert no_number.status_code == 422 and "{nomor}" in no_number.get_data(as_text=True)
    saved = client.post("/admin/letters", data={**settings_form(), "csrf_token": token})
    assert saved.status_code == 303
    with app.app_context():
        assert letter_settings.signatory().name == "Drs. Bambang Sutrisno"
        assert letter_settings.tembusan() == ["Kepala Dinas Sosial Kabupaten Tegal", "Arsip"]
    preview = client.get("/admin/letters/preview.pdf")
    text = " ".join(PdfReader(io.BytesIO(preview.data)).pages[0].extract_text().split())
    assert "Drs. Bambang Sutrisno" in text and "460/012/RPS/XI/2026" in text
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Letter.id))) == 0  # nothing issued


def test_logo_upload(client, app):
    login(client, app, "admin")
    token = csrf_token(client, "/admin/letters")
    buffer = io.BytesIO()
    Image.new("RGB", (80, 80), (0, 90, 0)).save(buffer, format="PNG")
    png = buffer.getvalue()
    uploaded = client.post("/admin/letters/logo", content_type="multipart/form-data",
                           data={"csrf_token": token, "logo": (io.BytesIO(png), "logo.png")})
    assert uploaded.status_code == 303
    assert client.get("/admin/letters/logo").data == png
    wrong = client.post("/admin/letters/logo", content_type="multipart/form-data",
                        data={"csrf_token": token, "logo": (io.BytesIO(b"GIF89a"), "x.gif")})
    assert wrong.status_code == 422 and "PNG atau JPEG" in wrong.get_data(as_text=True)
    client.post("/admin/letters/logo/delete", data={"csrf_token": token})
    assert client.get("/admin/letters/logo").status_code == 404


def test_navigation_links(client, app):
    login(client, app, "admin")
    html = client.get("/institutions").get_data(as_text=True)
    assert re.search(r'href="/institutions"', html) and 'href="/admin/letters"' in html
