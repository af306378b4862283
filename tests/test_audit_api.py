"""GET /api/v1/audit: shape, filters, limits, and who may read it."""
from datetime import datetime, timedelta, timezone

import pytest

from rps_app import clock
from rps_app.audit.services import Actor, record
from rps_app.extensions import db

from .conftest import api_token

T0 = datetime(2026, 11, 5, 17, 30, tzinfo=timezone.utc)  # 6 Nov 2026 00:30 in Jakarta
ALICE = Actor(user_id=None, username="alice", ip="10.0.0.5")


@pytest.fixture
def entries(app):
    """Four entries an hour apart, T0 .. T0+3h."""
    with app.app_context():
        for hours, (action, entity, entity_id) in enumerate([
                ("create", "client", 7), ("update", "client", 7),
                ("read", "client", 8), ("retire", "bed", 7)]):
            clock.freeze(T0 + timedelta(hours=hours))
            record(ALICE, action, entity, entity_id, {"n": hours})
        db.session.commit()
    clock.freeze(None)


def get(client, headers, **query):
    return client.get("/api/v1/audit", query_string=query, headers=headers)


def test_answers_the_contract_shape_newest_first(client, app, entries):
    headers = api_token(client, app, role="kepala")
    rows = get(client, headers, entity="client").get_json()
    assert rows == [
        {"at": "2026-11-05T19:30:00+00:00", "username": "alice", "action": "read",
         "entity": "client", "entity_id": 8},
        {"at": "2026-11-05T18:30:00+00:00", "username": "alice", "action": "update",
         "entity": "client", "entity_id": 7},
        {"at": "2026-11-05T17:30:00+00:00", "username": "alice", "action": "create",
         "entity": "client", "entity_id": 7},
    ]
    assert datetime.fromisoformat(rows[0]["at"]).utcoffset() is not None


def test_filters_by_entity_id_and_since(client, app, entries):
    headers = api_token(client, app, role="admin")
    rows = get(client, headers, entity="client", entity_id="7").get_json()
    assert [r["action"] for r in rows] == ["update", "create"]
    rows = get(client, headers, entity_id="7").get_json()
    assert [r["action"] for r in rows] == ["retire", "update", "create"]
    rows = get(client, headers, since="2026-11-05T18:30:00+00:00", entity="client").get_json()
    assert [r["action"] for r in rows] == ["read", "update"]
    # A bare date is the start of that day in Asia/Jakarta (6 Nov 00:00 WIB = 5 Nov 17:00 UTC).
    assert len(get(client, headers, since="2026-11-06", entity="client").get_json()) == 3
    assert get(client, headers, since="2026-11-07", entity="client").get_json() == []
    # A datetime without offset is Jakarta time; "+07:00" may arrive with its plus decoded.
    assert len(get(client, headers, since="2026-11-06T01:30:00", entity="client").get_json()) == 2
    response = client.get("/api/v1/audit?entity=client&since=2026-11-06T01:30:00+07:00",
                          headers=headers)
    assert len(response.get_json()) == 2


def test_limit(client, app, entries):
    headers = api_token(client, app, role="admin")
    rows = get(client, headers, entity="client", limit="2").get_json()
    assert [r["action"] for r in rows] == ["read", "update"]


@pytest.mark.parametrize("query, field", [
    ({"since": "kemarin"}, "since"),
    ({"since": "2026-13-01"}, "since"),
    ({"limit": "0"}, "limit"),
    ({"limit": "5001"}, "limit"),
    ({"limit": "abc"}, "limit"),
])
def test_bad_values_are_422_naming_the_field(client, app, query, field):
    headers = api_token(client, app, role="admin")
    response = get(client, headers, **query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("role", ["petugas", "staf"])
def test_petugas_and_staf_are_refused(client, app, role):
    response = get(client, api_token(client, app, role=role))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_no_token_is_401(client):
    response = client.get("/api/v1/audit")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"
