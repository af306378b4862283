"""The duty roster: the four rules (409 roster_conflict naming the rule), gaps, the API's
shapes and bad input naming the field, and who may edit."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from rps_app import clock
from rps_app.extensions import db
from rps_app.operations import roster
from rps_app.operations.models import RosterAssignment

from .conftest import api_token
from .operations_support import leave, make_staff, put
from .stays_support import admit, client_row, refused

D = date(2026, 11, 9)  # a Monday


def day(n: int) -> date:
    return date.fromordinal(D.toordinal() + n)


def test_double_booking_is_refused(ctx):
    slamet = make_staff()
    put(slamet, D, "pagi")
    error = refused(put, slamet, D, "malam", "POS-2")
    assert (error.status, error.code, error.fields["rule"]) == (409, "roster_conflict",
                                                                "double_booking")
    assert "Bentrok" in error.message


def test_no_morning_after_a_night_either_way(ctx):
    slamet = make_staff()
    put(slamet, D, "malam")
    error = refused(put, slamet, day(1), "pagi")
    assert error.fields["rule"] == "rest" and "pagi sesudah tugas malam" in error.message
    put(slamet, day(1), "siang")  # siang after malam is allowed
    tini = make_staff("Tini", "P")
    put(tini, day(5), "pagi")
    assert refused(put, tini, day(4), "malam").fields["rule"] == "rest"


def test_at_most_three_nights_in_a_row_counting_both_sides(ctx):
    slamet = make_staff()
    for n in (0, 1, 3):
        put(slamet, day(n), "malam")
    error = refused(put, slamet, day(2), "malam")  # would make 0,1,2,3: four in a row
    assert error.fields["rule"] == "consecutive_nights" and "tiga" in error.message
    put(slamet, day(5), "malam")  # a break on day 4 starts a new run


def test_on_leave_is_refused(ctx):
    slamet = make_staff()
    leave(slamet, day(1), day(3), "sakit")
    error = refused(put, slamet, day(2), "siang")
    assert error.fields["rule"] == "on_leave" and "cuti" in error.message
    put(slamet, day(4), "pagi")


def test_the_unique_index_holds_double_booking_in_the_database(ctx):
    slamet = make_staff()
    post = roster.posts()[0]
    put(slamet, D, "pagi")
    db.session.add(RosterAssignment(date=D, shift="malam", room_id=post.id, staff_id=slamet.id,
                                    created_at=clock.now()))
    with pytest.raises(Exception):
        db.session.flush()
    db.session.rollback()


def test_gaps_understaffed_and_no_female_staff(ctx):
    clock.freeze(datetime(2026, 11, 9, 3, 0, tzinfo=timezone.utc))
    admit(client_row("Siti", "P"), received_at="2026-11-09T09:00:00+07:00",
          operation_at="2026-11-09T08:00:00+07:00")
    slamet, tini = make_staff(), make_staff("Tini", "P")
    put(slamet, D, "pagi", "POS-1")
    put(tini, D, "siang", "POS-2")
    found = {(g.shift, g.post, g.code) for g in roster.gaps(D, D)}
    assert ("pagi", "POS-1", "understaffed") not in found
    assert ("pagi", "POS-2", "understaffed") in found
    assert ("pagi", None, "no_female_staff") in found
    assert ("siang", None, "no_female_staff") not in found
    assert ("malam", None, "no_female_staff") in found
    # No woman in residence the day before: no no_female_staff gap then.
    assert not [g for g in roster.gaps(day(-1), day(-1)) if g.code == "no_female_staff"]


def test_api_assign_list_gaps_delete(app, client):
    headers = api_token(client, app, "kepala")
    staff = client.post("/api/v1/staff", json={"name": "Tini", "sex": "P",
                                               "position": "Petugas jaga"}, headers=headers)
    assert staff.status_code == 201
    body = staff.get_json()
    assert body == {"id": body["id"], "name": "Tini", "sex": "P", "position": "Petugas jaga",
                    "user_id": None, "active": True}
    created = client.post("/api/v1/roster/assignments", json={
        "date": "2026-11-09", "shift": "malam", "post": "POS-2", "staff_id": body["id"]},
        headers=headers)
    assert created.status_code == 201
    item = created.get_json()
    assert item == {"id": item["id"], "date": "2026-11-09", "shift": "malam", "post": "POS-2",
                    "staff_id": body["id"]}
    listed = client.get("/api/v1/roster?from=2026-11-09&to=2026-11-15", headers=headers)
    assert listed.get_json() == [{**item, "name": "Tini", "sex": "P"}]
    gaps = client.get("/api/v1/roster/gaps?from=2026-11-09&to=2026-11-09", headers=headers)
    assert {"date": "2026-11-09", "shift": "malam", "post": "POS-1", "code": "understaffed"} \
        in gaps.get_json()
    assert len(gaps.get_json()) == 5  # 2 posts x 3 shifts, one filled
    conflict = client.post("/api/v1/roster/assignments", json={
        "date": "2026-11-10", "shift": "pagi", "post": "POS-1", "staff_id": body["id"]},
        headers=headers)
    assert conflict.status_code == 409
    assert conflict.get_json()["error"]["code"] == "roster_conflict"
    assert conflict.get_json()["error"]["fields"]["rule"] == "rest"
    assert client.delete(f"/api/v1/roster/assignments/{item['id']}",
                         headers=headers).status_code == 204
    assert client.get("/api/v1/roster?from=2026-11-09&to=2026-11-15",
                      headers=headers).get_json() == []
    leave = client.post(f"/api/v1/staff/{body['id']}/leave",
                        json={"from": "2026-11-12", "to": "2026-11-13", "kind": "dinas_luar"},
                        headers=headers)
    assert leave.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"date": "2026-11-09", "shift": "pagi", "post": "POS-1", "staff_id": 999}, "staff_id"),
    ({"date": "2026-11-09", "shift": "subuh", "post": "POS-1", "staff_id": 1}, "shift"),
    ({"date": "2026-13-09", "shift": "pagi", "post": "POS-1", "staff_id": 1}, "date"),
    ({"date": "2026-11-09", "shift": "pagi", "post": "LOBBY", "staff_id": 1}, "post"),
])
def test_bad_assignments_name_the_field_and_write_nothing(app, client, body, field):
    headers = api_token(client, app, "kepala")
    client.post("/api/v1/staff", json={"name": "Slamet", "sex": "L", "position": "Satpam"},
                headers=headers)
    response = client.post("/api/v1/roster/assignments", json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RosterAssignment)) == 0


def test_only_the_head_edits_the_roster(app, client):
    for role, status in (("petugas", 403), ("staf", 403), ("admin", 403)):
        headers = api_token(client, app, role, username=f"u-{role}")
        response = client.post("/api/v1/staff", json={"name": "X", "sex": "L", "position": "Y"},
                               headers=headers)
        assert response.status_code == status
    petugas = api_token(client, app, "petugas", username="p2")
    assert client.get("/api/v1/roster?from=2026-11-09&to=2026-11-15",
                      headers=petugas).status_code == 200
    admin = api_token(client, app, "admin", username="a2")
    assert client.get("/api/v1/roster?from=2026-11-09&to=2026-11-15",
                      headers=admin).status_code == 403


def test_roster_now_and_dashboard(app, client):
    from .conftest import login
    clock.freeze(datetime(2026, 11, 9, 15, 0, tzinfo=timezone.utc))  # 22:00 WIB: malam
    with app.app_context():
        put(make_staff("Slamet"), D, "malam", "POS-2")
        put(make_staff("Budi"), D, "siang", "POS-1")
        db.session.commit()
    headers = api_token(client, app, "staf")
    now = client.get("/api/v1/roster/now", headers=headers).get_json()
    assert [(a["name"], a["shift"], a["post"]) for a in now] == [("Slamet", "malam", "POS-2")]
    login(client, app, "petugas")
    html = client.get("/").get_data(as_text=True)
    assert "Petugas piket hari ini" in html and "Slamet" in html and "Budi" not in html


def test_the_weekly_page_edits_by_form_and_tells_the_rule(app, client):
    from .conftest import csrf_token, login
    with app.app_context():
        slamet = make_staff("Slamet")
        put(slamet, D, "malam")
        staff_id = slamet.id
        db.session.commit()
    login(client, app, "kepala")
    page = client.get("/roster?week=2026-11-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Slamet" in html and "cell-gap" in html
    token = csrf_token(client, "/roster?week=2026-11-11")
    refused_post = client.post("/roster/assign", data={
        "csrf_token": token, "date": "2026-11-10", "shift": "pagi", "post": "POS-1",
        "staff_id": str(staff_id)}, headers={"Referer": "/roster?week=2026-11-09"},
        follow_redirects=True)
    assert "Istirahat kurang" in refused_post.get_data(as_text=True)
    ok = client.post("/roster/assign", data={
        "csrf_token": token, "date": "2026-11-10", "shift": "siang", "post": "POS-1",
        "staff_id": str(staff_id)})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RosterAssignment)) == 2
    pdf = client.get("/roster/jadwal.pdf?week=2026-11-09")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    import io

    from pypdf import PdfReader
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
                    .split())
    assert "JADWAL PIKET PETUGAS 9 November 2026 s.d. 15 November 2026" in text
    assert "Senin, 9 November 2026" in text and "Slamet" in text
    assert "KEPALA UPTD RUMAH PERLINDUNGAN SOSIAL" in text and "NIP." in text


def test_the_staff_page_adds_staff_with_an_optional_login_and_leave(app, client):
    from .conftest import csrf_token, login
    user_id = login(client, app, "kepala")
    token = csrf_token(client, "/staff")
    assert f'<option value="{user_id}">kepala1' in client.get("/staff").get_data(as_text=True)
    client.post("/staff", data={"csrf_token": token, "name": "Warsono", "sex": "L",
                                "position": "Satpam", "user_id": str(user_id)})
    client.post("/staff", data={"csrf_token": token, "name": "Darmi", "sex": "P",
                                "position": "Juru masak"})
    with app.app_context():
        from rps_app.operations.models import Staff
        people = {s.name: s for s in db.session.scalars(select(Staff))}
        assert people["Warsono"].user_id == user_id and people["Darmi"].user_id is None
        darmi = people["Darmi"].id
    client.post(f"/staff/{darmi}/leave", data={"csrf_token": token, "kind": "sakit",
                                               "from": "2026-11-10", "to": "2026-11-12"})
    page = client.get("/staff").get_data(as_text=True)
    assert "Darmi" in page and "Sakit" in page
    bad = client.post("/staff", data={"csrf_token": token, "name": "", "sex": "X",
                                      "position": "Satpam"}, headers={"Referer": "/staff"},
                      follow_redirects=True)
    assert "Nama wajib diisi" in bad.get_data(as_text=True)
