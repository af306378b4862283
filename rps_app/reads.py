"""The reads of a page made of panels, sent to the database as one SELECT.

A page that gathers panels from several domains (the dashboard) would send a statement or
more per panel. Instead, each panel asks a `Reads` for what it needs, without running it:
a value (a count, one column of one row) or a list of rows. The page then runs them all at
once, as the scalar subqueries of one SELECT (`Reads.run`), and each panel builds its part
from the answers (`Pending.value`; `then` and `made` build answers from answers).

A list of rows travels as one JSON array of arrays (json_group_array on SQLite, json_agg
on PostgreSQL), decoded back into the Python values the columns' types give (dates, aware
UTC datetimes, booleans, JSON), as named tuples. An ordered list numbers its rows in SQL
(row_number() over the same order) and is sorted by that number here: neither database
promises that an aggregate keeps the order of its subquery.

A read is best declared once, at import, as a `Query` of named parameters: its statement
is then built once per database, and the page's SELECT once per set of panels, so that a
request only binds values (building SQLAlchemy statements costs more than running these
small ones):

    VISITS = Query("visits_with_clients", lambda param: rows(
        select(Visit.id, Visit.visitor_name, ...)
        .where(Visit.arrived_at >= param("start", UTCDateTime()),
               Visit.arrived_at < param("end", UTCDateTime())),
        order_by=(Visit.arrived_at, Visit.id)))

    reads = Reads()
    today = reads.ask(VISITS, start=..., end=...)  # a Pending
    reads.run()                                    # one statement for every read asked
    today.value                                    # [Row(id=..., visitor_name=...), ...]
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


def _decoder(type_, dialect) -> Callable | None:
    """How a value of `type_` read back from JSON becomes what SQLAlchemy would return
    (None: as it is)."""
    if isinstance(type_, TypeDecorator):
        inner, process = _decoder(type_.impl_instance, dialect), type_.process_result_value
        if inner is None:
            return lambda value: process(value, dialect)
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
    return None


class _Rows:
    """A list of rows, aggregated into one JSON value by the database."""

    def __init__(self, stmt, order_by: Sequence = (), limit: int | None = None):
        if order_by:
            stmt = (stmt.add_columns(sa.func.row_number().over(order_by=list(order_by))
                                     .label(ROW_NUMBER))
                    .order_by(*order_by))
        if limit is not None:
            stmt = stmt.limit(limit)
        self.numbered = bool(order_by)
        self.sub = stmt.subquery()
        columns = list(self.sub.c)
        self.row_type = _row_type(tuple(c.key for c in (columns[:-1] if self.numbered
                                                        else columns)))
        self.types = [c.type for c in columns]
        self._decoders: dict[str, list] = {}

    def column(self, dialect):
        if dialect.name == "postgresql":
            return sa.select(sa.func.json_agg(sa.func.json_build_array(*self.sub.c))
                             ).scalar_subquery()
        return sa.select(sa.func.json_group_array(sa.func.json_array(*self.sub.c))
                         ).scalar_subquery()

    def decode(self, value, dialect) -> list:
        items = json.loads(value) if isinstance(value, str) else (value or [])
        decoders = self._decoders.get(dialect.name)
        if decoders is None:
            decoders = self._decoders[dialect.name] = [
                (n, d) for n, d in enumerate(_decoder(t, dialect) for t in self.types) if d]
        for item in items:
            for n, decode in decoders:
                item[n] = decode(item[n])
        make = self.row_type._make
        if self.numbered:
            items.sort(key=lambda item: item[-1])
            return [make(item[:-1]) for item in items]
        return [make(item) for item in items]


class _Value:
    """One value: a scalar subquery (or an EXISTS), read as SQLAlchemy reads it."""

    def __init__(self, expression):
        self.expression = expression

    def column(self, dialect):
        return self.expression

    def decode(self, value, dialect):
        return value


def rows(stmt, order_by: Sequence = (), limit: int | None = None) -> _Rows:
    """The rows of a select (or of a union, unordered), as named tuples of its column
    names (label the columns: two "id" columns become id and id_1); in the order of
    `order_by`, at most `limit` of them."""
    return _Rows(stmt, order_by, limit)


def value(stmt) -> _Value:
    """The value of a select of one column (its first row; None when it has none)."""
    return _Value(stmt.limit(1).scalar_subquery())


def exists(stmt) -> _Value:
    """Whether the select finds a row."""
    return _Value(sa.exists(stmt))


class Query:
    """A read whose statement is built once per database, then reused by every request.

    `build(param)` returns rows(...), value(...) or exists(...) made of constant SQL and
    named parameters only: `param(name, type)` is the bound parameter `name`; each ask
    gives the values (`reads.ask(QUERY, name=value)`). Building SQLAlchemy statements
    costs more than running these small ones, so a page made of queries builds nothing
    per request, and SQLAlchemy finds the page's compiled SQL without computing its cache
    key again. Never let `build` capture a value of the request (a date, an id): the
    statement keeps it for every later request.
    """
    _names: set[str] = set()

    def __init__(self, name: str, build: Callable):
        if not name.isidentifier() or name in Query._names:
            raise ValueError(f"query name {name!r}: an identifier, unique")
        Query._names.add(name)
        self.name, self._build = name, build
        self._reads: dict[str, object] = {}

    def read(self, dialect):
        found = self._reads.get(dialect.name)
        if found is None:
            found = self._reads[dialect.name] = self._build(self.param)
        return found

    def param(self, name: str, type_):
        return sa.bindparam(f"{self.name}_{name}", type_=type_)

    def values(self, given: dict) -> dict:
        return {f"{self.name}_{name}": value for name, value in given.items()}


_PAGES: dict[tuple, object] = {}   # (dialect, queries asked) -> the page's SELECT
_PAGES_KEPT = 256


class Reads:
    """The reads of one page, asked by its panels, run as one SELECT."""

    def __init__(self):
        self._asked: list[tuple[object, dict | None, Pending]] = []

    def _add(self, read, values: dict | None) -> Pending:
        pending = Pending()
        self._asked.append((read, values, pending))
        return pending

    def ask(self, query: Query, **values) -> Pending:
        """The answer to `query` with these values of its parameters."""
        if any(read is query for read, _v, _p in self._asked):
            raise ValueError(f"query {query.name} asked twice in one page")
        return self._add(query, values)

    def value(self, stmt) -> Pending:
        """A read built now (see value()); a page with one is built per request."""
        return self._add(value(stmt), None)

    def exists(self, stmt) -> Pending:
        return self._add(exists(stmt), None)

    def rows(self, stmt, order_by: Sequence = (), limit: int | None = None) -> Pending:
        return self._add(rows(stmt, order_by, limit), None)

    def run(self) -> None:
        """One statement for every read asked so far (none when nothing was asked)."""
        asked, self._asked = self._asked, []
        if not asked:
            return
        dialect = db.session.get_bind().dialect
        reads = [read.read(dialect) if isinstance(read, Query) else read
                 for read, _values, _pending in asked]
        params: dict = {}
        for read, values, _pending in asked:
            if values:
                params.update(read.values(values))
        stmt = None
        if all(isinstance(read, Query) for read, _v, _p in asked):
            key = (dialect.name, *(read.name for read, _v, _p in asked))
            stmt = _PAGES.get(key)
            if stmt is None:
                if len(_PAGES) >= _PAGES_KEPT:
                    _PAGES.clear()
                stmt = _PAGES[key] = _page_select(reads, dialect)
        else:
            stmt = _page_select(reads, dialect)
        row = db.session.execute(stmt, params).one()
        for read, (_asked, _values, pending), value_ in zip(reads, asked, row):
            pending._set(read.decode(value_, dialect))


def _page_select(reads, dialect):
    return sa.select(*[read.column(dialect).label(f"read_{n}") for n, read in enumerate(reads)])


def at_once(ask: Callable, *args, **kwargs):
    """The answer of `ask(reads, *args, **kwargs)` (a Pending, or a function that builds a
    panel), read on its own: in one statement, outside a page that gathers reads."""
    reads = Reads()
    answer = ask(reads, *args, **kwargs)
    reads.run()
    return answer.value if isinstance(answer, Pending) else answer()
