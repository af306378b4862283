"""The dashboard and the reports page through the test client."""

import pytest

from rps_app.reporting import services
from rps_app.reporting.models import ReportRun
from rps_app.extensions import db

from .conftest import csrf_token, login
from .reporting_data import build_scenario, make_stay, resident, wib


def test_dashboard_shows_census_limits_and_chart(app, client):
    with app.app_context():
        build_scenario()
        over = resident("L", name="Budi <script>")
        make_stay(over, wib(2026, 1, 1, 10))  # open, far past the limit
        db.session.commit()
    login(client, app, "petugas")
    html = client.get("/").get_data(as_text=True)
    assert "Hunian hari ini" in html and "Shelter Putra" in html and "Isolasi" in html
    assert "Budi &lt;script&gt;" in html and "<script>" not in html.split("</footer>")[0].split("<main>")[1]
    assert "Terminasi/rujukan segera" in html
    assert "<svg" in html and "<polyline" in html


def test_admin_sees_shortcuts_not_clients(app, client):
    with app.app_context():
        build_scenario()
    login(client, app, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "Pintasan administrator" in html
    assert "Hunian hari ini" not in html and "Siti" not in html


def test_generate_now_runs_in_background_and_archives(app, client):
    with app.app_context():
        build_scenario()
    login(client, app, "staf")
    token = csrf_token(client, "/reports")
    response = client.post("/reports/generate", data={"csrf_token": token, "kind": "monthly",
                                                      "date_from": "2026-03-01", "date_to": ""})
    assert response.status_code == 303
    services.wait_for_background()
    with app.app_context():
        run = db.session.scalar(db.select(ReportRun))
        assert (run.kind, run.status, str(run.period_to)) == ("monthly", "done", "2026-03-31")
    page = client.get(f"/reports?run={run.id}").get_data(as_text=True)
    # The result in place of the progress message, opening in a new tab; no more refresh.
    assert "Selesai" in page and "Laporan siap" in page and "sedang dibuat" not in page
    assert f'href="/reports/runs/{run.id}.pdf" target="_blank" rel="noopener">Buka PDF' in page
    assert 'http-equiv="refresh"' not in page
    pdf = client.get(f"/reports/runs/{run.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The same period again: nothing new, a warning.
    client.post("/reports/generate", data={"csrf_token": token, "kind": "monthly",
                                           "date_from": "2026-03-01"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ReportRun.id))) == 1
    assert "Bulanan" in client.get("/reports?kind=monthly&month=2026-03").get_data(as_text=True)


def test_generate_refuses_a_bad_period(app, client):
    login(client, app, "kepala")
    token = csrf_token(client, "/reports")
    response = client.post("/reports/generate", data={"csrf_token": token, "kind": "daily",
                                                      "date_from": "2026-03-05", "date_to": "2026-03-01"},
                           headers={"Referer": "/reports"})
    assert response.status_code == 303
    assert "Tanggal awal tidak boleh sesudah" in client.get("/reports").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ReportRun.id))) == 0


def test_preview_pdf_and_permissions(app, client):
    login(client, app, "petugas")
    response = client.get("/reports/preview.pdf?kind=occupancy&from=2026-03-01&to=2026-03-10")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # The page's one form posts its fields here for "see now" (a new tab).
    html = client.get("/reports").get_data(as_text=True)
    assert 'formaction="/reports/preview.pdf" formtarget="_blank"' in html
    assert "SHA-256</th>" not in html
    token = csrf_token(client, "/reports")
    response = client.post("/reports/preview.pdf", data={
        "csrf_token": token, "kind": "monthly", "date_from": "2026-03-01", "date_to": ""})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("role", ["admin"])
def test_reports_page_is_refused_without_the_permission(app, client, role):
    login(client, app, role)
    assert client.get("/reports").status_code == 403


def test_scheduler_panel_in_plain_words_and_failed_runs_with_indonesian_dates(
        app, client):
    from datetime import date

    from rps_app import clock
    with app.app_context():
        db.session.add(ReportRun(kind="daily", period_from=date(2026, 9, 27),
                                 period_to=date(2026, 9, 27), status="failed", error="disk penuh",
                                 started_at=clock.now(), created_at=clock.now()))
        db.session.commit()
    login(client, app, "kepala")
    html = client.get("/reports").get_data(as_text=True)
    # Plain words for the head; the command only inside the administrator's details.
    assert "belum berjalan; hubungi administrator" in html and "`" not in html
    details = html[html.index('<details class="tech"><summary>Untuk administrator'):]
    assert "<code>rps scheduler</code>" in details[:details.index("</details>")]
    assert "<code>rps scheduler</code>" not in html[:html.index('<details class="tech">')]
    assert "27 September 2026: <small>disk penuh</small>" in html and "2026-09-27:" not in html
