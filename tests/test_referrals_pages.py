"""Pages of referrals: the stay page's panel (ask, answer), /referrals, the dashboard
panel, the exit form's accepted referral, the report page and its PDF."""
import re
from datetime import timedelta

from rps_app import clock
from rps_app.extensions import db
from rps_app.referrals import services

from .conftest import csrf_token, login
from .factories import TEST_ACTOR
from .stays_support import NOW, admit, client_row


def test_ask_answer_and_exit_through_the_pages(client, app):
    clock.freeze(NOW)
    with app.app_context():
        [stay] = admit(client_row("Wagimin"))
        panti = services.add_institution(TEST_ACTOR, "Panti Wredha Tegal", "panti", "Jl. A",
                                         "Tegal")
        db.session.commit()
        stay_id, panti_id = stay.id, panti.id
    login(client, app, "staf")
    page = client.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert 'id="referrals"' in page and "Panti Wredha Tegal" in page
    token = csrf_token(client, f"/stays/{stay_id}")
    missing = client.post(f"/stays/{stay_id}/referrals",
                          data={"csrf_token": token, "institution_id": str(panti_id)},
                          follow_redirects=True)
    assert "Alasan rujukan wajib diisi" in missing.get_data(as_text=True)
    asked = client.post(f"/stays/{stay_id}/referrals", follow_redirects=True,
                        data={"csrf_token": token, "institution_id": str(panti_id),
                              "reason": "Lansia terlantar"})
    html = asked.get_data(as_text=True)
    assert "460/001/RPS/XI/2026" in html and "Menunggu jawaban" in html

    clock.freeze(NOW + timedelta(minutes=20))
    listing = client.get("/referrals").get_data(as_text=True)
    assert "Wagimin" in listing and "Panti Wredha Tegal" in listing
    assert 'href="/referrals"' in listing  # the navigation entry "Rujukan"
    client = app.test_client()
    login(client, app, "kepala")
    dashboard = client.get("/").get_data(as_text=True)
    assert "Rujukan menunggu jawaban" in dashboard and "Wagimin" in dashboard

    referral_id = int(re.search(r'/referrals/(\d+)/response', html).group(1))
    answered = client.post(f"/referrals/{referral_id}/response", follow_redirects=True,
                           data={"csrf_token": csrf_token(client, f"/stays/{stay_id}"),
                                 "outcome": "accepted",
                                 "responded_at": "2026-11-06"})
    assert "Jawaban rujukan dicatat" in answered.get_data(as_text=True)
    form = client.get(f"/stays/{stay_id}/exit").get_data(as_text=True)
    assert f'value="{referral_id}" data-institution="{panti_id}"' in form
    exited = client.post(f"/stays/{stay_id}/exit", follow_redirects=True,
                         data={"csrf_token": csrf_token(client, f"/stays/{stay_id}/exit"),
                               "exit_type": "panti", "institution_id": str(panti_id),
                               "referral_id": str(referral_id)})
    assert exited.status_code == 200 and "Selesai" in exited.get_data(as_text=True)

    report = client.get("/reports/referrals?from=2026-11-01&to=2026-11-30")
    text = report.get_data(as_text=True)
    assert report.status_code == 200 and "Panti Wredha Tegal" in text
    assert 'target="_blank"' in text
    pdf = client.get("/reports/referrals.pdf?from=2026-11-01&to=2026-11-30")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    bad = client.get("/reports/referrals?from=2026-11-30&to=2026-11-01")
    assert bad.status_code == 422
