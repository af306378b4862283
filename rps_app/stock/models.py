"""Logistics stock: items, their lots, the append-only movement ledger and stock counts.

The ledger is `stock_movements` (one row per movement) with `stock_movement_lines` (the
quantity it moved in or out of each lot, signed: + in, - out). Neither is ever updated or
deleted: database triggers refuse it (see the migration 0007_stock), a mistake is reversed by
a new movement. `stock_balances` caches the balance of each lot; it is changed only in the
transaction that appends to the ledger, by the same amount, and may never go below zero
(a CHECK), so reading a balance or a kartu stok never sums the whole history.
"""
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, Float, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime

CATEGORIES = ("pangan", "sandang", "kebersihan", "kesehatan", "atk", "lainnya")
SOURCES = ("apbd", "donation", "transfer", "other")
KINDS = ("receipt", "issue", "disposal", "reversal", "adjustment")
ALERT_KINDS = ("low", "expiring", "expired")
NO_LOT = ""  # the lot code of stock received without a lot (shown as null / "-")


class StockItem(db.Model):
    __tablename__ = "stock_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(20), index=True)
    min_level: Mapped[int] = mapped_column(Integer, default=0)
    # Use per person per day (food): e.g. 0.3 kg of rice.
    per_head_per_day: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    lots: Mapped[list["StockLot"]] = relationship(back_populates="item", order_by="StockLot.id")

    __table_args__ = (
        CheckConstraint("category IN ('pangan', 'sandang', 'kebersihan', 'kesehatan', 'atk', "
                        "'lainnya')", name="category"),
        CheckConstraint("min_level >= 0", name="min_level"),
        CheckConstraint("per_head_per_day IS NULL OR per_head_per_day > 0",
                        name="per_head_per_day"),
    )


class StockLot(db.Model):
    """A lot of an item with its expiry date (fixed by its first receipt)."""
    __tablename__ = "stock_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    lot: Mapped[str] = mapped_column(String(60))  # NO_LOT for stock without a lot
    expiry_date: Mapped[date | None] = mapped_column(Date)

    item: Mapped[StockItem] = relationship(back_populates="lots")

    __table_args__ = (UniqueConstraint("item_id", "lot", name="uq_stock_lots_item_lot"),)


class StockBalance(db.Model):
    """The balance of a lot now: the sum of its ledger lines, kept in step with them."""
    __tablename__ = "stock_balances"

    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity"),)


class StockMovement(db.Model):
    """One movement of one item (append-only)."""
    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)  # > 0; the kind and lines give direction
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    # A reversal names the movement it undoes; unique: a movement is reversed once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"),
                                                    unique=True)
    count_id: Mapped[int | None] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    item: Mapped[StockItem] = relationship()
    lines: Mapped[list["StockMovementLine"]] = relationship(
        back_populates="movement", order_by="StockMovementLine.id")

    __table_args__ = (
        CheckConstraint("kind IN ('receipt', 'issue', 'disposal', 'reversal', 'adjustment')",
                        name="kind"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("source IS NULL OR source IN ('apbd', 'donation', 'transfer', 'other')",
                        name="source"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal"),
        Index("ix_stock_movements_item_at", "item_id", "at", "id"),
    )


class StockMovementLine(db.Model):
    """The signed quantity a movement moved in (+) or out (-) of one lot (append-only).
    `item_id` and `at` repeat the movement's, so running balances read one index."""
    __tablename__ = "stock_movement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("stock_movements.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    quantity: Mapped[int] = mapped_column(Integer)

    movement: Mapped[StockMovement] = relationship(back_populates="lines")
    lot: Mapped[StockLot] = relationship()

    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity"),
        Index("ix_stock_movement_lines_item_at", "item_id", "at", "movement_id", "quantity"),
        Index("ix_stock_movement_lines_lot_at", "lot_id", "at", "movement_id", "quantity"),
        Index("ix_stock_movement_lines_at", "at"),
    )


class StockCount(db.Model):
    """A stock count (opname): who counted, when; its lines and adjustments."""
    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    counters: Mapped[str] = mapped_column(Text, default="")  # one name per line
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    lines: Mapped[list["StockCountLine"]] = relationship(back_populates="count",
                                                         order_by="StockCountLine.id")


class StockCountLine(db.Model):
    __tablename__ = "stock_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lots.id"))  # None: whole item
    expected: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)

    count: Mapped[StockCount] = relationship(back_populates="lines")
    item: Mapped[StockItem] = relationship()
    lot: Mapped[StockLot | None] = relationship()

    __table_args__ = (CheckConstraint("counted >= 0", name="counted"),)


class StockAlertRecord(db.Model):
    """The alerts of one day as the daily job found them (low, expiring, expired)."""
    __tablename__ = "stock_alert_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    lot: Mapped[str] = mapped_column(String(60), default=NO_LOT)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    balance: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("day", "item_id", "kind", "lot", name="uq_stock_alert_records_day"),
        CheckConstraint("kind IN ('low', 'expiring', 'expired')", name="kind"),
    )
