"""The stock API of contract.md ("Logistics stock") through HTTP: shapes, codes, PDFs and
permissions, on both databases."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from rps_app import clock

from .conftest import api_token

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def api(app, client):
    clock.freeze(NOW)
    headers = api_token(client, app, "petugas")

    def call(method, path, body=None):
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        return response.status_code, (response.get_json() if response.is_json else response)
    return call


def when(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat()


def add_item(api, code="BRS", **extra) -> dict:
    status, body = api("POST", "/stock/items", {"code": code, "name": "Beras medium",
                                                "unit": "kg", "category": "pangan",
                                                "min_level": 10, **extra})
    assert status == 201, body
    return body


def test_item_and_movement_shapes(api):
    item = add_item(api, per_head_per_day=0.3)
    assert item == {"id": item["id"], "code": "BRS", "name": "Beras medium", "unit": "kg",
                    "category": "pangan", "balance": 0, "min_level": 10,
                    "per_head_per_day": 0.3, "days_left": None, "low": True}
    status, body = api("POST", "/stock/movements", {
        "item_id": item["id"], "kind": "receipt", "quantity": 25, "lot": "L-01",
        "expiry_date": "2027-05-01", "source": "apbd", "document_number": "027/12/2026",
        "at": when(-2)})
    assert status == 201, body
    assert body == {"id": body["id"], "item_id": item["id"], "kind": "receipt",
                    "lots": [{"lot": "L-01", "quantity": 25}], "balance": 25}
    status, issued = api("POST", "/stock/movements", {"item_id": item["id"], "kind": "issue",
                                                      "quantity": 5})
    assert (status, issued["lots"], issued["balance"]) == (201, [{"lot": "L-01", "quantity": 5}], 20)
    status, items = api("GET", "/stock/items")
    assert status == 200 and items[0]["balance"] == 20 and items[0]["low"] is False
    assert items[0]["days_left"] == 56          # 20 / (5 / 14): no client in residence
    status, items = api("GET", "/stock/items?category=sandang")
    assert (status, items) == (200, [])
    status, body = api("GET", "/stock/items?category=baju")
    assert (status, body["error"]["code"], list(body["error"]["fields"])) == (
        422, "validation_error", ["category"])


def test_conflicts_have_the_contract_codes(api):
    item = add_item(api)
    status, body = api("POST", "/stock/movements", {"item_id": item["id"], "kind": "issue",
                                                    "quantity": 1})
    assert (status, body["error"]["code"]) == (409, "insufficient_stock")
    api("POST", "/stock/movements", {"item_id": item["id"], "kind": "receipt", "quantity": 3,
                                     "lot": "OLD", "expiry_date": "2026-11-01",
                                     "at": when(-30)})
    status, body = api("POST", "/stock/movements", {"item_id": item["id"], "kind": "issue",
                                                    "quantity": 1})
    assert (status, body["error"]["code"]) == (409, "lot_expired")
    status, body = api("POST", "/stock/movements", {"item_id": item["id"], "kind": "issue",
                                                    "quantity": "satu"})
    assert (status, body["error"]["fields"]) == (422, {
        "quantity": "Jumlah harus berupa bilangan bulat."})
    status, body = api("POST", "/stock/movements", ["bukan objek"])
    assert (status, body["error"]["code"]) == (400, "bad_request")


def test_count_and_pdfs(api):
    item = add_item(api)
    api("POST", "/stock/movements", {"item_id": item["id"], "kind": "receipt", "quantity": 8,
                                     "lot": "A", "at": when(-3)})
    status, body = api("POST", "/stock/counts", {
        "at": when(-1), "counters": ["Siti Aminah", "Joko"],
        "lines": [{"item_id": item["id"], "lot": "A", "counted": 6}]})
    assert status == 201, body
    assert body == {"id": body["id"], "adjustments": [
        {"item_id": item["id"], "lot": "A", "difference": -2}]}
    status, pdf = api("GET", f"/stock/counts/{body['id']}.pdf")
    assert status == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "BERITA ACARA STOCK OPNAME" in text and "Siti Aminah" in text and "Mengetahui" in text
    status, pdf = api("GET", f"/stock/items/{item['id']}/card.pdf?from=2026-11-01&to=2026-11-20")
    assert status == 200, pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "KARTU STOK" in text and "Saldo awal" in text and "Penyesuaian" in text
    assert "1 November 2026" in text and "PEMERINTAH KABUPATEN TEGAL" in text
    status, body = api("GET", f"/stock/items/{item['id']}/card.pdf?from=2026-11-20&to=2026-11-01")
    assert (status, list(body["error"]["fields"])) == (422, ["to"])
    status, body = api("POST", "/stock/counts", {"at": when(0), "lines": []})
    assert (status, list(body["error"]["fields"])) == (422, ["lines"])


def test_alerts(api):
    item = add_item(api)
    api("POST", "/stock/movements", {"item_id": item["id"], "kind": "receipt", "quantity": 12,
                                     "lot": "A", "expiry_date": "2026-12-01", "at": when(-1)})
    status, body = api("GET", "/stock/alerts")
    assert (status, body) == (200, [{"item_id": item["id"], "code": "BRS", "kind": "expiring",
                                     "lot": "A", "expiry_date": "2026-12-01", "balance": 12}])


@pytest.mark.parametrize("role,allowed", [("admin", False), ("kepala", True),
                                          ("petugas", True), ("staf", True)])
def test_permissions(app, client, role, allowed):
    headers = api_token(client, app, role)
    for method, path, body in [("GET", "/stock/items", None), ("GET", "/stock/alerts", None),
                               ("POST", "/stock/items", {"code": "X"})]:
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        if allowed:
            assert response.status_code in (200, 422), (role, path)
        else:
            assert (response.status_code, response.get_json()["error"]["code"]) == (
                403, "forbidden"), (role, path)


def test_out_of_range_input_is_refused_naming_the_field(api):
    item = add_item(api)
    for body, field in [
        ({"item_id": 2**70, "kind": "issue", "quantity": 1}, "item_id"),
        ({"item_id": item["id"], "kind": "issue", "quantity": 1, "stay_id": 2**63}, "stay_id"),
        ({"kind": "reversal", "reverses": 10**30}, "reverses"),
        ({"item_id": item["id"], "kind": "receipt", "quantity": 10**12}, "quantity"),
        ({"item_id": item["id"], "kind": "receipt", "quantity": 1,
          "at": "0001-01-01T00:00:00+07:00"}, "at"),
        ({"item_id": item["id"], "kind": "receipt", "quantity": 1, "lot": "X",
          "expiry_date": "9999-12-31"}, "expiry_date"),
    ]:
        status, answer = api("POST", "/stock/movements", body)
        assert (status, list(answer["error"]["fields"])) == (422, [field]), body
    status, answer = api("GET", f"/stock/items/{item['id']}/card.pdf?from=0001-01-01&to=0001-01-02")
    assert (status, list(answer["error"]["fields"])) == (422, ["from", "to"])
    status, answer = api("POST", "/stock/counts", {"lines": [{"item_id": 2**40, "counted": 1}]})
    assert (status, list(answer["error"]["fields"])) == (422, ["lines.0.item_id"])
