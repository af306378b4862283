"""GET /api/v1/reports/...: metrics, validation, runs, PDFs, permissions."""
import pytest

from .reporting_data import build_scenario


@pytest.fixture
def headers(app, client):
    with app.app_context():
        build_scenario()
    return api_headers(client, app)


def api_headers(client, app, role="petugas"):
    from .conftest import api_token
    return api_token(client, app, role=role)


def test_occupancy_answers_the_contract_figures(client, headers):
    response = client.get("/api/v1/reports/occupancy?from=2026-03-01&to=2026-03-10", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["bed_nights"], body["available_bed_nights"]) == (22, 893)
    assert body["by_room_kind"]["unplaced"] == {"bed_nights": 1}
    assert len(body["daily"]) == 10


def test_length_of_stay_answers_the_contract_figures(client, headers):
    body = client.get("/api/v1/reports/length-of-stay?from=2026-03-01&to=2026-03-10",
                      headers=headers).get_json()
    assert body["exited"]["count"] == 4 and body["exited"]["median"] == 3.0
    assert body["returns"] == 1 and body["active"]["count"] == 2


@pytest.mark.parametrize("query, field", [
    ("from=2026-03-10&to=2026-03-01", "from"),
    ("from=2026-13-01&to=2026-03-01", "from"),
    ("from=2026-03-01&to=kemarin", "to"),
    ("to=2026-03-01", "from"),
    ("from=2026-03-01", "to"),
])
def test_bad_dates_are_422_naming_the_field(client, headers, query, field):
    response = client.get(f"/api/v1/reports/occupancy?{query}", headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


def test_pdf_and_runs(client, headers):
    response = client.get("/api/v1/reports/monthly.pdf?from=2026-03-01&to=2026-03-31", headers=headers)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # Asked for on demand, each kind takes any range (the contract's from/to).
    for kind in ("daily", "monthly", "occupancy", "length-of-stay"):
        response = client.get(f"/api/v1/reports/{kind}.pdf?from=2026-03-02&to=2026-03-08",
                              headers=headers)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), kind
    assert client.get("/api/v1/reports/daily.pdf?from=2026-03-01&to=2026-04-30",
                      headers=headers).status_code == 422  # one census per day: 31 at most
    assert client.get("/api/v1/reports/weekly.pdf?from=2026-03-01&to=2026-03-02",
                      headers=headers).status_code == 404
    assert client.get("/api/v1/reports/runs?kind=daily", headers=headers).get_json() == []
    assert client.get("/api/v1/reports/runs?kind=x", headers=headers).status_code == 422


def test_admin_may_not_read_reports(app, client):
    headers = api_headers(client, app, role="admin")
    response = client.get("/api/v1/reports/occupancy?from=2026-03-01&to=2026-03-10", headers=headers)
    assert response.status_code == 403
