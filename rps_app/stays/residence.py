"""Which stays are in residence: at a moment (roll call, incidents, the stock's residents)
or on the nights of a range of dates (the roster's women in residence), through indexes.

The plain condition `entered_at <= t AND (exited_at IS NULL OR exited_at > t)` reads every
stay ever recorded: the OR defeats every index and entered_at has none. Here the stays are
asked for in disjoint parts, each bounded by an index at both ends (the local dates are
written with the times and agree with them, models.py):

  open stays                      ix_stays_open_entry_date (exit_date IS NULL): a few dozen;
  stays ended within LONG_NIGHTS  ix_stays_exit_date: the exits of those days;
  stays ended later yet begun     ix_stays_long_exit_date: the few long stays, which alone
    by then                         can span more than LONG_NIGHTS nights.

So a page at the current moment reads the stays open now and those closed today, whatever
the length of the history, and one of any past day as few. reporting/metrics.py bounds
its date ranges the same way.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text, union_all

from .. import clock
from ..extensions import db
from .models import LONG_NIGHTS, Stay, longer_than


def _long_stays():
    """The long-stays partial index's condition, word for word (else no planner uses it)."""
    dialect = db.session.get_bind().dialect.name
    return text(longer_than(LONG_NIGHTS, "entry_date", "exit_date")[f"{dialect}_where"].text)


def _unindexed(column):
    """The column in a form no index serves, so that the planner keeps to the exit-date
    index (a bounded range) instead of the entry-date one (all of history before)."""
    return func.coalesce(column, column)


def _parts(columns, since: date, until: date, open_where=(), closed_where=()):
    """The open stays entered by `until` and the stays ended on or after `since` that had
    begun by `until` (dates), in the three parts of the module's docstring, with the
    further conditions on each kind."""
    columns = columns or (Stay.id,)
    reach = until + timedelta(days=LONG_NIGHTS)
    begun = _unindexed(Stay.entry_date) <= until
    return union_all(
        select(*columns).where(Stay.exit_date.is_(None), Stay.entry_date <= until,
                               *open_where),
        select(*columns).where(Stay.exit_date >= since, Stay.exit_date <= reach, begun,
                               *closed_where),
        select(*columns).where(Stay.exit_date > reach, _long_stays(), begun, *closed_where))


def at(moment: datetime, *columns):
    """The stays in residence at `moment` (entered by then and not yet exited), as a
    subquery of `columns` of Stay (its id unless named): the rows of
    `entered_at <= moment AND (exited_at IS NULL OR exited_at > moment)`."""
    day = clock.to_local(moment).date()
    entered = Stay.entered_at <= moment
    return _parts(columns, day, day, (entered,),
                  (entered, Stay.exited_at > moment)).subquery("resident")


def on_nights(start: date, end: date, *columns):
    """The stays holding a night in [start, end] (entry_date <= end, and open or exit_date
    after start), as a subquery of `columns` of Stay (its id unless named)."""
    return _parts(columns, start + timedelta(days=1), end).subquery("resident")
