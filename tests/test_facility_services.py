"""Facility services: the seeded building, capacity, and the admin's changes to rooms and beds."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select

from rps_app import clock
from rps_app.audit.models import AuditEntry
from rps_app.errors import Conflict, NotFound, ValidationError
from rps_app.extensions import db
from rps_app.facility import services
from rps_app.facility.models import Bed, BedOutage, Room

from .factories import TEST_ACTOR as ACTOR

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def room_by_code(code: str) -> Room:
    return db.session.scalar(select(Room).where(Room.code == code))


def audit_actions(entity: str, entity_id) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id)).order_by(AuditEntry.id)))


def test_seed_gives_the_blueprint_building(ctx):
    rooms = services.rooms_with_beds()
    kinds = Counter((room.kind, room.sex) for room in rooms)
    assert kinds[("shelter", "L")] == 4
    assert kinds[("shelter", "P")] == 4
    assert kinds[("isolation", None)] == 10
    non_residential = [room for room in rooms if not room.residential]
    assert len(non_residential) == 12
    assert [room.name for room in non_residential if room.kind == "communal"] == [
        "Ruang Komunal 1", "Ruang Komunal 2"]  # the blueprint's two
    assert all(room.beds == [] for room in non_residential)
    assert all(len(room.beds) == 10 for room in rooms if room.kind == "shelter")
    assert all(len(room.beds) == 1 for room in rooms if room.kind == "isolation")
    assert sum(services.capacity(room) for room in rooms) == 90


def test_seed_is_idempotent(ctx):
    counts = (db.session.scalar(select(func.count(Room.id))),
              db.session.scalar(select(func.count(Bed.id))))
    assert services.seed_default_facility(ACTOR) == 0
    assert services.seed_default_facility(ACTOR) == 0
    assert (db.session.scalar(select(func.count(Room.id))),
            db.session.scalar(select(func.count(Bed.id)))) == counts == (30, 90)


def test_seed_recreates_only_missing_rooms_and_keeps_admin_changes(ctx):
    renamed = room_by_code("PA-1")
    services.rename_room(ACTOR, renamed.id, "Shelter Putra Utama", "lansia")
    lobby = room_by_code("LOBBY")
    db.session.delete(lobby)
    db.session.flush()
    assert services.seed_default_facility(ACTOR) == 1
    assert room_by_code("LOBBY") is not None
    assert room_by_code("PA-1").name == "Shelter Putra Utama"


def test_rooms_with_beds_loads_everything_in_few_queries(app, ctx):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rooms = services.rooms_with_beds()
        total = sum(services.capacity(room) for room in rooms)
        labels = [bed.label for room in rooms for bed in room.beds]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert total == 90 and len(labels) == 90
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 3, selects
    assert [room.sort_order for room in rooms] == sorted(room.sort_order for room in rooms)


def test_capacity_excludes_out_of_service_and_retired_beds(ctx):
    room = room_by_code("PI-2")
    first, second, third = room.beds[:3]
    services.take_out_of_service(ACTOR, first.id, "Kasur rusak")
    services.retire_bed(ACTOR, second.id)
    assert services.capacity(room) == 8
    services.return_to_service(ACTOR, first.id)
    assert services.capacity(room) == 9
    assert third.usable


def test_outage_history_is_kept(ctx):
    bed = room_by_code("PA-3").beds[0]
    clock.freeze(T0)
    services.take_out_of_service(ACTOR, bed.id, "Pembersihan")
    clock.freeze(T0 + timedelta(days=2))
    services.return_to_service(ACTOR, bed.id)
    clock.freeze(T0 + timedelta(days=5))
    services.take_out_of_service(ACTOR, bed.id, "Rangka patah")
    outages = list(db.session.scalars(select(BedOutage).where(BedOutage.bed_id == bed.id)
                                      .order_by(BedOutage.start_at)))
    assert [(o.start_at, o.end_at, o.reason) for o in outages] == [
        (T0, T0 + timedelta(days=2), "Pembersihan"),
        (T0 + timedelta(days=5), None, "Rangka patah"),
    ]
    assert audit_actions("bed", bed.id) == ["out_of_service", "in_service", "out_of_service"]


def test_out_of_service_needs_a_reason_and_a_bed_in_service(ctx):
    bed = room_by_code("PA-4").beds[0]
    with pytest.raises(ValidationError) as error:
        services.take_out_of_service(ACTOR, bed.id, "   ")
    assert "reason" in error.value.fields
    with pytest.raises(Conflict):
        services.return_to_service(ACTOR, bed.id)
    services.take_out_of_service(ACTOR, bed.id, "Pembersihan")
    with pytest.raises(Conflict) as twice:
        services.take_out_of_service(ACTOR, bed.id, "Lagi")
    assert twice.value.code == "bed_out_of_service"


def test_retire_sets_retired_at_and_ends_an_open_outage(ctx):
    clock.freeze(T0)
    bed = room_by_code("PA-2").beds[-1]
    services.take_out_of_service(ACTOR, bed.id, "Rusak berat")
    clock.freeze(T0 + timedelta(hours=3))
    services.retire_bed(ACTOR, bed.id)
    assert bed.retired_at == T0 + timedelta(hours=3)
    assert bed.outages[0].end_at == T0 + timedelta(hours=3)
    assert db.session.get(Bed, bed.id) is not None  # the row stays for history
    with pytest.raises(Conflict) as again:
        services.retire_bed(ACTOR, bed.id)
    assert again.value.code == "bed_retired"
    assert audit_actions("bed", bed.id) == ["out_of_service", "retire"]


def test_retire_refuses_an_occupied_bed_with_409(ctx):
    bed = room_by_code("ISO-03").beds[0]
    with pytest.raises(Conflict) as error:
        services.retire_bed(ACTOR, bed.id, is_occupied=lambda bed_id: bed_id == bed.id)
    assert error.value.status == 409 and error.value.code == "bed_occupied"
    assert bed.retired_at is None
    other = room_by_code("ISO-04").beds[0]
    services.retire_bed(ACTOR, other.id, is_occupied=lambda bed_id: bed_id == bed.id)
    assert other.retired_at is not None


def test_registered_occupancy_check_is_the_default(ctx):
    bed = room_by_code("PI-1").beds[0]
    asked = []

    def occupied(bed_id):
        asked.append(bed_id)
        return True

    previous = services.register_occupancy_check(occupied)
    try:
        with pytest.raises(Conflict):
            services.retire_bed(ACTOR, bed.id)
        with pytest.raises(Conflict):
            services.take_out_of_service(ACTOR, bed.id, "Pembersihan")
    finally:
        services.register_occupancy_check(previous)
    assert asked == [bed.id, bed.id]
    assert bed.usable


def test_isolation_room_refuses_a_second_bed(ctx):
    room = room_by_code("ISO-01")
    with pytest.raises(Conflict) as error:
        services.add_bed(ACTOR, room.id)
    assert error.value.code == "isolation_single_bed"
    assert "room_id" in error.value.fields
    # Once its bed is retired, a replacement may be added (with a new label).
    services.retire_bed(ACTOR, room.beds[0].id)
    bed = services.add_bed(ACTOR, room.id)
    assert bed.label == "2"
    assert services.capacity(room) == 1


def test_add_bed_to_shelter_labels_and_audits(ctx):
    room = room_by_code("PA-1")
    bed = services.add_bed(ACTOR, room.id)
    assert bed.label == "11" and bed.sort_order == 11
    named = services.add_bed(ACTOR, room.id, " Atas-1 ")
    assert named.label == "Atas-1"
    with pytest.raises(ValidationError) as taken:
        services.add_bed(ACTOR, room.id, "atas-1")
    assert "label" in taken.value.fields
    assert services.capacity(room) == 12
    assert audit_actions("bed", bed.id) == ["create"]


def test_no_beds_in_non_residential_rooms(ctx):
    with pytest.raises(ValidationError) as error:
        services.add_bed(ACTOR, room_by_code("DAPUR").id)
    assert "room_id" in error.value.fields


def test_rename_room_and_tag(ctx):
    room = room_by_code("PI-4")
    services.rename_room(ACTOR, room.id, "  Shelter Anak Putri ", "anak")
    assert (room.name, room.tag) == ("Shelter Anak Putri", "anak")
    services.rename_room(ACTOR, room.id, "Shelter Anak Putri", "")
    assert room.tag is None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "room", AuditEntry.entity_id == str(room.id)).order_by(AuditEntry.id)).all()
    assert [e.detail for e in entries] == [
        {"name": ["Shelter Putri 4", "Shelter Anak Putri"], "tag": [None, "anak"]},
        {"tag": ["anak", None]},
    ]


@pytest.mark.parametrize("name, tag, field, words", [
    ("", None, "name", "Nama ruang wajib diisi"),
    ("x" * 81, None, "name", "maks. 80"),
    ("Ruang", "remaja", "tag", "anak, lansia"),
])
def test_rename_room_validation_names_the_field(ctx, name, tag, field, words):
    room = room_by_code("PA-2")
    with pytest.raises(ValidationError) as error:
        services.rename_room(ACTOR, room.id, name, tag)
    assert words in error.value.fields[field]
    assert room.name == "Shelter Putra 2"


def test_tag_only_on_residential_rooms(ctx):
    with pytest.raises(ValidationError) as error:
        services.rename_room(ACTOR, room_by_code("KANTOR").id, "Kantor", "lansia")
    assert "hunian" in error.value.fields["tag"]


def test_add_rooms_of_each_shape(ctx):
    shelter = services.add_room(ACTOR, "pa-5", "Shelter Putra 5", "shelter", "L", beds=6)
    assert shelter.code == "PA-5" and len(shelter.beds) == 6 and services.capacity(shelter) == 6
    isolation = services.add_room(ACTOR, "ISO-11", "Ruang Isolasi 11", "isolation")
    assert [bed.label for bed in isolation.beds] == ["1"]
    communal = services.add_room(ACTOR, "KOM-3", "Ruang Komunal 3", "communal")
    assert communal.beds == [] and communal.sex is None
    assert communal.sort_order > shelter.sort_order
    assert audit_actions("room", shelter.id) == ["create"]
    assert services.rooms_with_beds()[-1].code == "KOM-3"


@pytest.mark.parametrize("args, field, words", [
    (("", "Ruang", "shelter", "L"), "code", "Kode ruang wajib diisi"),
    (("A B", "Ruang", "shelter", "L"), "code", "huruf, angka"),
    (("X-1", "", "shelter", "L"), "name", "Nama ruang wajib diisi"),
    (("X-1", "Ruang", "gudang", None), "kind", "Jenis ruang harus"),
    (("X-1", "Ruang", "shelter", None), "sex", "wajib punya jenis kelamin"),
    (("X-1", "Ruang", "shelter", "W"), "sex", "L atau P"),
    (("X-1", "Ruang", "isolation", "P"), "sex", "hanya diisi untuk ruang shelter"),
    (("X-1", "Ruang", "kitchen", None, None, 2), "beds", "bukan ruang hunian"),
    (("X-1", "Ruang", "shelter", "P", None, "dua"), "beds", "angka"),
    (("X-1", "Ruang", "shelter", "P", None, 51), "beds", "0 sampai 50"),
    (("X-1", "Ruang", "lobby", None, "anak"), "tag", "hunian"),
])
def test_add_room_validation_names_the_field(ctx, args, field, words):
    with pytest.raises(ValidationError) as error:
        services.add_room(ACTOR, *args)
    assert words in error.value.fields[field]
    assert error.value.status == 422
    assert db.session.scalar(select(func.count(Room.id))) == 30


def test_add_room_refuses_a_taken_code(ctx):
    with pytest.raises(Conflict) as error:
        services.add_room(ACTOR, "iso-01", "Isolasi lagi", "isolation")
    assert error.value.fields == {"code": "Kode ruang sudah dipakai."}


def test_unknown_room_or_bed_is_not_found(ctx):
    with pytest.raises(NotFound):
        services.rename_room(ACTOR, 99999, "Ruang", None)
    with pytest.raises(NotFound):
        services.retire_bed(ACTOR, 99999)
