"""Concurrent issues on a real `rps serve` server (several worker processes), on SQLite and
on PostgreSQL: 30 issues of 10 units race for 100 units; exactly 10 win, the others get
409 insufficient_stock, and the balance ends at 0, never below."""
import pytest

from .race_support import call, race

pytestmark = pytest.mark.server


def test_thirty_issues_of_ten_units_against_one_hundred(race_server):
    status, item = call(race_server.url, "POST", "/api/v1/stock/items",
                        {"code": "BRS-RACE", "name": "Beras", "unit": "kg",
                         "category": "pangan", "min_level": 0}, race_server.headers)
    assert status == 201, item
    for lot, quantity in (("A", 30), ("B", 70)):
        status, body = call(race_server.url, "POST", "/api/v1/stock/movements",
                            {"item_id": item["id"], "kind": "receipt", "quantity": quantity,
                             "lot": lot, "expiry_date": "2099-01-0" + ("1" if lot == "A" else "2")},
                            race_server.headers)
        assert status == 201, body
    answers = race(race_server, [("POST", "/api/v1/stock/movements",
                             {"item_id": item["id"], "kind": "issue", "quantity": 10})] * 30)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * 10 + [409] * 20, answers
    assert {body["error"]["code"] for status, body in answers if status == 409} == {
        "insufficient_stock"}
    # Each winner saw the balance its own issue left: 90, 80, ... 0, each once.
    assert sorted(body["balance"] for status, body in answers if status == 201) == list(
        range(0, 100, 10))
    status, items = call(race_server.url, "GET", "/api/v1/stock/items", headers=race_server.headers)
    assert [row["balance"] for row in items if row["id"] == item["id"]] == [0]
    taken = [lot for status, body in answers if status == 201 for lot in body["lots"]]
    assert sum(lot["quantity"] for lot in taken if lot["lot"] == "A") == 30
    assert sum(lot["quantity"] for lot in taken if lot["lot"] == "B") == 70
