"""Several small reads in one statement: the lists a page gathers from other domains.

A page such as a client's record shows the lists of many domains (notes, letters,
incidents, visits...), each a select of its own. `fetch` sends them as one UNION ALL: each
part keeps its columns (in a slot of its own, a NULL cast to the column's type in the other
parts' rows, so that every column keeps its type and its conversions on both databases) and its order (a row number
over its `order_by`). Its rows come back as named tuples, in that order, per part.

The parts are built once (static selects naming their values as bind parameters, such as
`bindparam("client_id")`) and so is the union of a given set of parts: a page pays for
executing it, not for building it.
"""
from collections import namedtuple
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import cast, func, literal_column, null, select, union_all
from sqlalchemy.sql import Select

from .extensions import db


@dataclass(frozen=True, eq=False)
class Part:
    """One read of a batch: a select and the order of its rows."""
    select: Select
    order_by: tuple = ()


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]):
    return namedtuple("Row", names)


@lru_cache(maxsize=128)
def _statement(parts: tuple[Part, ...]):
    """The UNION ALL of `parts` and, per part, its row type and the slots of its columns."""
    inner = [part.select.add_columns(func.row_number().over(order_by=part.order_by)
                                     .label("_seq")).subquery() for part in parts]
    shapes = [[column for column in sub.c if column.key != "_seq"] for sub in inner]
    branches = []
    for number, sub in enumerate(inner):
        slots = [
            (column if index == number else cast(null(), column.type))
            .label(f"p{index}_{place}")
            for index, shape in enumerate(shapes) for place, column in enumerate(shape)]
        branches.append(select(literal_column(str(number)).label("_part"), sub.c._seq, *slots))
    layout, start = [], 2
    for shape in shapes:
        layout.append((_row_type(tuple(column.key for column in shape)),
                       start, start + len(shape)))
        start += len(shape)
    return union_all(*branches), layout


def fetch(parts: dict[Hashable, Part], params: dict) -> dict[Hashable, list]:
    """The rows of every part, read in one statement with the bind parameters `params`
    (named tuples of the part's columns, in its order). No statement for no parts."""
    if not parts:
        return {}
    names, chosen = list(parts), tuple(parts.values())
    stmt, layout = _statement(chosen)
    found: list[list] = [[] for _ in chosen]
    for row in db.session.execute(stmt, params):
        found[row[0]].append(row)
    result = {}
    for name, rows, (row_type, start, end) in zip(names, found, layout):
        rows.sort(key=lambda row: row[1])
        result[name] = [row_type(*row[start:end]) for row in rows]
    return result
