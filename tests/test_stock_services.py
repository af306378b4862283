"""Stock services on both databases: FEFO over lots, backdated overdraws refused, reversal
once, the ledger triggers, counts (opname), days left, alerts and the daily alert job."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from rps_app import clock
from rps_app.extensions import db
from rps_app.scheduling import Occurrence
from rps_app.stays.models import ServiceRecord
from rps_app.stock import alerts as stock_alerts
from rps_app.stock import services
from rps_app.stock.models import (StockAlertRecord, StockBalance, StockMovement,
                                  StockMovementLine)

from .stays_support import ACTOR, admit, refused

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)  # 10:00 WIB, 20 November 2026


@pytest.fixture
def now(ctx):
    clock.freeze(NOW)
    yield NOW


def at(days: float = 0, hours: float = 0) -> str:
    return (NOW + timedelta(days=days, hours=hours)).isoformat()


def item(code="BRS", category="pangan", min_level=0, per_head=None, unit="kg"):
    return services.add_item(ACTOR, {"code": code, "name": f"Barang {code}", "unit": unit,
                                     "category": category, "min_level": min_level,
                                     "per_head_per_day": per_head})


def move(item_id, kind, quantity=None, **extra):
    body = {"item_id": item_id, "kind": kind, **extra}
    if quantity is not None:
        body["quantity"] = quantity
    return services.record_movement(ACTOR, body)


def receive(item_id, quantity, lot=None, expiry=None, when=None, **extra):
    body = {"source": "apbd", **extra}
    if lot:
        body["lot"] = lot
    if expiry:
        body["expiry_date"] = expiry.isoformat()
    if when:
        body["at"] = when
    return move(item_id, "receipt", quantity, **body)


def lots_of(movement) -> list:
    return services.movement_json(movement)["lots"]


def balance(item_id) -> int:
    return services.item_row(item_id).balance


def test_issue_takes_first_expiring_lot_first_and_splits(now):
    rice = item()
    receive(rice.id, 5, "C", when=at(-10))                       # no expiry: last
    receive(rice.id, 4, "B", date(2027, 3, 1), when=at(-10))
    receive(rice.id, 3, "A", date(2026, 12, 31), when=at(-10))
    issued = move(rice.id, "issue", 5)
    assert lots_of(issued) == [{"lot": "A", "quantity": 3}, {"lot": "B", "quantity": 2}]
    assert services.movement_json(issued)["balance"] == 7
    issued = move(rice.id, "issue", 4)
    assert lots_of(issued) == [{"lot": "B", "quantity": 2}, {"lot": "C", "quantity": 2}]
    named = move(rice.id, "issue", 1, lot="C")
    assert lots_of(named) == [{"lot": "C", "quantity": 1}]
    assert balance(rice.id) == 2


def test_expired_lot_is_not_issued_but_disposed(now):
    milk = item("SUS")
    receive(milk.id, 2, "OLD", date(2026, 11, 19), when=at(-30))
    receive(milk.id, 3, "NEW", date(2027, 1, 1), when=at(-30))
    assert lots_of(move(milk.id, "issue", 2)) == [{"lot": "NEW", "quantity": 2}]
    error = refused(move, milk.id, "issue", 1, lot="OLD")
    assert (error.status, error.code) == (409, "lot_expired")
    error = refused(move, milk.id, "issue", 3)      # only 1 usable, the rest is expired
    assert (error.status, error.code) == (409, "lot_expired")
    # Judged at the movement's moment: on the 19th the lot was still good.
    assert lots_of(move(milk.id, "issue", 1, lot="OLD", at=at(-1, -2))) == [
        {"lot": "OLD", "quantity": 1}]
    error = refused(move, milk.id, "disposal", 1, lot="OLD")
    assert error.fields == {"note": "Keterangan wajib diisi."}
    disposed = move(milk.id, "disposal", 1, lot="OLD", note="Kedaluwarsa 19/11")
    assert lots_of(disposed) == [{"lot": "OLD", "quantity": 1}]
    error = refused(move, milk.id, "issue", 2)
    assert (error.status, error.code) == (409, "insufficient_stock")


def test_backdated_issue_may_not_overdraw_a_later_moment(now):
    soap = item("SBN", "kebersihan")
    receive(soap.id, 10, when=at(-10))
    move(soap.id, "issue", 8, at=at(-2))
    receive(soap.id, 8, when=at(-1))
    assert balance(soap.id) == 10
    # Now 10 are there, but five days ago only 2 could leave without the issue of two days
    # ago going below zero.
    error = refused(move, soap.id, "issue", 3, at=at(-5))
    assert (error.status, error.code, error.fields) == (409, "insufficient_stock",
                                                        {"quantity": "Tersedia 2 kg."})
    assert lots_of(move(soap.id, "issue", 2, at=at(-5))) == [{"lot": None, "quantity": 2}]
    error = refused(move, soap.id, "issue", 1, at=at(-3))
    assert error.code == "insufficient_stock"
    # Before the first receipt there was nothing at all.
    assert refused(move, soap.id, "issue", 1, at=at(-11)).code == "insufficient_stock"
    assert balance(soap.id) == 8
    assert db.session.scalar(select(func.count(StockMovement.id))) == 4


def test_reversal_is_the_exact_opposite_once(now):
    cloth = item("BJU", "sandang", unit="stel")
    received = receive(cloth.id, 6, "L1", when=at(-3))
    issued = move(cloth.id, "issue", 4)
    reversal = move(cloth.id, "reversal", reverses=issued.id, note="salah barang")
    assert reversal.quantity == 4 and lots_of(reversal) == [{"lot": "L1", "quantity": 4}]
    assert balance(cloth.id) == 6
    error = refused(move, cloth.id, "reversal", reverses=issued.id)
    assert (error.status, error.code) == (409, "already_reversed")
    error = refused(move, cloth.id, "reversal", reverses=reversal.id)
    assert error.status == 422 and "reverses" in error.fields
    # A receipt whose stock has left cannot be reversed.
    move(cloth.id, "issue", 5)
    error = refused(move, cloth.id, "reversal", reverses=received.id)
    assert (error.status, error.code) == (409, "insufficient_stock")
    assert refused(move, cloth.id, "reversal", 3, reverses=received.id).fields == {
        "quantity": "Jumlah pembatalan harus sama dengan mutasi yang dibatalkan."}


def test_issue_to_a_client_is_an_spm_service(now):
    kit = item("HYG", "kebersihan", unit="paket")
    receive(kit.id, 3, when=at(-1))
    stay, = admit(received_at=at(-2))
    issued = move(kit.id, "issue", 1, stay_id=stay.id)
    service = db.session.get(ServiceRecord, issued.service_record_id)
    assert (service.stay_id, service.component, service.given_on) == (stay.id, 2,
                                                                      date(2026, 11, 20))
    error = refused(move, kit.id, "issue", 1, stay_id=stay.id, at=at(-3))
    assert error.status == 422 and set(error.fields) == {"stay_id"}
    assert refused(move, kit.id, "receipt", 1, stay_id=stay.id).fields["stay_id"]


@pytest.mark.parametrize("statement", [
    "UPDATE stock_movements SET quantity = 99",
    "DELETE FROM stock_movements",
    "UPDATE stock_movement_lines SET quantity = 99",
    "DELETE FROM stock_movement_lines",
])
def test_database_refuses_changing_the_ledger(now, statement):
    rice = item()
    receive(rice.id, 5, when=at(-1))
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError) as caught:
        with db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert "append-only" in str(caught.value)
    assert db.session.scalar(select(func.sum(StockMovementLine.quantity))) == 5


def test_count_writes_its_differences_as_adjustments(now):
    rice = item("BRS")
    oil = item("MYK", unit="liter")
    receive(rice.id, 10, "A", date(2027, 1, 1), when=at(-5))
    receive(rice.id, 4, "B", date(2027, 6, 1), when=at(-5))
    receive(oil.id, 6, when=at(-5))
    move(rice.id, "issue", 2, at=at(-1))                      # after the count: A 8
    count, adjustments = services.record_count(ACTOR, {
        "at": at(-2), "counters": ["Siti", "Joko"],
        "lines": [{"item_id": rice.id, "lot": "A", "counted": 9},
                  {"item_id": rice.id, "lot": "B", "counted": 4},
                  {"item_id": oil.id, "counted": 7}]})
    assert adjustments == [{"item_id": rice.id, "lot": "A", "difference": -1},
                           {"item_id": oil.id, "lot": None, "difference": 1}]
    assert services.count_adjustments(count) == [
        {"item_id": rice.id, "lot": "A", "difference": -1},
        {"item_id": oil.id, "lot": None, "difference": 1}]
    assert [line.expected for line in count.lines] == [10, 4, 6]
    assert (balance(rice.id), balance(oil.id)) == (11, 7)
    # A count that contradicts later history (the 2 issued after it) is refused.
    error = refused(services.record_count, ACTOR, {
        "at": at(-2), "lines": [{"item_id": rice.id, "lot": "A", "counted": 0}]})
    assert (error.code, set(error.fields)) == ("insufficient_stock", {"lines.0.counted"})
    error = refused(services.record_count, ACTOR, {"at": at(), "lines": [
        {"item_id": rice.id, "counted": -1}, {"item_id": 999, "counted": 1},
        {"item_id": rice.id, "lot": "Z", "counted": 1}]})
    assert set(error.fields) == {"lines.0.counted", "lines.1.item_id", "lines.2.lot"}


def test_days_left_from_use_per_head_else_recent_issues(now):
    rice = item("BRS", per_head=0.5, min_level=5)
    soap = item("SBN", "kebersihan", min_level=2)
    gloves = item("SRT", "kesehatan")
    receive(rice.id, 20, when=at(-20))
    receive(soap.id, 30, when=at(-20))
    receive(gloves.id, 3, when=at(-20))
    move(soap.id, "issue", 7, at=at(-13))
    move(soap.id, "issue", 7, at=at(-2))
    move(soap.id, "issue", 9, at=at(-15))                     # outside the 14 days
    rows = {row.item.code: row for row in services.list_items()}
    # No client in residence: rice falls back to its issues, of which there are none.
    assert rows["BRS"].days_left is None
    assert (rows["SBN"].balance, rows["SBN"].days_left) == (7, 7)   # 14 in 14 days: 1/day
    assert rows["SRT"].days_left is None and rows["SRT"].low is False
    admit(*[{"name": f"K{n}", "identity_known": False, "sex": "L", "pmks_category": 11,
             "estimated_age": 30} for n in range(3)], received_at=at(-1))
    rows = {row.item.code: row for row in services.list_items()}
    assert rows["BRS"].days_left == 13                                # 20 / (0.5 x 3)
    assert rows["SBN"].as_json()["low"] is False
    move(soap.id, "issue", 5)
    assert services.item_row(soap.id).low is True                     # 2 <= 2


def test_alerts_and_the_daily_job(now):
    clock.freeze(NOW - timedelta(days=10))
    rice = item("BRS", min_level=10)
    milk = item("SUS", min_level=0)
    clock.freeze(NOW)
    receive(rice.id, 12, "R1", date(2027, 6, 1), when=at(-3))
    receive(milk.id, 2, "M1", date(2026, 11, 19), when=at(-3))       # expired
    receive(milk.id, 3, "M2", date(2026, 12, 15), when=at(-3))       # within 30 days
    receive(milk.id, 1, "M3", date(2026, 12, 25), when=at(-3))       # 35 days: not yet
    move(rice.id, "issue", 3)
    found = [alert.as_json() for alert in services.alerts()]
    assert found == [
        {"item_id": rice.id, "code": "BRS", "kind": "low", "lot": None, "expiry_date": None,
         "balance": 9},
        {"item_id": milk.id, "code": "SUS", "kind": "expiring", "lot": "M2",
         "expiry_date": "2026-12-15", "balance": 3},
        {"item_id": milk.id, "code": "SUS", "kind": "expired", "lot": "M1",
         "expiry_date": "2026-11-19", "balance": 2}]
    panel = stock_alerts.dashboard()
    assert [len(panel[k]) for k in ("low", "expiring", "expired")] == [1, 1, 1]
    occurrence = Occurrence(stock_alerts.JOB, NOW, date(2026, 11, 20), date(2026, 11, 20))
    assert stock_alerts.JOB.run(occurrence) == {"day": "2026-11-20", "low": 1, "expiring": 1,
                                                "expired": 1, "recorded": 3}
    assert stock_alerts.JOB.run(occurrence)["recorded"] == 0        # once per day
    assert [(r.kind, r.lot, r.balance) for r in stock_alerts.recorded(date(2026, 11, 20))] == [
        ("low", "", 9), ("expiring", "M2", 3), ("expired", "M1", 2)]
    # A day caught up later is judged as it stood at its own moment.
    earlier = Occurrence(stock_alerts.JOB, NOW - timedelta(days=5), date(2026, 11, 15),
                         date(2026, 11, 15))
    assert stock_alerts.JOB.run(earlier) == {"day": "2026-11-15", "low": 2, "expiring": 0,
                                             "expired": 0, "recorded": 2}
    assert db.session.scalar(select(func.count(StockAlertRecord.id))) == 5


def test_bad_input_names_the_field(now):
    rice = item()
    for body, fields in [
        ({"kind": "issue"}, {"item_id", "quantity"}),
        ({"kind": "take", "item_id": rice.id, "quantity": 1}, {"kind"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 0}, {"quantity"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1.5}, {"quantity"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1, "at": "kemarin"}, {"at"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1, "at": at(2)}, {"at"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1, "source": "hibah"}, {"source"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1, "expiry_date": "2027-13-01",
          "lot": "X"}, {"expiry_date"}),
        ({"kind": "receipt", "item_id": rice.id, "quantity": 1, "expiry_date": "2027-01-01"},
         {"lot"}),
        ({"kind": "issue", "item_id": 999, "quantity": 1}, {"item_id"}),
        ({"kind": "reversal", "reverses": 999}, {"reverses"}),
        ({"kind": "adjustment", "item_id": rice.id, "quantity": 1}, {"kind"}),
    ]:
        error = refused(services.record_movement, ACTOR, body)
        assert (error.status, set(error.fields)) == (422, fields), body
    error = refused(services.add_item, ACTOR, {"code": "BRS", "name": "", "unit": "kg",
                                               "category": "makanan", "min_level": -1,
                                               "per_head_per_day": "banyak"})
    assert set(error.fields) == {"code", "name", "category", "min_level", "per_head_per_day"}
    assert db.session.scalar(select(func.count(StockMovement.id))) == 0


def test_balances_equal_the_ledger(now):
    rice = item()
    receive(rice.id, 9, "A", date(2027, 1, 1), when=at(-4))
    receive(rice.id, 9, "B", when=at(-4))
    move(rice.id, "issue", 10, at=at(-3))
    services.record_count(ACTOR, {"at": at(-1), "lines": [{"item_id": rice.id, "counted": 5}]})
    ledger = dict(db.session.execute(select(StockMovementLine.lot_id,
                                            func.sum(StockMovementLine.quantity))
                                     .group_by(StockMovementLine.lot_id)).all())
    cached = dict(db.session.execute(select(StockBalance.lot_id, StockBalance.quantity)).all())
    assert ledger == cached and sum(cached.values()) == 5


def test_the_scheduler_runs_the_alert_job_once_a_day(now):
    from scheduler.runner import run_due
    clock.freeze(NOW - timedelta(days=3))
    item("BRS", min_level=10)                       # created on the 17th at 10:00
    db.session.commit()
    clock.freeze(NOW)
    outcome = run_due(NOW, jobs=[stock_alerts.JOB])
    # 06:00 of the 13th to the 20th (a week of catch-up), each once.
    assert len(outcome.done) == 8 and not outcome.failed
    assert outcome.done[-1].summary == {"day": "2026-11-20", "low": 1, "expiring": 0,
                                        "expired": 0, "recorded": 1}
    again = run_due(NOW, jobs=[stock_alerts.JOB])
    assert (again.done, again.skipped) == ([], 8)
    assert [run.summary["low"] for run in outcome.done] == [0] * 5 + [1] * 3  # from the 18th
    assert db.session.scalar(select(func.count(StockAlertRecord.id))) == 3
