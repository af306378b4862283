"""rps_app.reads: the reads of a page in one SELECT. Rows come back through JSON as the
columns' Python values (dates, aware UTC datetimes, booleans, JSON, NULL), in order, on
SQLite and PostgreSQL; a query's statement is built once and takes its values anew."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Date, event, func, select

from rps_app.audit.models import AuditEntry
from rps_app.audit.services import Actor, record
from rps_app.clients.models import Client
from rps_app.extensions import db
from rps_app.reads import Query, Reads, at_once, made, rows, value
from rps_app.stays.models import Stay

from .factories import make_intake

AT = datetime(2026, 11, 6, 3, 0, 30, 123456, tzinfo=timezone.utc)

ENTERED_SINCE = Query("test_reads_entered_since", lambda param: rows(
    select(Stay.id, Stay.entry_date, Stay.entered_at, Stay.exit_date, Client.name,
           Client.identity_known)
    .join(Client, Client.id == Stay.client_id)
    .where(Stay.entry_date >= param("since", Date())),
    order_by=(Stay.entered_at.desc(), Stay.id.desc()), limit=3))
HOW_MANY_SINCE = Query("test_reads_how_many_since", lambda param: value(
    select(func.count()).select_from(Stay).where(Stay.entry_date >= param("since", Date()))))


@pytest.fixture
def stays(ctx):
    ids = []
    for day in range(5):
        batch = make_intake(1, received_at=AT - timedelta(days=day), bast_number=f"R{day}")
        ids.append(batch.stays[0].id)
    return ids  # newest first


def statements_during(call):
    found = []

    def count(conn, cursor, statement, parameters, context, executemany):
        found.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, found


def test_rows_come_back_typed_and_in_order_in_one_statement(stays):
    def read():
        reads = Reads()
        listed = reads.ask(ENTERED_SINCE, since=date(2026, 11, 3))
        total = reads.ask(HOW_MANY_SINCE, since=date(2026, 11, 3))
        reads.run()
        return listed.value, total.value
    (listed, total), sql = statements_during(read)
    assert len(sql) == 1
    assert total == 4 and [row.id for row in listed] == stays[:3]
    newest = listed[0]
    assert newest.entry_date == date(2026, 11, 6) and isinstance(newest.entry_date, date)
    assert newest.entered_at == AT and newest.entered_at.tzinfo is not None
    stay = db.session.get(Stay, stays[0])
    assert newest.exit_date is None and newest.identity_known is stay.client.identity_known
    assert isinstance(newest.identity_known, bool) and newest.name == stay.client.name


def test_a_query_is_built_once_and_takes_new_values(stays):
    def count(since):
        return at_once(lambda reads: reads.ask(HOW_MANY_SINCE, since=since))
    assert (count(date(2026, 11, 6)), count(date(2026, 11, 2)), count(date(2027, 1, 1))) == \
        (1, 5, 0)
    dialect = db.session.get_bind().dialect
    assert HOW_MANY_SINCE.read(dialect) is HOW_MANY_SINCE.read(dialect)


def test_nothing_found_and_nothing_asked(ctx):
    def read():
        reads = Reads()
        listed = reads.ask(ENTERED_SINCE, since=date(2026, 11, 3))
        reads.run()
        return listed.value
    assert read() == []
    reads = Reads()
    _nothing, sql = statements_during(reads.run)
    assert sql == []


def test_json_columns_and_answers_made_from_answers(ctx):
    record(Actor(user_id=None, username="uji", ip="127.0.0.1"), "read", "client_list", None,
           {"shown_in": "dashboard", "client_ids": [3, 1]})
    db.session.commit()
    reads = Reads()
    details = reads.rows(select(AuditEntry.detail, AuditEntry.entity_id, AuditEntry.at)
                         .where(AuditEntry.entity == "client_list"))
    ids = details.then(lambda found: found[0].detail["client_ids"])
    both = made(lambda: (ids.value, details.value[0].entity_id))
    with pytest.raises(RuntimeError):
        details.value
    reads.run()
    assert both.value == ([3, 1], None)
    assert details.value[0].at.tzinfo is not None


def test_a_query_asked_twice_on_one_page_is_refused(ctx):
    reads = Reads()
    reads.ask(HOW_MANY_SINCE, since=date(2026, 11, 1))
    with pytest.raises(ValueError):
        reads.ask(HOW_MANY_SINCE, since=date(2026, 11, 2))
    with pytest.raises(ValueError):
        Query("test_reads_how_many_since", lambda param: None)
