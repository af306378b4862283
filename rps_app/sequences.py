"""Gap-free counters (registration numbers, letter numbers) that hold under concurrency.

A counter is one row; taking a number is an UPDATE of that row inside the caller's
transaction, so the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE)
serialises takers and a rolled-back transaction gives its number back: no repeats, no gaps.
"""
from sqlalchemy import String, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class Counter(db.Model):
    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_value(key: str) -> int:
    """The next number of counter `key` (1 for a new key)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(Counter).values(key=key, value=0).on_conflict_do_nothing())
    return db.session.execute(
        update(Counter).where(Counter.key == key).values(value=Counter.value + 1)
        .returning(Counter.value)).scalar_one()


def current_value(key: str) -> int:
    return db.session.scalar(select(Counter.value).where(Counter.key == key)) or 0
