"""The reads of a page made of panels, sent to the database as one SELECT.

A page that gathers panels from several domains (the dashboard) would send a statement or
more per panel. Instead, each panel asks a `Reads` for what it needs, as SQLAlchemy
selects that are not run yet: a value (a count, an EXISTS, one column of one row) or a
list of rows. The page then runs them all at once, as the scalar subqueries of one SELECT
(`run`), and each panel builds its part from the answers (`Pending.value`).

A list of rows travels as one JSON array of arrays (json_group_array on SQLite, json_agg
on PostgreSQL), decoded back into the Python values the columns' types give (dates,
aware UTC datetimes, booleans, JSON), as named rows. An ordered list numbers its rows in
SQL (row_number() over the same order) and is sorted by that number here: neither
database promises that an aggregate keeps the order of its subquery. Every value is a
bound parameter, so SQLAlchemy compiles the SQL once per shape of page.

    reads = Reads()
    total = reads.value(select(func.count()).select_from(Referral).where(...))
    rows = reads.rows(select(Referral.id.label("id"), ...), order_by=(Referral.sent_at,), limit=10)
    reads.run()
    total.value, rows.value   # 3, [Row(id=..., ...), ...]
"""
import json
from collections import namedtuple
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from .extensions import db

ROW_NUMBER = "_n"


class Pending:
    """The answer to one read, available once the page's reads have run."""
    __slots__ = ("_value", "_ready")

    def __init__(self):
        self._ready = False
        self._value = None

    def _set(self, value) -> None:
        self._value, self._ready = value, True

    @property
    def value(self):
        if not self._ready:
            raise RuntimeError("a read's value asked before Reads.run()")
        return self._value

    def then(self, build: Callable) -> "Pending":
        """The answer made from this one by `build(value)` (once, when first asked)."""
        return made(lambda: build(self.value))


class _Made(Pending):
    __slots__ = ("_build",)

    def __init__(self, build: Callable):
        super().__init__()
        self._build = build

    @property
    def value(self):
        if not self._ready:
            self._set(self._build())
        return self._value


def made(build: Callable) -> Pending:
    """An answer made by `build()` from other answers (once, when first asked, after the
    reads have run)."""
    return _Made(build)


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]):
    return namedtuple("Row", names, rename=True)


def _decoder(type_, dialect) -> Callable:
    """How a value of `type_` read back from JSON becomes what SQLAlchemy would return."""
    if isinstance(type_, TypeDecorator):
        inner, process = _decoder(type_.impl_instance, dialect), type_.process_result_value
        return lambda value: process(None if value is None else inner(value), dialect)
    if isinstance(type_, sa.DateTime):
        return lambda value: None if value is None else datetime.fromisoformat(value)
    if isinstance(type_, sa.Date):
        return lambda value: None if value is None else date.fromisoformat(value[:10])
    if isinstance(type_, sa.Time):
        return lambda value: None if value is None else time.fromisoformat(value)
    if isinstance(type_, sa.Boolean):
        return lambda value: None if value is None else bool(value)
    if isinstance(type_, sa.JSON):  # SQLite gives the stored text, PostgreSQL the value
        return lambda value: json.loads(value) if isinstance(value, str) else value
    if isinstance(type_, sa.Numeric) and not isinstance(type_, (sa.Float, sa.Integer)) \
            and type_.asdecimal:
        return lambda value: None if value is None else Decimal(str(value))
    return lambda value: value


class _Rows:
    def __init__(self, stmt, order_by: Sequence, limit: int | None):
        if order_by:
            stmt = (stmt.add_columns(sa.func.row_number().over(order_by=list(order_by))
                                     .label(ROW_NUMBER))
                    .order_by(*order_by))
        if limit is not None:
            stmt = stmt.limit(limit)
        self.numbered = bool(order_by)
        self.sub = stmt.subquery()
        columns = list(self.sub.c)
        self.names = tuple(c.key for c in (columns[:-1] if self.numbered else columns))
        self.types = [c.type for c in columns]

    def column(self, dialect):
        if dialect.name == "postgresql":
            return sa.select(sa.func.json_agg(sa.func.json_build_array(*self.sub.c))
                             ).scalar_subquery()
        return sa.select(sa.func.json_group_array(sa.func.json_array(*self.sub.c))
                         ).scalar_subquery()

    def decode(self, value, dialect) -> list:
        items = json.loads(value) if isinstance(value, str) else (value or [])
        decoders = [_decoder(t, dialect) for t in self.types]
        rows = [[decode(v) for decode, v in zip(decoders, item)] for item in items]
        if self.numbered:
            rows.sort(key=lambda row: row[-1])
            rows = [row[:-1] for row in rows]
        row_type = _row_type(self.names)
        return [row_type(*row) for row in rows]


class _Value:
    def __init__(self, stmt):
        self.expression = stmt

    def column(self, dialect):
        return self.expression

    def decode(self, value, dialect):
        return value


class Reads:
    """The reads of one page, asked by its panels, run as one SELECT."""

    def __init__(self):
        self._asked: list[tuple[object, Pending]] = []

    def _ask(self, read) -> Pending:
        pending = Pending()
        self._asked.append((read, pending))
        return pending

    def value(self, stmt) -> Pending:
        """The value of a select of one column (its first row; None when it has none)."""
        return self._ask(_Value(stmt.limit(1).scalar_subquery()))

    def exists(self, stmt) -> Pending:
        """Whether the select finds a row."""
        return self._ask(_Value(sa.exists(stmt)))

    def rows(self, stmt, order_by: Sequence = (), limit: int | None = None) -> Pending:
        """The rows of a select (or of a union, unordered), as named tuples of its column
        names (label the columns: two "id" columns become id and id_1); in the order of
        `order_by`, at most `limit` of them."""
        return self._ask(_Rows(stmt, order_by, limit))

    def run(self) -> None:
        """One statement for every read asked so far (none when nothing was asked)."""
        asked, self._asked = self._asked, []
        if not asked:
            return
        dialect = db.session.get_bind().dialect
        columns = [read.column(dialect).label(f"read_{n}") for n, (read, _p) in enumerate(asked)]
        row = db.session.execute(sa.select(*columns)).one()
        for (read, pending), value in zip(asked, row):
            pending._set(read.decode(value, dialect))


def at_once(ask: Callable, *args, **kwargs):
    """The answer of `ask(reads, *args, **kwargs)` (a Pending, or a function that builds a
    panel), read on its own: in one statement, outside a page that gathers reads."""
    reads = Reads()
    answer = ask(reads, *args, **kwargs)
    reads.run()
    return answer.value if isinstance(answer, Pending) else answer()
