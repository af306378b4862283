"""Pages of facility use: the calendar grid, the booking form (also from the stay page),
the visitor log, maintenance, and the panels on the stay, client, dashboard and rooms
admin pages."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.facility.models import BedOutage
from rps_app.facility_use import bookings, maintenance, visits
from rps_app.facility_use.models import Booking, MaintenanceRequest, Visit

from .conftest import csrf_token, login
from .factories import make_intake
from .stays_support import ACTOR, NOW, count, room


@pytest.fixture
def officer(app, client):
    clock.freeze(NOW)  # 10:00 in Slawi, 6 November 2026
    user_id = login(client, app, "petugas")
    yield user_id
    clock.freeze(None)


@pytest.fixture
def stay_id(app):
    with app.app_context():
        return make_intake(1).stays[0].id


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_menu_and_the_day_calendar(app, client, officer):
    with app.app_context():
        kom = room("KOM-1").id
        bookings.book(ACTOR, {"room_id": kom, "starts_at": "2026-11-06T13:00:00+07:00",
                              "ends_at": "2026-11-06T14:30:00+07:00", "purpose": "Senam lansia"})
        db.session.commit()
    page = client.get("/")
    assert ">Ruang & Kunjungan<" in text(page)
    response = client.get("/bookings?date=2026-11-06")
    assert response.status_code == 200
    html = text(response)
    for code in ("TRP-1", "TRP-2", "KOM-1", "KOM-2", "GH"):
        assert code in html
    assert "LOBBY" not in html and "PA-1" not in html
    # One cell spans 13:00-14:30: three half hours.
    assert re.search(r'<td rowspan="3" class="slot-booked">\s*<a href="/bookings/\d+"', html)
    assert "Senam lansia" in html
    # A malformed date shows today instead of failing.
    assert client.get("/bookings?date=kemarin").status_code == 200


def test_the_week_view_of_a_room_spans_a_guest_house_stay_over_days(app, client, officer):
    with app.app_context():
        gh = room("GH").id
        bookings.book(ACTOR, {"room_id": gh, "starts_at": "2026-11-04T14:00:00+07:00",
                              "ends_at": "2026-11-06T10:00:00+07:00",
                              "purpose": "Keluarga klien menginap"})
        db.session.commit()
    html = text(client.get(f"/bookings/rooms/{gh}?date=2026-11-06&view=week"))
    assert html.count("Keluarga klien menginap") == 4  # three days in the grid + the list
    assert "Sen 2/11" in html and "Min 8/11" in html  # Monday to Sunday, Indonesian
    # The grid widens to midnight for a booking that runs through the night.
    assert ">00:00<" in html and ">23:30<" in html
    day = text(client.get(f"/bookings/rooms/{gh}?date=2026-11-06&view=day"))
    assert day.count("Keluarga klien menginap") == 2
    # A room that cannot be booked has no calendar.
    assert client.get(f"/bookings/rooms/{room_id_of(app, 'PA-1')}").status_code == 303


def room_id_of(app, code):
    with app.app_context():
        return room(code).id


def booking_form(token, **fields) -> dict:
    data = {"csrf_token": token, "starts_at": "2026-11-07T09:00", "ends_at": "2026-11-07T10:00",
            "purpose": "Rapat keluarga", "staff_id": ""}
    data.update(fields)
    return data


def test_booking_by_the_form_and_a_refusal_naming_the_field(app, client, officer):
    kom = room_id_of(app, "KOM-1")
    empty_register = text(client.get("/bookings/new"))
    assert "Daftar petugas masih kosong" in empty_register and 'href="/staff"' in empty_register
    token = csrf_token(client, "/bookings/new")
    done = client.post("/bookings/new", data=booking_form(token, room_id=str(kom)))
    assert done.status_code == 303
    booking_id = int(done.headers["Location"].rsplit("/", 1)[1])
    taken = client.post("/bookings/new", data=booking_form(token, room_id=str(kom),
                                                           starts_at="2026-11-07T09:30"))
    assert taken.status_code == 409
    assert "sudah dipesan" in text(taken) and 'class="field has-error"' in text(taken)
    empty = client.post("/bookings/new", data=booking_form(token, room_id=str(kom), purpose=""))
    assert empty.status_code == 422 and "Keperluan wajib diisi" in text(empty)
    assert count(Booking, app) == 1

    page = text(client.get(f"/bookings/{booking_id}"))
    assert "Rapat keluarga" in page and "Batalkan pemesanan" in page and "data-confirm" in page
    cancelled = client.post(f"/bookings/{booking_id}/cancel",
                            data={"csrf_token": token, "reason": "Ditunda"})
    assert cancelled.status_code == 303
    assert "dibatalkan" in text(client.get(f"/bookings/{booking_id}"))
    again = client.post(f"/bookings/{booking_id}/cancel", data={"csrf_token": token})
    assert again.status_code == 409


def test_a_therapy_session_from_the_stay_page(app, client, officer, stay_id):
    app.config["RPS_IDLE_MINUTES"] = 7 * 24 * 60  # the clock jumps hours between requests
    with app.app_context():
        from rps_app.operations import staff
        counsellor = staff.create_staff(ACTOR, {"name": "Dra. Siti Konselor", "sex": "P",
                                                "position": "Konselor", "user_id": officer}).id
        db.session.commit()
        trp = room("TRP-1").id
    page = text(client.get(f"/stays/{stay_id}"))
    assert "Jadwalkan sesi terapi" in page
    assert 'name="session-room_id"' in page and f'value="{stay_id}"' in page
    # The officer's own entry in the staff register is offered first.
    assert f'<option selected value="{counsellor}">Dra. Siti Konselor</option>' in page
    token = csrf_token(client, f"/stays/{stay_id}")
    form = {"csrf_token": token, "session-room_id": str(trp),
            "session-starts_at": "2026-11-06T13:00", "session-ends_at": "2026-11-06T14:00",
            "session-purpose": "Konseling individu", "session-staff_id": str(counsellor),
            "session-stay_ids": str(stay_id), "session-next": f"/stays/{stay_id}"}
    done = client.post("/bookings/new", data=form)
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/stays/{stay_id}")
    page = text(client.get(f"/stays/{stay_id}"))
    assert "Konseling individu" in page and "Dra. Siti Konselor" in page
    # The same hour again: refused on the booking page, with the stay kept.
    refused = client.post("/bookings/new", data=form)
    assert refused.status_code == 409
    assert 'name="session-stay_ids"' in text(refused)
    assert f'<option selected value="{stay_id}">' in text(refused)
    # After the session its note becomes a case note of the stay.
    with app.app_context():
        booking_id = db.session.scalar(select(Booking.id))
    clock.freeze(NOW + timedelta(hours=5))
    noted = client.post(f"/bookings/{booking_id}/note",
                        data={"csrf_token": token, "body": "Klien mulai terbuka."})
    assert noted.status_code == 303
    assert "Klien mulai terbuka." in text(client.get(f"/stays/{stay_id}"))
    assert "Konseling individu" in text(client.get(f"/clients/{client_of(app, stay_id)}"))


def client_of(app, stay_id):
    with app.app_context():
        from rps_app.stays.models import Stay
        return db.session.get(Stay, stay_id).client_id


def test_the_visitor_log_page_and_the_dashboard(app, client, officer, stay_id):
    token = csrf_token(client, "/visits")
    empty = client.post("/visits", data={"csrf_token": token, "stay_id": str(stay_id),
                                         "visitor_name": "", "relation": "anak"})
    assert empty.status_code == 422 and "Nama pengunjung wajib diisi" in text(empty)
    done = client.post("/visits", data={"csrf_token": token, "stay_id": str(stay_id),
                                        "visitor_name": "Warsini", "relation": "anak",
                                        "arrived_at": "2026-11-06T10:00"})
    assert done.status_code == 303
    log = text(client.get("/visits"))
    assert "Warsini" in log and "Catat pulang" in log
    dashboard = text(client.get("/"))
    assert "Pengunjung hari ini" in dashboard and "Warsini" in dashboard
    with app.app_context():
        visit_id = db.session.scalar(select(Visit.id))
        reads = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "visit",
                                                            AuditEntry.action == "read")).all()
        assert {entry.detail["part"] for entry in reads} >= {"visit_log", "dashboard"}
    left = client.post(f"/visits/{visit_id}/departure", data={"csrf_token": token})
    assert left.status_code == 303
    assert "Catat pulang" not in text(client.get("/visits?date=2026-11-06"))
    # No visitor's name in any address the pages link to.
    assert "Warsini" not in " ".join(re.findall(r'href="([^"]*)"', log))


def test_the_admin_sees_open_maintenance_on_the_rooms_page_and_closes_it(app, client):
    clock.freeze(NOW)
    try:
        login(client, app, "admin")
        with app.app_context():
            pa1 = room("PA-1")
            bed = pa1.beds[0]
            bed_id = bed.id
        token = csrf_token(client, "/maintenance")
        form = client.get("/maintenance")
        assert form.status_code == 200 and f'value="b{bed_id}"' in text(form)
        missing = client.post("/maintenance", data={"csrf_token": token, "place": "",
                                                    "description": "Kasur sobek"})
        assert missing.status_code == 422 and "Ruang wajib diisi" in text(missing)
        done = client.post("/maintenance", data={"csrf_token": token, "place": f"b{bed_id}",
                                                 "description": "Kasur sobek",
                                                 "bed_out_of_service": "y"})
        assert done.status_code == 303
        rooms_page = text(client.get("/admin/rooms"))
        assert "Permintaan perbaikan terbuka (1)" in rooms_page and "Kasur sobek" in rooms_page
        with app.app_context():
            request_id = db.session.scalar(select(MaintenanceRequest.id))
        closed = client.post(f"/maintenance/{request_id}/done",
                             data={"csrf_token": token, "next": "/admin/rooms"})
        assert closed.status_code == 303 and closed.headers["Location"].endswith("/admin/rooms")
        assert "Permintaan perbaikan terbuka (0)" in text(client.get("/admin/rooms"))
        with app.app_context():
            assert db.session.scalar(select(BedOutage.end_at)) is not None
        # The admin reads no visitors and books no rooms.
        assert client.get("/visits").status_code == 403
        assert client.get("/bookings").status_code == 403
    finally:
        clock.freeze(None)


def test_an_occupied_bed_is_refused_on_the_maintenance_form(app, client, officer):
    with app.app_context():
        batch = make_intake(1, place=True)
        from rps_app.stays.services import open_assignment
        bed_id = open_assignment(batch.stays[0].id).bed_id
    token = csrf_token(client, "/maintenance")
    refused = client.post("/maintenance", data={"csrf_token": token, "place": f"b{bed_id}",
                                                "description": "Ranjang goyang",
                                                "bed_out_of_service": "y"})
    assert refused.status_code == 409 and "sedang ditempati" in text(refused)
    assert count(MaintenanceRequest, app) == 0


@pytest.mark.parametrize("path", ["/bookings", "/bookings/new", "/visits", "/maintenance"])
def test_pages_in_english(app, client, officer, path):
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 200


def test_services_read_back_what_the_pages_show(app):
    """The panels' data without HTTP: open requests and today's visits."""
    clock.freeze(NOW)
    try:
        with app.app_context():
            stay = make_intake(1).stays[0]
            visits.record_visit(ACTOR, {"visitor_name": "Rukmini", "relation": "ibu",
                                        "stay_id": stay.id})
            maintenance.report(ACTOR, {"room_id": room("LOBBY").id, "description": "Pintu macet"})
            db.session.commit()
            assert [v.visitor_name for v in visits.visits_on(clock.local_today())] == ["Rukmini"]
            assert visits.visits_on(clock.local_today() - timedelta(days=1)) == []
            assert [r.description for r in maintenance.open_requests()] == ["Pintu macet"]
    finally:
        clock.freeze(None)
