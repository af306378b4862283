"""The whole path: intake and exit through the API, the letter in the exit answer, its PDF
and its public verification page."""
import io

from pypdf import PdfReader

from rps_app import clock
from rps_app.extensions import db
from rps_app.referrals import services as referrals

from .conftest import api_token, login
from .factories import TEST_ACTOR
from .stays_support import NOW, client_row, intake_body


def text_of(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_exit_to_a_panti_answers_with_its_letter(client, app):
    clock.freeze(NOW)
    with app.app_context():
        panti_id = referrals.add_institution(TEST_ACTOR, "Panti Sosial Bina Karya Pemalang",
                                             "panti", "Jl. Gatot Subroto 10",
                                             "Kabupaten Pemalang").id
        db.session.commit()
    headers = api_token(client, app, "petugas")
    body = intake_body(client_row("Sutarjo", belongings=[{"description": "Tas ransel",
                                                           "quantity": 1}]))
    intake = client.post("/api/v1/intakes", json=body, headers=headers)
    assert intake.status_code == 201, intake.get_json()
    stay_id = intake.get_json()["clients"][0]["stay_id"]

    exited = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                         json={"exit_type": "panti", "institution_id": panti_id,
                               "notes": "Perlu rehabilitasi lanjutan"})
    assert exited.status_code == 200, exited.get_json()
    letter = exited.get_json()["letter"]
    assert set(letter) == {"id", "number", "pdf_url", "verify_url"}
    assert letter["number"] == "460/001/RPS/XI/2026"

    pdf = client.get(letter["pdf_url"].removeprefix("http://127.0.0.1:5000"), headers=headers)
    text = text_of(pdf.data)
    assert letter["number"] in text and "Sutarjo" in text and "6 November 2026" in text
    assert "Panti Sosial Bina Karya Pemalang" in text and "Perlu rehabilitasi lanjutan" in text

    verify = client.get(letter["verify_url"].removeprefix("http://127.0.0.1:5000"))
    html = verify.get_data(as_text=True)
    assert verify.status_code == 200 and letter["number"] in html and "Sutarjo" not in html

    # On the client's page the letters are named, not coded, and lead to their letter page.
    login(client, app, "staf")
    client_id = intake.get_json()["clients"][0]["id"]
    page = client.get(f"/clients/{client_id}").get_data(as_text=True)
    letters = page[page.index('<section class="letters">'):]
    assert "Surat rujukan" in letters
    assert ">referral<" not in letters and ">intake_bast<" not in letters
    assert f'href="/letters/{letter["id"]}">{letter["number"]}</a>' in letters


def test_exit_without_a_letter_answers_null(client, app):
    clock.freeze(NOW)
    headers = api_token(client, app, "petugas")
    intake = client.post("/api/v1/intakes", json=intake_body(), headers=headers)
    stay_id = intake.get_json()["clients"][0]["stay_id"]
    exited = client.post(f"/api/v1/stays/{stay_id}/exit", headers=headers,
                         json={"exit_type": "absconded"})
    assert exited.status_code == 200 and exited.get_json()["letter"] is None
