"""Reading the ledger: balances of lots at a moment and what may still leave them.

A new movement at `at` is ordered after every movement with the same or an earlier `at`.
What may leave a lot at `at` without any running balance going below zero, then or at
any later movement, is its balance at `at` plus the lowest (negative) sum of the later
movements of that lot up to each of them: one SQL query with a window function, over the
movements after `at` only (the current balance comes from stock_balances).
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from .models import NO_LOT, StockBalance, StockLot, StockMovementLine


@dataclass
class LotState:
    lot: StockLot
    current: int        # balance now
    at: int             # balance at the moment asked (movements up to it)
    available: int      # what may leave at that moment without a later balance below 0

    @property
    def code(self) -> str:
        return self.lot.lot

    @property
    def expiry_date(self) -> date | None:
        return self.lot.expiry_date

    def expired_on(self, day: date) -> bool:
        return self.lot.expiry_date is not None and day > self.lot.expiry_date


def _later(item_ids, moment: datetime):
    """Per lot of `item_ids`: (sum of the lines after `moment`, lowest running sum of them)."""
    line = StockMovementLine
    running = func.sum(line.quantity).over(partition_by=line.lot_id,
                                           order_by=(line.at, line.movement_id),
                                           rows=(None, 0))
    later = (select(line.lot_id.label("lot_id"), line.quantity.label("quantity"),
                    running.label("running"))
             .where(line.item_id.in_(item_ids), line.at > moment).subquery())
    rows = db.session.execute(select(later.c.lot_id, func.sum(later.c.quantity),
                                     func.min(later.c.running)).group_by(later.c.lot_id))
    return {lot_id: (int(total), int(lowest)) for lot_id, total, lowest in rows}


def lot_states(item_id: int, moment: datetime) -> list[LotState]:
    """Every lot of the item with its balances at `moment`: FEFO order (earliest expiry
    first, lots without expiry last, then by lot id)."""
    rows = db.session.execute(
        select(StockLot, StockBalance.quantity)
        .join(StockBalance, StockBalance.lot_id == StockLot.id)
        .where(StockLot.item_id == item_id)
        .order_by(StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)).all()
    later = _later([item_id], moment)
    states = []
    for lot, current in rows:
        total, lowest = later.get(lot.id, (0, 0))
        at = current - total
        states.append(LotState(lot, current, at, at + min(0, lowest)))
    return states


def balances_at(moment: datetime | None = None, item_ids=None) -> dict[int, int]:
    """Balance per lot id now (moment None) or at `moment` (all items, or `item_ids`)."""
    stmt = select(StockBalance.lot_id, StockBalance.quantity)
    if item_ids is not None:
        stmt = stmt.where(StockBalance.item_id.in_(item_ids))
    balances = {lot_id: quantity for lot_id, quantity in db.session.execute(stmt)}
    if moment is not None:
        line = StockMovementLine
        later = select(line.lot_id, func.sum(line.quantity)).where(line.at > moment)
        if item_ids is not None:
            later = later.where(line.item_id.in_(item_ids))
        for lot_id, total in db.session.execute(later.group_by(line.lot_id)):
            balances[lot_id] = balances.get(lot_id, 0) - int(total)
    return balances


def item_balance(item_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(StockBalance.quantity), 0))
                                 .where(StockBalance.item_id == item_id)))


def lot_label(code: str | None) -> str | None:
    """The lot as the API shows it: None for stock without a lot."""
    return None if code in (None, NO_LOT) else code
