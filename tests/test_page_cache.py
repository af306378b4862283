"""The page cache (rps_app/page_cache.py) and the data version it keys on
(rps_app/data_version.py): a page kept in memory is served again only while nothing it
shows has changed, to the same user and session, and every showing is still audited."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from rps_app import clock
from rps_app.audit import services as audit
from rps_app.audit.models import AuditEntry
from rps_app.data_version import DataVersion, ReadOnlyTransaction, written_table
from rps_app.extensions import db
from rps_app.stays import services as stays

from .conftest import PASSWORD, csrf_token, login
from .factories import make_intake
from .stays_support import ACTOR, NOW
from .test_query_counts import executed_while, statements


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def version(app) -> int:
    with app.app_context():
        value = db.session.scalar(select(DataVersion.value))
        db.session.remove()
    return value


def kept(app) -> int:
    return len(app.extensions["rps_page_cache"])


def test_a_page_shown_again_is_served_from_memory_and_still_audited(app, client):
    login(client, app, "kepala")
    with app.app_context():
        client_id = make_intake(1, place=True).stays[0].client_id
    first = client.get(f"/clients/{client_id}")
    assert first.status_code == 200 and kept(app) == 1
    sent = executed_while(app, lambda: client.get(f"/clients/{client_id}"))
    again = client.get(f"/clients/{client_id}")
    assert again.get_data() == first.get_data()
    assert again.headers["Cache-Control"] == "no-store"
    # The user with the version, then the audit entry of the read: nothing rendered.
    assert len(sent) == 2 < statements(app, client, f"/clients/{client_id}")
    assert sent[1].lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES")
    with app.app_context():
        reads = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.entity == "client",
            AuditEntry.entity_id == str(client_id)))
    assert reads == 4  # every showing, kept or rendered


@pytest.mark.parametrize("path, action, entity", [
    ("/clients", "search", "client"),  # audit.record: the ids a list showed
    ("/data-quality", "read", "client_list"),  # audit.note_shown, written at the end
])
def test_names_shown_by_a_kept_page_are_audited_each_time(app, client, path, action, entity):
    login(client, app, "kepala")
    with app.app_context():
        make_intake(3, place=True)

    def entries():
        with app.app_context():
            return [(row.username, row.detail) for row in db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action,
                                         AuditEntry.entity == entity)
                .order_by(AuditEntry.id))]
    before = len(entries())
    first = client.get(path)
    assert client.get(path).get_data() == first.get_data()
    new = entries()[before:]
    assert len(new) == 2 and new[0] == new[1] and new[0][0] == "kepala1"
    assert new[0][1]["client_ids"]


def test_a_change_makes_every_kept_page_stale(app, client):
    login(client, app, "petugas")
    with app.app_context():
        stay = make_intake(1).stays[0]
        stay_id, name = stay.id, stay.client.name
    before = version(app)
    assert '<li class="bed bed-occupied' not in client.get("/rooms").get_data(as_text=True)
    with app.app_context():  # a service outside any request, committed by the session
        stays.place(ACTOR, stay_id)
        db.session.commit()
    assert version(app) == before + 1
    board = client.get("/rooms").get_data(as_text=True)
    assert '<li class="bed bed-occupied' in board and name in board


def test_a_change_through_the_web_makes_the_page_stale(app, client):
    """Another officer's kept page, not the writer's own (whose next page shows a flash
    and so is rendered anyway)."""
    login(client, app, "petugas")
    other = app.test_client()
    login(other, app, "petugas", username="sari")
    with app.app_context():
        stay_id = make_intake(1, place=True).stays[0].id
    page = other.get(f"/stays/{stay_id}").get_data(as_text=True)
    assert other.get(f"/stays/{stay_id}").get_data(as_text=True) == page  # kept
    response = client.post(f"/stays/{stay_id}/notes", data={
        "kind": "incident", "body": "Catatan yang baru saja ditulis",
        "csrf_token": csrf_token(client, f"/stays/{stay_id}")})
    assert response.status_code in (302, 303)
    assert "Catatan yang baru saja ditulis" not in page
    assert "Catatan yang baru saja ditulis" in other.get(f"/stays/{stay_id}").get_data(
        as_text=True)


def test_reads_and_audit_rows_leave_the_version_alone(app, client):
    login(client, app, "kepala")
    with app.app_context():
        client_id = make_intake(1).stays[0].client_id
    before = version(app)
    for path in (f"/clients/{client_id}", "/rooms", "/", "/audit"):
        assert client.get(path).status_code == 200
    with app.app_context():  # an audit entry alone, outside a request
        audit.record(ACTOR, "read", "client", client_id)
        db.session.commit()
    assert version(app) == before


def test_a_rolled_back_change_leaves_the_version_alone(app):
    before = version(app)
    with app.app_context():
        make_intake(1)
        db.session.execute(text("UPDATE clients SET name = 'X'"))
        db.session.rollback()
    assert version(app) == before + 1  # the intake's commit, not the rolled-back update


def test_another_user_or_session_gets_a_page_of_its_own(app):
    first, second = app.test_client(), app.test_client()
    login(first, app, "petugas", username="wahyu")
    login(second, app, "petugas", username="sari")
    assert "wahyu" in first.get("/rooms").get_data(as_text=True)
    page = second.get("/rooms").get_data(as_text=True)
    assert "sari" in page and "wahyu" not in page
    # The same user in a second browser: another session, another CSRF token in forms.
    third = app.test_client()
    response = third.post("/login", data={"username": "wahyu", "password": PASSWORD,
                                          "csrf_token": csrf_token(third)})
    assert response.status_code in (302, 303)
    token = csrf_token(third, "/intakes/new")
    assert token != csrf_token(first, "/intakes/new")


def statements_of_next(app, client, path: str) -> int:
    return len(executed_while(app, lambda: client.get(path)))


def test_time_alone_renders_the_page_anew(app, client):
    login(client, app, "petugas")
    client.get("/rooms")
    assert statements_of_next(app, client, "/rooms") == 2  # user and version, audit
    clock.freeze(NOW + timedelta(minutes=1))
    assert statements_of_next(app, client, "/rooms") > 2


def test_a_waiting_message_is_shown_not_a_kept_page(app, client):
    login(client, app, "petugas")
    client.get("/clients")
    # A saved search that is gone: the list says so (a flash), and that page is not kept.
    first = client.get("/clients?s=unknown").get_data(as_text=True)
    assert "sudah tidak tersimpan" in first
    assert "sudah tidak tersimpan" in client.get("/clients?s=unknown").get_data(as_text=True)


def test_switched_off_by_configuration(database_url, tmp_path):
    from rps_app import create_app
    from .conftest import _config
    app = create_app({**_config(str(tmp_path), database_url), "RPS_PAGE_CACHE_MB": 0})
    assert "rps_page_cache" not in app.extensions


def test_a_write_in_a_read_transaction_is_refused(app):
    with app.test_request_context("/rooms", method="GET"):
        db.session.execute(select(1))  # the read transaction begins
        with pytest.raises(ReadOnlyTransaction):
            db.session.execute(text("UPDATE data_version SET value = value"))
        db.session.rollback()


@pytest.mark.parametrize("statement, table", [
    ("SELECT * FROM clients", None),
    ("WITH RECURSIVE days AS (SELECT 1) SELECT * FROM days", None),
    ("INSERT INTO audit_entries (at) VALUES (1)", "audit_entries"),
    ('INSERT OR IGNORE INTO "counters" (key) VALUES (1)', "counters"),
    ("  update stays SET x = 1", "stays"),
    ("DELETE FROM bed_assignments WHERE id = 1", "bed_assignments"),
    ("CREATE INDEX ix ON clients (name)", ""),
    ("WITH gone AS (DELETE FROM x RETURNING id) SELECT * FROM gone", ""),
])
def test_what_counts_as_a_write(statement, table):
    assert written_table(statement) == table


def test_a_read_runs_without_begin_on_postgresql_and_a_write_keeps_its_transaction(app):
    """PostgreSQL (READ COMMITTED: a snapshot per statement anyway) reads in autocommit,
    saving BEGIN and COMMIT; the same pooled connection writes in a transaction again,
    which a rollback undoes whole. SQLite reads in a deferred transaction (one snapshot)."""
    with app.app_context():
        make_intake(1)
        db.session.remove()
    with app.test_request_context("/rooms", method="GET"):
        db.session.execute(select(1))
        connection = db.session.connection()
        dialect = connection.dialect.name
        reading_alone = (connection.connection.dbapi_connection.autocommit
                         if dialect == "postgresql" else not connection.in_transaction())
        db.session.commit()
    with app.app_context():  # a write: the same connection (one in the pool), a transaction
        db.session.execute(text("UPDATE clients SET name = 'Diubah'"))
        dbapi_connection = db.session.connection().connection.dbapi_connection
        writing_alone = dbapi_connection.autocommit if dialect == "postgresql" else False
        db.session.rollback()
        names = set(db.session.scalars(text("SELECT name FROM clients")))
    assert reading_alone is (dialect == "postgresql")
    assert writing_alone is False and "Diubah" not in names
