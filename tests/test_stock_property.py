"""A property test of the stock ledger (hypothesis, stateful): random receipts, issues (also
backdated), disposals, reversals and counts. After every step, on both databases: no
running balance of any lot (and so of any item) is ever negative, at any moment of its
history, and each cached balance equals the sum of the ledger.

Each example runs in one transaction that is rolled back at its end; each step in a
savepoint, rolled back when refused, as a failed request is."""
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from itertools import count

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from rps_app import clock
from rps_app.errors import DomainError
from rps_app.extensions import db
from rps_app.stock import services
from rps_app.stock.models import StockBalance, StockLot, StockMovementLine

from .stays_support import ACTOR

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
# Lot A keeps, lot B expired three days ago (issues before then may take it), "" no lot.
LOTS = {"A": NOW.date() + timedelta(days=40), "B": NOW.date() - timedelta(days=3), None: None}
codes = count()

hours_back = st.integers(min_value=0, max_value=24 * 10)
quantities = st.integers(min_value=1, max_value=15)


class Ledger(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.items: list[int] = []
        self.movements: list[int] = []
        self.outcomes: dict[str, int] = defaultdict(int)

    @initialize()
    def items_exist(self):
        for category in ("pangan", "kebersihan"):
            code = f"P{next(codes)}"
            item_id = services.add_item(ACTOR, {
                "code": code, "name": code, "unit": "pcs", "category": category,
                "min_level": 0}).id
            self.items.append(item_id)
            for lot, expiry in LOTS.items():  # every lot exists from the start, some in stock
                body = {"item_id": item_id, "kind": "receipt", "quantity": 5,
                        "at": self.moment(24 * 11)}
                if lot:
                    body.update(lot=lot, expiry_date=expiry.isoformat())
                self.movements.append(services.record_movement(ACTOR, body).id)

    def attempt(self, call, *args) -> None:
        savepoint = db.session.begin_nested()
        try:
            result = call(*args)
        except DomainError as error:
            savepoint.rollback()
            assert error.status in (409, 422), error
            self.outcomes[error.code] += 1
            return
        savepoint.commit()
        movement = result[0] if isinstance(result, tuple) else result
        if hasattr(movement, "kind"):
            self.movements.append(movement.id)
        self.outcomes["ok"] += 1

    @staticmethod
    def moment(hours: int) -> str:
        return (NOW - timedelta(hours=hours)).isoformat()

    @rule(item=st.integers(0, 1), quantity=quantities, lot=st.sampled_from(list(LOTS)),
          back=hours_back)
    def receive(self, item, quantity, lot, back):
        body = {"item_id": self.items[item], "kind": "receipt", "quantity": quantity,
                "at": self.moment(back), "source": "donation"}
        if lot:
            body.update(lot=lot, expiry_date=LOTS[lot].isoformat())
        self.attempt(services.record_movement, ACTOR, body)

    @rule(item=st.integers(0, 1), quantity=quantities, back=hours_back,
          lot=st.sampled_from([None, "A", "B"]), kind=st.sampled_from(["issue", "disposal"]))
    def take(self, item, quantity, back, lot, kind):
        body = {"item_id": self.items[item], "kind": kind, "quantity": quantity,
                "at": self.moment(back), "note": "uji"}
        if lot:
            body["lot"] = lot
        self.attempt(services.record_movement, ACTOR, body)

    @rule(pick=st.integers(0, 10**6), back=st.integers(0, 5))
    def reverse(self, pick, back):
        if self.movements:
            target = self.movements[pick % len(self.movements)]
            self.attempt(services.record_movement, ACTOR,
                         {"kind": "reversal", "reverses": target, "at": self.moment(back)})

    @rule(item=st.integers(0, 1), counted=st.integers(0, 30), back=hours_back,
          lot=st.sampled_from([None, "A", "B"]))
    def count(self, item, counted, back, lot):
        line = {"item_id": self.items[item], "counted": counted}
        if lot:
            line["lot"] = lot
        self.attempt(services.record_count, ACTOR, {"at": self.moment(back), "lines": [line]})

    @invariant()
    def never_negative_and_balances_are_the_ledger(self):
        if not self.items:
            return
        line = StockMovementLine
        running: dict[int, int] = defaultdict(int)
        for lot_id, quantity in db.session.execute(
                select(line.lot_id, line.quantity).where(line.item_id.in_(self.items))
                .order_by(line.at, line.movement_id)):
            running[lot_id] += quantity
            assert running[lot_id] >= 0, f"lot {lot_id} below zero"
        cached = dict(db.session.execute(select(StockBalance.lot_id, StockBalance.quantity)
                                         .where(StockBalance.item_id.in_(self.items))).all())
        lots = set(db.session.scalars(select(StockLot.id).where(StockLot.item_id.in_(self.items))))
        assert set(cached) == lots
        assert cached == {lot_id: running.get(lot_id, 0) for lot_id in lots}
        totals = dict(db.session.execute(select(line.item_id, func.sum(line.quantity))
                                         .where(line.item_id.in_(self.items))
                                         .group_by(line.item_id)).all())
        for item_id in self.items:
            assert services.item_balance(item_id) == totals.get(item_id, 0) >= 0


def test_random_histories_never_go_below_zero(ctx):
    clock.freeze(NOW)
    outcomes: dict[str, int] = defaultdict(int)

    class Run(Ledger):
        def teardown(self):
            for key, value in self.outcomes.items():
                outcomes[key] += value
            db.session.rollback()

    run_state_machine_as_test(Run, settings=settings(
        max_examples=20, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    # The runs were not all refusals: stock moved, and some overdraws were refused.
    assert outcomes["ok"] > 100 and outcomes["insufficient_stock"] > 10, dict(outcomes)
