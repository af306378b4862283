"""The audit log page: filters, Jakarta times, Indonesian names of the codes, pagination,
access."""
import re
from html import unescape
from datetime import datetime, timedelta, timezone

import pytest

from rps_app import clock
from rps_app.audit.services import Actor, record
from rps_app.extensions import db

from .conftest import csrf_token, login

T0 = datetime(2026, 11, 5, 17, 30, tzinfo=timezone.utc)  # 6 Nov 2026 00:30 WIB


@pytest.fixture
def entries(app):
    """budi and sari, one entry a day from 6 Nov (WIB), on clients 1..5 and a bed."""
    with app.app_context():
        rows = [("budi", "create", "client", 1), ("sari", "update", "client", 1),
                ("budi", "read", "client", 2), ("sari", "retire", "bed", 3),
                ("budi", "update", "client", 5)]
        for day, (username, action, entity, entity_id) in enumerate(rows):
            clock.freeze(T0 + timedelta(days=day))
            record(Actor(user_id=None, username=username, ip="10.1.1.1"), action, entity, entity_id)
        db.session.commit()
    clock.freeze(None)


def rows(client, **query) -> str:
    response = client.get("/audit", query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


def test_shows_entries_in_jakarta_time(client, app, entries):
    login(client, app, role="kepala")
    html = rows(client, entity="bed")
    assert "09/11/2026 00:30:00" in html  # 8 Nov 17:30 UTC
    assert "hentikan" in html and "tempat tidur" in html  # retire, bed: named in Indonesian
    assert "sari" in html and "10.1.1.1" in html


def test_dates_in_the_details_are_shown_the_indonesian_way_in_jakarta_time(client, app):
    with app.app_context():
        clock.freeze(T0)
        record(Actor(user_id=None, username="budi", ip=None), "generate", "report_run", 1,
               {"from": "2026-03-01", "at": "2026-11-05T17:30:00+00:00", "note": "<b>2026</b>",
                "changes": {"birth_date": ["1970-01-02", None]}})
        db.session.commit()
        clock.freeze(None)
    login(client, app, role="kepala")
    html = rows(client)
    assert "&lt;b&gt;2026&lt;/b&gt;" in html  # still escaped text
    text = unescape(html)
    assert '"from": "01/03/2026"' in text and '"at": "06/11/2026 00:30"' in text
    assert '"birth_date": ["02/01/1970", null]' in text and "2026-" not in text


@pytest.mark.parametrize("query, expected", [
    ({"entity": "client"}, ["ubah 5", "baca 2", "ubah 1", "buat 1"]),
    ({"entity": "client", "entity_id": "1"}, ["ubah 1", "buat 1"]),
    ({"username": "sari"}, ["hentikan 3", "ubah 1"]),
    ({"action": "update"}, ["ubah 5", "ubah 1"]),
    ({"date_from": "2026-11-07", "date_to": "2026-11-08", "username": "budi"}, ["baca 2"]),
    ({"date_from": "2026-11-09", "entity": "client"}, ["ubah 5"]),
    ({"date_to": "06/11/2026", "entity": "client"}, ["buat 1"]),
])
def test_filters(client, app, entries, query, expected):
    login(client, app, role="admin", username="admin1")
    html = rows(client, **query)
    found = []
    for chunk in html.split("<tr>")[1:]:
        cells = [c.split("</td>")[0].strip() for c in re.split(r"<td[^>]*>", chunk)[1:]]
        found.append(f"{cells[2]} {cells[4]}")
    assert found == expected


def test_codes_are_named_in_indonesian_and_kept_as_filter_values(client, app, entries):
    with app.app_context():
        record(Actor.system("rps"), "new_kind_of_action", "client", 9)
        db.session.commit()
    login(client, app, role="kepala")
    html = client.get("/audit").get_data(as_text=True)
    assert '<td title="update">ubah</td>' in html and '<td title="client">klien</td>' in html
    assert '<option value="update" >ubah</option>' in html  # the filter still sends the code
    assert '<td title="new_kind_of_action">new_kind_of_action</td>' in html  # no name: as is
    english = client.get("/audit?lang=en").get_data(as_text=True)
    assert '<td title="update">update</td>' in english


def test_bad_date_is_named_and_not_a_server_error(client, app, entries):
    login(client, app, role="admin", username="admin1")
    html = client.get("/audit?date_from=besok").get_data(as_text=True)
    assert "Tanggal tidak valid" in html
    html = client.get("/audit?date_from=2026-11-08&date_to=2026-11-07").get_data(as_text=True)
    assert "tidak boleh sebelum" in html


def test_paginates_and_keeps_the_filters(client, app):
    with app.app_context():
        clock.freeze(T0)
        for n in range(60):
            record(Actor.system("bulk"), "read", "client", n)
        db.session.commit()
        clock.freeze(None)
    login(client, app, role="kepala")
    first = client.get("/audit?entity=client").get_data(as_text=True)
    assert "Halaman 1 dari 3" in first
    assert "entity=client" in first.split("Berikutnya")[0].rsplit("href=", 1)[1]
    third = rows(client, entity="client", page="3")
    assert third.count("<tr>") == 10


def test_a_long_log_is_counted_up_to_a_cap_and_lists_its_entities(client, app, monkeypatch):
    from rps_app.audit import views
    monkeypatch.setattr(views, "COUNT_CAP", 30)
    with app.app_context():
        clock.freeze(T0)
        for n in range(40):
            record(Actor.system("bulk"), "read", "client", n)
        record(Actor.system("bulk"), "retire", "bed", 1)
        record(Actor.system("bulk"), "create", "stock_item", 2)
        db.session.commit()
        clock.freeze(None)
    login(client, app, role="kepala")
    html = client.get("/audit").get_data(as_text=True)
    assert "Lebih dari 30 entri" in html and "Halaman 1 dari 2" in html
    options = re.findall(r'<option value="([a-z_]+)"', html.split('name="entity"')[1]
                         .split("</select>")[0])
    assert {"bed", "client", "stock_item", "user"} <= set(options)  # user: the login
    assert options == sorted(options)
    narrowed = client.get("/audit?entity=bed").get_data(as_text=True)
    assert "1 entri, terbaru di atas" in narrowed


@pytest.mark.parametrize("role", ["petugas", "staf"])
def test_petugas_and_staf_are_refused(client, app, role):
    login(client, app, role=role)
    assert client.get("/audit").status_code == 403


def test_needs_login(client):
    response = client.get("/audit")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_admin_sees_which_client_fields_changed_but_not_their_values(client, app):
    with app.app_context():
        actor = Actor(user_id=None, username="sari", ip="10.1.1.1")
        record(actor, "update", "client", 7, {"nik": ["3328011705800001", "3328011705800002"],
                                               "name": ["Paijo", "Paijo Sutarno"]})
        record(actor, "update", "room", 2, {"name": ["Shelter A", "Shelter Putra A"]})
        db.session.commit()
    login(client, app, role="admin")
    html = unescape(rows(client))
    assert "Paijo" not in html and "3328011705800001" not in html
    assert '"nik": "•••"' in html and '"name": "•••"' in html
    assert "Shelter Putra A" in html  # rooms are not personal data
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, app, role="kepala")
    html = unescape(rows(client))
    assert "Paijo Sutarno" in html and "3328011705800002" in html
