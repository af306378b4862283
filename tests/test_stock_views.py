"""The /stock pages through the test client: balances, receipt and issue forms, an item's
history with reversal, disposal, counts, PDFs and the dashboard panel."""
import re
from datetime import date, datetime, timezone

import pytest

from rps_app import clock
from rps_app.extensions import db
from rps_app.stock import services
from rps_app.stock.models import StockMovement

from .conftest import csrf_token, login
from .stays_support import ACTOR, admit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def officer(app, client):
    clock.freeze(NOW)
    login(client, app, "petugas")
    return client


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def post(client, path, data, token_page="/stock"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_page), **data})


def make_items(app):
    with app.app_context():
        rice = services.add_item(ACTOR, {"code": "BRS", "name": "Beras", "unit": "kg",
                                         "category": "pangan", "min_level": 5})
        soap = services.add_item(ACTOR, {"code": "SBN", "name": "Sabun mandi", "unit": "batang",
                                         "category": "kebersihan", "min_level": 0})
        services.record_movement(ACTOR, {"item_id": soap.id, "kind": "receipt", "quantity": 40,
                                         "lot": "S1", "expiry_date": "2026-12-10"})
        db.session.commit()
        return rice.id, soap.id


def test_stock_page_lists_low_and_expiring_first(app, officer):
    rice, soap = make_items(app)
    html = page(officer, "/stock")
    assert html.index(">BRS<") < html.index(">SBN<")          # low first, then expiring
    assert "Di bawah minimum" in html and "Segera kedaluwarsa" in html
    assert 'accesskey="t"' in html and 'accesskey="k"' in html
    html = page(officer, "/stock?category=kebersihan")
    assert ">SBN<" in html and ">BRS<" not in html


def test_receipt_then_issue_keep_the_keyboard_flow(app, officer):
    rice, soap = make_items(app)
    response = post(officer, "/stock/movements", {
        "kind": "receipt", "receipt-item_id": str(rice), "receipt-quantity": "20",
        "receipt-lot": "B-7", "receipt-expiry_date": "2027-04-01", "receipt-source": "donation",
        "receipt-document_number": "BAST-DON/3"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/stock?form=receipt")
    html = page(officer, "/stock?form=receipt")
    assert re.search(r'<select[^>]*autofocus[^>]*id="receipt-item_id"|<select[^>]*id="receipt-item_id"[^>]*autofocus', html)
    with app.app_context():
        (stay,) = admit(received_at="2026-11-19T10:00:00+07:00")
        db.session.commit()
        stay_id = stay.id
        db.session.expunge(stay)
    html = page(officer, "/stock?form=issue")
    assert f'value="{stay_id}"' in html                      # clients in residence to issue to
    with app.app_context():                                  # whose names were shown: logged
        from rps_app.audit.models import AuditEntry
        shown = db.session.query(AuditEntry).filter_by(action="read", entity="client_list").all()
        assert [entry.detail for entry in shown][-1] == {"shown_in": "stock_issue_form",
                                                         "client_ids": [stay.client_id]}
    response = post(officer, "/stock/movements", {
        "kind": "issue", "issue-item_id": str(rice), "issue-quantity": "3",
        "issue-stay_id": str(stay_id)})
    assert response.status_code == 303
    response = post(officer, "/stock/movements", {
        "kind": "issue", "issue-item_id": str(rice), "issue-quantity": "30"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Tersedia 17 kg." in html                          # on the quantity field
    response = post(officer, "/stock/movements", {"kind": "issue", "issue-item_id": "",
                                                  "issue-quantity": "x"})
    assert response.status_code == 422
    assert "Barang wajib diisi." in response.get_data(as_text=True)


def test_item_history_reversal_disposal_and_card(app, officer):
    rice, soap = make_items(app)
    with app.app_context():
        issued = services.record_movement(ACTOR, {"item_id": soap, "kind": "issue",
                                                  "quantity": 4})
        db.session.commit()
        issued_id = issued.id
    html = page(officer, f"/stock/items/{soap}")
    assert "Saldo awal" in html and "Saldo akhir" in html and "S1" in html
    assert f"/stock/movements/{issued_id}/reverse" in html and 'target="_blank"' in html
    response = post(officer, f"/stock/movements/{issued_id}/reverse",
                    {"back_item": str(soap), "note": "salah catat"}, f"/stock/items/{soap}")
    assert response.status_code == 303
    html = page(officer, f"/stock/items/{soap}")
    assert f"/stock/movements/{issued_id}/reverse" not in html and "dibatalkan" in html
    response = post(officer, "/stock/movements", {
        "kind": "disposal", "back_item": str(soap), "disposal-item_id": str(soap),
        "disposal-quantity": "2", "disposal-note": "rusak terkena air"}, f"/stock/items/{soap}")
    assert response.status_code == 303
    with app.app_context():
        assert services.item_row(soap).balance == 38
        assert db.session.query(StockMovement).count() == 4
    response = officer.get(f"/stock/items/{soap}/card.pdf?from=2026-11-01&to=2026-11-20")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_count_page_records_adjustments(app, officer):
    rice, soap = make_items(app)
    html = page(officer, "/stock/counts")
    names = re.findall(r'name="(counted-\d+-\d+)"', html)
    assert len(names) == 2
    soap_field = next(n for n in names if n.startswith(f"counted-{soap}-"))
    response = post(officer, "/stock/counts", {soap_field: "37", "counters": "Siti\nJoko",
                                               "at": "2026-11-20T10:00"}, "/stock/counts")
    assert response.status_code == 303
    count_path = response.headers["Location"]
    html = page(officer, count_path)
    assert "-3" in html and "Siti, Joko" in html
    response = officer.get(count_path + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    response = post(officer, "/stock/counts", {soap_field: "-1"}, "/stock/counts")
    assert response.status_code == 422


def test_dashboard_panel_and_navigation(app, officer):
    make_items(app)
    html = page(officer, "/")
    assert "Stok perlu perhatian" in html and "BRS" in html
    assert 'href="/stock"' in html


def test_pages_refused_to_admin(app, client):
    login(client, app, "admin")
    assert client.get("/stock").status_code == 403
    assert "Stok perlu perhatian" not in client.get("/").get_data(as_text=True)
    assert date.today()  # the admin's dashboard still renders


def test_pages_read_a_fixed_number_of_statements(app, officer):
    """The same SQL statement count with 2 items, 2 movements and 1 count line as with 12
    items, 40 movements and 12 count lines: nothing is loaded row by row."""
    from .test_query_counts import statements

    def grow(items: int, movements: int):
        with app.app_context():
            ids = []
            for n in range(items):
                ids.append(services.add_item(ACTOR, {
                    "code": f"X{n:03d}-{items}", "name": "Barang", "unit": "pcs",
                    "category": "lainnya", "min_level": 0}).id)
            for n in range(movements):
                services.record_movement(ACTOR, {"item_id": ids[0], "kind": "receipt",
                                                 "quantity": 1, "lot": f"L{n % 3}"})
            count, _ = services.record_count(ACTOR, {"lines": [
                {"item_id": item_id, "counted": 0 if item_id != ids[0] else movements}
                for item_id in ids]})
            db.session.commit()
            return ids[0], count.id

    item_id, count_id = grow(2, 2)
    few = [statements(app, officer, path) for path in
           ("/stock", f"/stock/items/{item_id}", "/stock/counts", f"/stock/counts/{count_id}")]
    item_id, count_id = grow(12, 40)
    many = [statements(app, officer, path) for path in
            ("/stock", f"/stock/items/{item_id}", "/stock/counts", f"/stock/counts/{count_id}")]
    assert few == many
