"""Admin pages for rooms and beds: each action through the browser's forms, audited, admin only."""
import pytest
from sqlalchemy import func, select

from rps_app.audit.models import AuditEntry
from rps_app.extensions import db
from rps_app.facility import services
from rps_app.facility.models import Bed, Room

from .conftest import csrf_token, login


def room_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Room.id).where(Room.code == code))


def bed_ids(app, code: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Bed.id).join(Room).where(Room.code == code)
                                       .order_by(Bed.sort_order)))


def last_audit(app):
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        return entry.username, entry.action, entry.entity, entry.entity_id


def read(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge(row)
        return row


@pytest.fixture
def admin(client, app):
    login(client, app, role="admin", username="admin1")
    return csrf_token(client, "/admin/rooms")


def test_room_list_groups_rooms_by_kind_with_beds(client, app, admin):
    html = client.get("/admin/rooms").get_data(as_text=True)
    for heading in ("Shelter (8)", "Ruang Isolasi (10)", "Dapur (1)", "Pos Jaga (2)"):
        assert heading in html
    assert "Shelter Putri 3" in html and "ISO-10" in html
    assert "90 dari 90" in html
    assert 'data-print' in html  # printable


def test_room_list_search_and_kind_filter(client, app, admin):
    html = client.get("/admin/rooms?q=isolasi").get_data(as_text=True)
    assert "Ruang Isolasi 7" in html and "Shelter Putra 1" not in html
    html = client.get("/admin/rooms?kind=kitchen").get_data(as_text=True)
    assert "Dapur" in html and "Ruang Isolasi 7" not in html


def test_admin_adds_a_room(client, app, admin):
    response = client.post("/admin/rooms", data={
        "csrf_token": admin, "code": "PI-5", "name": "Shelter Putri 5", "kind": "shelter",
        "sex": "P", "tag": "", "beds": "4"})
    assert response.status_code == 303
    new_id = room_id(app, "PI-5")
    assert response.headers["Location"].endswith(f"/admin/rooms/{new_id}")
    assert len(bed_ids(app, "PI-5")) == 4
    assert last_audit(app) == ("admin1", "create", "room", str(new_id))
    assert "Shelter Putri 5" in client.get(f"/admin/rooms/{new_id}").get_data(as_text=True)


def test_refused_room_shows_the_field_message_and_writes_nothing(client, app, admin):
    response = client.post("/admin/rooms", data={
        "csrf_token": admin, "code": "PA-9", "name": "Shelter tanpa jenis kelamin",
        "kind": "shelter", "sex": "", "beds": "2"})
    assert response.status_code == 422
    assert "Ruang shelter wajib punya jenis kelamin" in response.get_data(as_text=True)
    assert room_id(app, "PA-9") is None
    taken = client.post("/admin/rooms", data={"csrf_token": admin, "code": "lobby",
                                              "name": "Lobby 2", "kind": "lobby"})
    assert taken.status_code == 409
    assert "Kode ruang sudah dipakai" in taken.get_data(as_text=True)


def test_admin_renames_and_tags_a_room(client, app, admin):
    ident = room_id(app, "PI-1")
    response = client.post(f"/admin/rooms/{ident}", data={
        "csrf_token": admin, "name": "Shelter Putri Anak", "tag": "anak"})
    assert response.status_code == 303
    room = read(app, Room, ident)
    assert (room.name, room.tag) == ("Shelter Putri Anak", "anak")
    assert last_audit(app) == ("admin1", "update", "room", str(ident))
    empty = client.post(f"/admin/rooms/{ident}", data={"csrf_token": admin, "name": " ", "tag": ""})
    assert empty.status_code == 422
    assert "Nama ruang wajib diisi" in empty.get_data(as_text=True)
    assert read(app, Room, ident).name == "Shelter Putri Anak"


def test_admin_adds_a_bed_but_not_a_second_isolation_bed(client, app, admin):
    ident = room_id(app, "PA-2")
    response = client.post(f"/admin/rooms/{ident}/beds", data={"csrf_token": admin, "label": ""})
    assert response.status_code == 303
    assert len(bed_ids(app, "PA-2")) == 11
    assert last_audit(app)[1:3] == ("create", "bed")
    isolation = room_id(app, "ISO-02")
    refused = client.post(f"/admin/rooms/{isolation}/beds", data={"csrf_token": admin, "label": "2"})
    assert refused.status_code == 409
    assert "Ruang isolasi hanya boleh punya satu tempat tidur" in refused.get_data(as_text=True)
    assert len(bed_ids(app, "ISO-02")) == 1


def test_admin_takes_a_bed_out_of_service_and_back(client, app, admin):
    bed = bed_ids(app, "PI-3")[0]
    missing = client.post(f"/admin/beds/{bed}/out-of-service", data={"csrf_token": admin, "reason": ""})
    assert missing.status_code == 422
    assert "Alasan tempat tidur tidak tersedia wajib diisi" in missing.get_data(as_text=True)
    response = client.post(f"/admin/beds/{bed}/out-of-service",
                           data={"csrf_token": admin, "reason": "Kasur basah"})
    assert response.status_code == 303
    assert last_audit(app) == ("admin1", "out_of_service", "bed", str(bed))
    page = client.get(f"/admin/rooms/{room_id(app, 'PI-3')}").get_data(as_text=True)
    assert "Kasur basah" in page and "masih berlangsung" in page
    assert "89 dari 90" in client.get("/admin/rooms").get_data(as_text=True)
    back = client.post(f"/admin/beds/{bed}/in-service", data={"csrf_token": admin})
    assert back.status_code == 303
    assert last_audit(app) == ("admin1", "in_service", "bed", str(bed))
    with app.app_context():
        assert db.session.get(Bed, bed).usable


def test_admin_retires_a_bed_after_confirming(client, app, admin):
    bed = bed_ids(app, "PA-4")[-1]
    confirm = client.get(f"/admin/beds/{bed}/retire")
    assert confirm.status_code == 200
    assert "dipensiunkan untuk seterusnya" in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Bed, bed).retired_at is None  # the GET changed nothing
    response = client.post(f"/admin/beds/{bed}/retire", data={"csrf_token": admin})
    assert response.status_code == 303
    assert read(app, Bed, bed).retired_at is not None
    assert last_audit(app) == ("admin1", "retire", "bed", str(bed))
    assert client.post(f"/admin/beds/{bed}/retire", data={"csrf_token": admin}).status_code == 409


def test_retiring_an_occupied_bed_is_refused(client, app, admin):
    bed = bed_ids(app, "PA-1")[0]
    previous = services.register_occupancy_check(lambda bed_id: bed_id == bed)
    try:
        response = client.post(f"/admin/beds/{bed}/retire", data={"csrf_token": admin})
    finally:
        services.register_occupancy_check(previous)
    assert response.status_code == 409
    assert "sedang ditempati" in response.get_data(as_text=True)
    assert read(app, Bed, bed).retired_at is None


def test_actions_need_the_csrf_token(client, app, admin):
    bed = bed_ids(app, "PA-1")[0]
    response = client.post(f"/admin/beds/{bed}/retire", data={})
    assert response.status_code == 400
    assert read(app, Bed, bed).retired_at is None


@pytest.mark.parametrize("role", ["kepala", "petugas", "staf"])
def test_non_admins_are_refused(client, app, role):
    login(client, app, role=role)
    token = csrf_token(client, "/account")
    ident, bed = room_id(app, "PA-1"), bed_ids(app, "PA-1")[0]
    assert client.get("/admin/rooms").status_code == 403
    assert client.get(f"/admin/rooms/{ident}").status_code == 403
    assert client.get(f"/admin/beds/{bed}/retire").status_code == 403
    posts = [("/admin/rooms", {"code": "X-1", "name": "X", "kind": "lobby"}),
             (f"/admin/rooms/{ident}", {"name": "X"}),
             (f"/admin/rooms/{ident}/beds", {}),
             (f"/admin/beds/{bed}/out-of-service", {"reason": "x"}),
             (f"/admin/beds/{bed}/in-service", {}),
             (f"/admin/beds/{bed}/retire", {})]
    for path, data in posts:
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.entity.in_(["room", "bed"]), AuditEntry.action != "seed")) == 0


def test_login_is_required(client):
    response = client.get("/admin/rooms")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_unknown_room_is_404(client, app, admin):
    assert client.get("/admin/rooms/99999").status_code == 404
